"""Domain operations per area. Every write that matters goes through here and is audited."""
