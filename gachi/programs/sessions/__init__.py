"""A programme session: its page, its places, cancelling it (see gachi/programs)."""
