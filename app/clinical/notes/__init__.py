"""Notes: templates, drafts, signing and cosigning, and the size a note may have."""
