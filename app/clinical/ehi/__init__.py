"""Electronic health information export (ONC 170.315(b)(10)) and its re-import.

One patient's complete record as a FHIR Bundle (export), the whole store as NDJSON sealed
under a passphrase (store_export, sealed_file), and either brought back into a store
through the write path, exactly as it left (reimport).
"""
