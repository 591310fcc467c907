"""The Sync tab: where sync stands, "Sync now", and the conflicts a person resolves."""
