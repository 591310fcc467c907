"""Schema version 16: a password the user must change at the next sign-in. Frozen once
released.

An admin's first password for a new user, or a temporary one after a reset, is known to
the admin; the user replaces it before the workstation opens (app.security.login), and her
own change clears the mark (app.security.users). Rows already there need no change: 0.
"""

MUST_CHANGE_PASSWORD = (
    "ALTER TABLE app_user ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0",
)
