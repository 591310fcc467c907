"""The Admin tab: the clinic's settings a person keeps in the window, one section each (the
fee schedule first; users, the audit trail and the rest as issue 17 adds them)."""
