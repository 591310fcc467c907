"""Notes: the Notes tab, the editor and signing."""
