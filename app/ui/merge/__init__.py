"""Merging two records of one person: the side-by-side dialog and the review of the pairs
sync flagged as possible duplicates."""
