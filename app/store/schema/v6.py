"""Schema version 6: a conflict says where its other side came from. Frozen once released.

A conflict's other side was the server's version until an import could hold one too (a
record edited here and a different version of it in an imported file). The two are
resolved differently: the server's version becomes the merge base of what is sent next,
while a file's version is only a local candidate to send. So the row says which ("sync" or
"import"), rather than leaving code to guess from a missing version id.
"""

CONFLICT_ORIGIN = (
    "ALTER TABLE conflict ADD COLUMN origin TEXT NOT NULL DEFAULT 'sync' "
    "CHECK (origin IN ('sync', 'import'))",
)
