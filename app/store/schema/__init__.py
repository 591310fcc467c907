"""SQLAlchemy Core views of the current schema, for queries.

The tables are created by app.store.schema.migrations; tests check that these declarations match
what the migrations build, so the two cannot drift apart.
"""

from sqlalchemy import Column, Integer, MetaData, Table, Text

metadata = MetaData()

store_meta = Table(
    "store_meta", metadata, Column("key", Text, primary_key=True), Column("value", Text)
)

resource = Table(  # schema.v17: `record` is the key outbox and chart index rows name
    "resource",
    metadata,
    Column("record", Integer, primary_key=True),
    Column("type", Text),
    Column("id", Text),
    Column("version_id", Text),
    Column("last_updated", Text),
    Column("json", Text),
    Column("deleted", Integer),
)

base = Table(
    "base",
    metadata,
    Column("type", Text, primary_key=True),
    Column("id", Text, primary_key=True),
    Column("version_id", Text),
    Column("json", Text),
)

local_change = Table(
    "local_change",
    metadata,
    Column("seq", Integer, primary_key=True),
    Column("record", Integer),  # resource.record (schema.v17)
    Column("op", Text),
    Column("base_version", Text),
    Column("json", Text),  # only once the record's JSON has changed since (schema.v17)
    Column("user", Text),
    Column("at", Text),
    Column("held_by", Integer),
)

audit = Table(
    "audit",
    metadata,
    Column("seq", Integer, primary_key=True),
    Column("at", Text),
    Column("user", Text),
    Column("role", Text),
    Column("action", Text),
    Column("patient", Text),
    Column("entity", Text),
    Column("outcome", Text),
    Column("detail", Text),
    Column("prev_hash", Text),
    Column("hash", Text),
    Column("uploaded", Integer),
)

audit_checkpoint = Table(
    "audit_checkpoint",
    metadata,
    Column("seq", Integer, primary_key=True),
    Column("head", Text),
    Column("server", Text),
    Column("acknowledged_at", Text),
)

conflict = Table(
    "conflict",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("type", Text),
    Column("resource_id", Text),
    Column("local_json", Text),
    Column("remote_json", Text),
    Column("base_json", Text),
    Column("remote_version", Text),
    Column("detected_at", Text),
    Column("resolved_at", Text),
    Column("resolution", Text),
    Column("resolved_by", Text),
    Column("kind", Text),
    Column("reason", Text),
    Column("origin", Text),  # "sync" (the server's version) or "import" (a file's)
)

sync_state = Table(
    "sync_state",
    metadata,
    Column("scope", Text, primary_key=True),
    Column("cursor", Text),
    Column("updated_at", Text),
)

patient_compartment = Table(
    "patient_compartment",
    metadata,
    Column("record", Integer, primary_key=True),  # resource.record (schema.v17)
    Column("type", Text),
    Column("id", Text),
    Column("patient_id", Text),
    Column("section", Text),
    Column("date", Text),
    Column("status", Text),
    Column("code", Text),
)

patient_search = Table(
    "patient_search",
    metadata,
    Column("patient_id", Text),
    Column("names", Text),
    Column("identifiers", Text),
    Column("telecom", Text),
    Column("birth_date", Text),
    Column("sounds", Text),  # close matches (schema.v9, app.store.close_text)
    Column("spellings", Text),
    Column("fragments", Text),
)

patient_search_row = Table(
    "patient_search_row",
    metadata,
    Column("search_rowid", Integer, primary_key=True),
    Column("patient_id", Text),
)

app_user = Table(
    "app_user",
    metadata,
    Column("name", Text, primary_key=True),
    Column("full_name", Text),
    Column("role", Text),
    Column("password_hash", Text),
    Column("locked", Integer),
    Column("created_at", Text),
    Column("password_changed_at", Text),
    Column("signature", Text),  # {key generation: Ed25519 signature}, app.security.role_signing
    Column("must_change_password", Integer),  # v16: changed at the next sign-in
)

note_draft = Table(
    "note_draft",
    metadata,
    Column("id", Text, primary_key=True),
    Column("author", Text),
    Column("patient_id", Text),
    Column("encounter_id", Text),
    Column("template", Text),
    Column("title", Text),
    Column("text", Text),
    Column("appends", Text),
    Column("created_at", Text),
    Column("saved_at", Text),
)

patient_merge = Table(  # schema.v10: a merge, its records before and after, its outbox rows
    "patient_merge",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("keep_id", Text),
    Column("other_id", Text),
    Column("merged_at", Text),
    Column("merged_by", Text),
    Column("before_json", Text),
    Column("after_json", Text),
    Column("first_seq", Integer),
    Column("last_seq", Integer),
    Column("undone_at", Text),
    Column("undone_by", Text),
)

duplicate_review = Table(  # schema.v10: two patients who may be one person, for review
    "duplicate_review",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", Text),
    Column("other_id", Text),
    Column("why", Text),
    Column("flagged_at", Text),
    Column("flagged_by", Text),
    Column("resolved_at", Text),
    Column("resolution", Text),
    Column("resolved_by", Text),
)
