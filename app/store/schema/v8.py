"""Schema version 8: user records carry the admins' signature. Frozen once released.

A role or a lock is only as good as the row that holds it, and any user who opens the store
can write any row. From schema 8 each app_user row carries Ed25519 signatures by the admins'
role-signing key (app.security.role_signing), one per data-key generation, as a JSON object
{generation: signature}. Existing rows stay unsigned until the first admin signs in; from
then on sign-in refuses a row whose signature does not match.
"""

USER_SIGNATURES = ("ALTER TABLE app_user ADD COLUMN signature TEXT",)
