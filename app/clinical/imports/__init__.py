"""Importing FHIR files (Bundles, lone resources, NDJSON): reading them entry by entry,
resolving their references and conditional requests, deciding which version may replace a
stored record, and the report of what was done."""
