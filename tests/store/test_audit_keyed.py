"""The audit chain is keyed (HMAC): an insider who edits a row and recomputes the plain
SHA-256 chain, as the campaign did, no longer gets "intact"; stores from before the key
still verify."""

import hashlib

import orjson
from sqlalchemy import text

from app.store import audit_log as audit
from app.store.database import Database
from app.store.keys import new_data_key
from app.store.schema.migrations import MIGRATIONS, migrate


def rows_after(ws, seq):
    with ws.store.read() as conn:
        return conn.execute(text("SELECT * FROM audit WHERE seq >= :s ORDER BY seq"),
                            {"s": seq}).mappings().all()


def sha256_chain(rows, prev_hash):
    """What the campaign's insider did: recompute each row's unkeyed hash from the edit on."""
    for row in rows:
        content = [row["at"], row["user"], row["role"], row["action"], row["outcome"],
                   row["patient"], row["entity"], row["detail"], prev_hash]
        digest = hashlib.sha256(orjson.dumps(content)).hexdigest()
        yield row["seq"], prev_hash, digest
        prev_hash = digest


def test_an_edited_row_with_a_recomputed_sha256_chain_is_found(admin):
    for i in range(3):
        admin.users.add(admin.session, f"user{i}", f"User {i}", "nurse", "nurse pass 1")
    with admin.store.write() as conn:
        conn.exec_driver_sql("UPDATE audit SET user = 'someone-else' WHERE seq = 3")
        prev = conn.exec_driver_sql("SELECT hash FROM audit WHERE seq = 2").scalar_one()
    with admin.store.write() as conn:
        for seq, prev_hash, digest in sha256_chain(rows_after(admin, 3), prev):
            conn.execute(text("UPDATE audit SET prev_hash = :p, hash = :h WHERE seq = :s"),
                         {"p": prev_hash, "h": digest, "s": seq})
    problems = admin.audit.verify(admin.session).problems
    assert problems[0] == "audit row 3 was changed after it was written"


def test_a_store_from_before_the_key_still_verifies_and_is_keyed_from_then_on(tmp_path):
    database = Database(tmp_path / "hearth.db", new_data_key())
    migrate(database, tmp_path / "backups", MIGRATIONS[:6])
    old = [audit.Event(audit.now_text(), "ana", "nurse", "read", "success", patient=f"p{i}")
           for i in range(3)]
    with database.write() as conn:
        prev = audit.GENESIS
        for event in old:  # as schema 6's Hearth wrote them: plain SHA-256
            digest = audit.chain_hash(event, prev)
            conn.execute(audit.schema.audit.insert().values(
                **event.__dict__, prev_hash=prev, hash=digest))
            prev = digest
    migrate(database, tmp_path / "backups")
    with database.write() as conn:
        audit.append(conn, audit.Event(audit.now_text(), "ana", "nurse", "read", "success"))
        result = audit.verify(conn)
        keyed = conn.exec_driver_sql("SELECT value FROM store_meta WHERE key = "
                                     "'audit_keyed_from'").scalar_one()
        newest = conn.exec_driver_sql("SELECT * FROM audit WHERE seq = 4").mappings().one()
    database.close()
    assert (result.rows, result.problems, keyed) == (4, [], "4")
    event = audit.Event(*(newest[f] for f in audit.Event.__dataclass_fields__))
    assert audit.chain_hash(event, newest["prev_hash"]) != newest["hash"]  # not plain SHA-256


def test_a_removed_audit_key_is_one_sentence(admin):
    admin.users.add(admin.session, "nina", "Nina Nurse", "nurse", "nurse pass 1")
    with admin.store.write() as conn:
        conn.exec_driver_sql("DELETE FROM store_meta WHERE key = 'audit_key'")
    assert admin.audit.verify(admin.session).problems == [
        "the audit key was removed from the store, so rows from 1 on cannot be verified"]
