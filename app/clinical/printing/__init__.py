"""Patient documents on paper: the shared letterhead and one module per document."""
