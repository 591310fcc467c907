"""Importing FHIR Bundles from files: reading them entry by entry, conditional requests,
which version may replace a stored record, and the report of what was done."""
