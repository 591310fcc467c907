"""The audit trail as the sync engine sees it: rows to upload, with their place in the
chain, and the checkpoints the server acknowledged (sync.audit_checkpoint).

A mixin of app.store.sync_side.StoreSyncSide, kept apart so the audit chain's part of
sync reads in one place.
"""

from app.store import schema
from app.store.audit_log import now_text as audit_now
from app.store.store import Store
from sync.audit_checkpoint import Checkpoint
from sync.local import AuditRecord

PENDING = ("SELECT seq, at, user, role, action, outcome, patient, entity, detail, prev_hash, "
           "hash FROM audit WHERE uploaded = 0 AND seq > ? ORDER BY seq LIMIT ?")
# The newest row with no row before it still queued, beyond the last checkpoint.
CHECKPOINT_DUE = (
    "SELECT seq, hash FROM audit WHERE seq < coalesce((SELECT min(seq) FROM audit "
    "WHERE uploaded = 0), 1 << 62) AND seq > coalesce((SELECT max(seq) FROM audit_checkpoint), "
    "0) ORDER BY seq DESC LIMIT 1")


class AuditSyncSide:
    _store: Store

    def audit_pending(self, limit: int, after_seq: int = 0) -> list[AuditRecord]:
        with self._store.read() as conn:
            rows = conn.exec_driver_sql(PENDING, (after_seq, limit)).all()
        return [AuditRecord(*row) for row in rows]

    def mark_audit_uploaded(self, seqs: list[int]) -> None:
        with self._store.write() as conn:
            conn.exec_driver_sql("UPDATE audit SET uploaded = 1 WHERE seq = ?",
                                 [(seq,) for seq in seqs])

    def audit_hashes(self, seqs: list[int]) -> dict[int, str]:
        with self._store.read() as conn:
            return dict(conn.execute(schema.audit.select().with_only_columns(
                schema.audit.c.seq, schema.audit.c.hash).where(
                schema.audit.c.seq.in_(seqs))).all())

    def audit_checkpoint_due(self) -> Checkpoint | None:
        with self._store.read() as conn:
            row = conn.exec_driver_sql(CHECKPOINT_DUE).first()
        return Checkpoint(*row) if row else None

    def save_audit_checkpoint(self, checkpoint: Checkpoint, server: str) -> None:
        with self._store.write() as conn:
            conn.execute(schema.audit_checkpoint.insert().prefix_with("OR REPLACE").values(
                seq=checkpoint.seq, head=checkpoint.head, server=server,
                acknowledged_at=audit_now()))
