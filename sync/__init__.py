"""FHIR R4 sync engine.

It reconciles the local store with a central FHIR server and never imports Qt or `app`:
it defines the small protocol it needs from the local side, and `app.store` implements it
(enforced by import-linter). So far: reading the server's CapabilityStatement
(`capabilities`) and an HTTP transport with timeouts and retries (`transport`); push,
pull, merge and audit upload come with the rest of the sync issue.
"""
