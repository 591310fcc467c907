"""The local chain against the last checkpoint the server acknowledged.

The checkpoint is kept in the store, so an insider who rewrites rows can rewrite it too;
it catches the rest: a rewrite by someone who did not know to, rows removed after upload,
a store restored from an older backup. The server's own copy (sync.audit_checkpoint) is
the one an insider cannot reach.
"""

from sqlalchemy import Connection, select

from app.display_time import when_text
from app.store import schema


def checkpoint_problems(conn: Connection) -> list[str]:
    last = conn.execute(select(schema.audit_checkpoint).order_by(
        schema.audit_checkpoint.c.seq.desc()).limit(1)).first()
    if last is None:
        return []
    stored = conn.execute(select(schema.audit.c.hash).where(
        schema.audit.c.seq == last.seq)).scalar_one_or_none()
    acknowledged = when_text(last.acknowledged_at, with_date=True)
    when = f"the checkpoint {last.server} acknowledged at {acknowledged}"
    if stored is None:
        return [f"audit row {last.seq} is missing, but {when} covers it"]
    if stored != last.head:
        return [f"audit row {last.seq} no longer matches {when}: rows up to {last.seq} were "
                "rewritten after they were uploaded"]
    return []
