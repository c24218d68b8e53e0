"""Ways content enters the portal: front-matter files, official texts, Markdown rendering."""
