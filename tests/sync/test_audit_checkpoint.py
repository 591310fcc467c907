"""The chain head is checkpointed on the server with each audit upload, so an insider who
rewrites uploaded rows and recomputes the keyed chain (she can read the key) is caught at
the next sync and by `audit verify` against the server, with the row named."""

import httpx
import pytest
from sqlalchemy import text

from app.bootstrap import SyncSettings, open_workstation
from app.cli import commands as cli
from app.store import audit_log as audit
from sync.audit_checkpoint import CHECKPOINT_SYSTEM, compare_with_server, server_row_hash
from sync.audit_upload import AuditUploadFailed
from tests.sync.policies import env_naming
from tests.sync.stations import patient, sync


def insider_rewrites(ws, seq: int, detail: str) -> None:
    """Edit row `seq` and recompute every later HMAC with the key read from the store, and
    the local checkpoint with them: everything a shell on the shared account allows."""
    with ws.store.write() as conn:
        key = audit.audit_key(conn)
        conn.execute(text("UPDATE audit SET detail = :d WHERE seq = :s"), {"d": detail, "s": seq})
        prev = conn.execute(text("SELECT hash FROM audit WHERE seq = :s"),
                            {"s": seq - 1}).scalar_one()
        for row in conn.execute(text("SELECT * FROM audit WHERE seq >= :s ORDER BY seq"),
                                {"s": seq}).mappings().all():
            event = audit.Event(*(row[f] for f in audit.Event.__dataclass_fields__))
            digest = audit.chain_hash(event, prev, key)
            conn.execute(text("UPDATE audit SET prev_hash = :p, hash = :h WHERE seq = :s"),
                         {"p": prev, "h": digest, "s": row["seq"]})
            conn.execute(text("UPDATE audit_checkpoint SET head = :h WHERE seq = :s"),
                         {"h": digest, "s": row["seq"]})
            prev = digest


@pytest.fixture
def admin_a(a, env, tmp_path):
    """Workstation A's admin, who reviews its audit trail."""
    ws = open_workstation(env, tmp_path / "a", "admin", "admin pass 12")
    yield ws
    ws.store.close()


def server_events(server, tag: str) -> list[dict]:
    bundle = httpx.get(f"{server.base_url}AuditEvent", params={"_tag": tag}, timeout=10).json()
    return [entry["resource"] for entry in bundle.get("entry", [])]


def test_an_upload_leaves_the_chain_head_on_the_server_and_here(a, fhir_server):
    a.patients.register(a.session, patient("Lee"))
    report = sync(a, fhir_server)
    with a.store.read() as conn:
        seq, head = conn.exec_driver_sql("SELECT seq, head FROM audit_checkpoint").one()
        row_hash = conn.exec_driver_sql("SELECT hash FROM audit WHERE seq = ?",
                                        (seq,)).scalar_one()
    [checkpoint] = server_events(fhir_server, f"{CHECKPOINT_SYSTEM}|{a.store.store_id}")
    details = {d["type"]: d["valueString"] for d in checkpoint["entity"][0]["detail"]}
    assert (report.audit.checkpoint, details, head) == (seq, {"seq": str(seq), "head": head},
                                                        row_hash)


def test_uploaded_events_carry_their_row_hash(a, fhir_server):
    sync(a, fhir_server)
    with a.store.read() as conn:
        row_hash = conn.exec_driver_sql("SELECT hash FROM audit WHERE seq = 1").scalar_one()
    transport = a.sync_engine(SyncSettings(fhir_server.base_url)).transport
    try:
        assert server_row_hash(transport, a.store.store_id, 1) == row_hash
    finally:
        transport.close()


def test_a_rewritten_uploaded_row_stops_the_next_upload_naming_the_row(a, admin_a,
                                                                        any_fhir_server):
    for family in ("Lee", "Kim", "Roe"):
        a.patients.register(a.session, patient(family))
    sync(a, any_fhir_server)
    insider_rewrites(a, 4, "nothing to see")
    assert admin_a.audit.verify(admin_a.session).intact  # chain and checkpoint agree again
    a.patients.register(a.session, patient("Poe"))
    with pytest.raises(AuditUploadFailed, match="audit row 4 differs from the copy uploaded "
                                                "to the server"):
        sync(a, any_fhir_server)
    engine = a.sync_engine(SyncSettings(any_fhir_server.base_url))
    result = admin_a.audit.verify(admin_a.session, lambda: compare_with_server(
        engine.local, engine.transport))
    engine.transport.close()
    assert result.problems[0].startswith("audit row 4 differs from the copy uploaded")


def test_a_rewrite_that_left_the_local_checkpoint_alone_is_found_offline(a, admin_a,
                                                                         fhir_server):
    sync(a, fhir_server)
    with a.store.write() as conn:
        seq = conn.exec_driver_sql("SELECT max(seq) FROM audit_checkpoint").scalar_one()
        conn.exec_driver_sql("UPDATE audit_checkpoint SET head = 'x' || head")
    problems = admin_a.audit.verify(admin_a.session).problems
    assert problems[0].startswith(f"audit row {seq} no longer matches the checkpoint")


def test_audit_verify_with_server_names_the_rewritten_row(a, env, tmp_path, fhir_server,
                                                          monkeypatch, capsys):
    for family in ("Lee", "Kim"):
        a.patients.register(a.session, patient(family))
    sync(a, fhir_server)
    insider_rewrites(a, 3, "nothing to see")
    monkeypatch.setenv("HEARTH_PASSWORD", "admin pass 12")
    status = cli.main(["--store", str(tmp_path / "a"), "--user", "admin", "audit", "verify",
                       "--server"], env_naming(env, fhir_server.base_url))
    out = capsys.readouterr().out
    assert status == 1
    assert "  - audit row 3 differs from the copy uploaded to the server" in out


def test_an_auditor_verifies_against_the_policy_server_without_sync_permission(
        a, admin_a, env, tmp_path, fhir_server, monkeypatch, capsys):
    admin_a.users.add(admin_a.session, "audrey", "Audrey Audit", "auditor", "auditor pass 1")
    a.patients.register(a.session, patient("Lee"))
    sync(a, fhir_server)
    insider_rewrites(a, 2, "nothing to see")
    monkeypatch.setenv("HEARTH_PASSWORD", "auditor pass 1")
    status = cli.main(["--store", str(tmp_path / "a"), "--user", "audrey", "audit", "verify",
                       "--server"], env_naming(env, fhir_server.base_url))
    captured = capsys.readouterr()
    assert (status, captured.err) == (1, "")
    assert "  - audit row 2 differs from the copy uploaded to the server" in captured.out


def test_verifying_against_a_read_only_server_is_refused_with_a_sentence(
        a, env, tmp_path, fhir_server, monkeypatch, capsys):
    standby = "https://standby.example.org/fhir/"
    sync(a, fhir_server)
    monkeypatch.setenv("HEARTH_PASSWORD", "admin pass 12")
    status = cli.main(["--store", str(tmp_path / "a"), "--user", "admin", "audit", "verify",
                       "--server", standby], env_naming(env, fhir_server.base_url, standby))
    assert (status, capsys.readouterr().err) == (2, (
        f"hearth: Missing or invalid input: {standby} holds no checkpoints of this audit "
        "trail: it is uploaded only to the clinic's server (the policy's sync.server). Run "
        "audit verify --server without a URL.\n"))
