"""The workstation's side of sync above the store: the connection the IT policy allows, and
the conflicts a person resolves, with the diff they read. (The adapter that implements
sync.local over the store is app.store.sync_side.)"""
