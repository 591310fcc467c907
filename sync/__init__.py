"""FHIR R4 sync engine: push the outbox, pull what changed, merge, upload the audit trail.

It reconciles the local store with a central FHIR server and never imports Qt or `app`
(enforced by import-linter): it defines the small protocol it needs from the local side
(`local.LocalSide`), which `app.store.sync_side` implements over the encrypted store.
`engine` runs one cycle (`push`, then `pull`, then `audit_upload`); `worker` runs cycles on
a thread of its own; `transport` is the HTTP client with its deadlines, limits and retries;
`reconcile` and `merge` bring a local edit together with the server's newer version.
What it shares with the workstation (`fhir_json`, `compartment`, `messages`) lives in
`fhir_common`, which imports neither `sync` nor `app`.
"""
