"""The workstation's side of sync: the adapter that implements sync.local over the store
(records and audit rows), the connection the IT policy allows, and the conflicts a person
resolves, with the diff they read."""
