"""What the sync engine and the workstation share, and nothing else: `fhir_json` (FHIR JSON
with every decimal kept as written), `compartment` (whose chart a record belongs to) and
`messages` (the one sentence a person reads for a failure).

It imports neither `sync` nor `app` (import-linter checks it), so the store can use it
without importing the sync engine, and the sync engine without importing the workstation.
"""
