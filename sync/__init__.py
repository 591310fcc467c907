"""FHIR R4 sync engine.

It reconciles the local store with a central FHIR server and never imports Qt or `app`:
it defines the small protocol it needs from the local side, and `app.store` implements it.
The engine itself arrives with the sync issue; this package exists so the layering contract
(`sync` stands alone) is enforced from the first commit.
"""
