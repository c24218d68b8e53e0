"""The policy library (/policies/): :mod:`.queries` is the read side (what the public may see, filtered,
faceted, paginated), :mod:`.pages` builds the data of its pages for the views and the static export."""
