"""The one write path (app.clinical.records): no module writes patient data around it, a
save is one transaction with one audit row, and what it changed is heard after it commits."""

import ast
import re
from pathlib import Path

import pytest
from sqlalchemy import event, text

from app.clinical.imports.importer import Importer
from app.clinical.records import ChangeFeed, Changes
from app.errors import InvalidRecord
from fhir_common import fhir_json
from tests.clinical.charting.test_vitals import ann, nurse  # noqa: F401  (fixtures)
from tests.conftest import SYNTHEA
from tests.sync.stations import patient

APP = Path(__file__).resolve().parents[1] / "app"
# The store's write primitives: app.store.resources' writes and the audit chain's appends.
RESOURCE_WRITES = {"put_resource", "put_resources", "delete_resource", "requeue",
                   "store_server_versions", "set_bases", "remove_local"}
AUDIT_WRITES = {"append", "append_many"}
WRITTEN_TABLES = {"resource", "local_change", "audit"}
RAW_WRITE = re.compile(r"\b(INSERT|REPLACE)\b[^;]*?\bINTO\s+(resource|local_change|audit)\b"
                       r"|\bUPDATE\s+(resource|audit)\b"
                       r"|\bDELETE\s+FROM\s+(resource|local_change|audit)\b",
                       re.IGNORECASE)
# Who may call them besides the unit of work, and why.
ALLOWED = {
    "app/store": "the primitives themselves, the audit chain, and the sync adapter, which "
                 "stores the server's versions as they came (nothing to validate or queue), "
                 "confirms the outbox, marks audit rows the server holds and keeps, "
                 "unqueued, what pull filers derive alike on every workstation",
    "app/clinical/records.py": "the unit of work: every service writes through it",
    "app/security": "sign-in, users, lockout, refusals and recovery audit accounts and "
                    "access, not patient records",
}


def write_primitives_used(source: str) -> list[str]:
    """Where a module's source calls (or imports, to call) a write primitive."""
    tree = ast.parse(source)
    resources, audits = set(), {"audit"}  # names bound to those modules
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in (
                "app.store.resources", "app.store.audit_log"):
            wanted = RESOURCE_WRITES if node.module.endswith("resources") else AUDIT_WRITES
            found += [f"line {node.lineno}: imports {a.name}" for a in node.names
                      if a.name in wanted]
        elif isinstance(node, ast.ImportFrom) and node.module == "app.store":
            for alias in node.names:
                if alias.name == "resources":
                    resources.add(alias.asname or alias.name)
                elif alias.name == "audit_log":
                    audits.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "app.store.resources" and alias.asname:
                    resources.add(alias.asname)
                elif alias.name == "app.store.audit_log" and alias.asname:
                    audits.add(alias.asname)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _name(node.value) in audits | resources:
            if node.attr in (AUDIT_WRITES if _name(node.value) in audits else RESOURCE_WRITES):
                found.append(f"line {node.lineno}: {_name(node.value)}.{node.attr}")
        elif isinstance(node, ast.Call) and _writes_table(node):
            found.append(f"line {node.lineno}: writes a table through SQLAlchemy")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and (
                RAW_WRITE.search(node.value)):
            found.append(f"line {node.lineno}: SQL writing {RAW_WRITE.search(node.value)[0]!r}")
    return found


def _name(node: ast.expr) -> str | None:
    """`audit` for audit, app.store.audit_log or records.audit."""
    return node.id if isinstance(node, ast.Name) else (
        node.attr if isinstance(node, ast.Attribute) else None)


def _writes_table(call: ast.Call) -> bool:
    """insert(schema.audit), schema.resource.update(), and the like."""
    func = call.func
    if isinstance(func, ast.Name) and func.id in ("insert", "update", "delete"):
        return bool(call.args) and _name(call.args[0]) in WRITTEN_TABLES
    return isinstance(func, ast.Attribute) and func.attr in ("insert", "update", "delete") and (
        isinstance(func.value, ast.Attribute) and func.value.attr in WRITTEN_TABLES)


def allowed(path: Path) -> bool:
    relative = path.relative_to(APP.parent).as_posix()
    return any(relative == place or relative.startswith(place + "/") for place in ALLOWED)


def test_only_the_store_and_the_unit_of_work_write_patient_data():
    offenders = {path.relative_to(APP.parent).as_posix(): used
                 for path in sorted(APP.rglob("*.py")) if not allowed(path)
                 if (used := write_primitives_used(path.read_text(encoding="utf-8")))}
    assert offenders == {}, "write through app.clinical.records instead"


def test_each_module_exempted_still_needs_it():
    """An exemption nobody uses any more is taken off the list."""
    for place in ALLOWED:
        path = APP.parent / place
        sources = [path] if path.is_file() else list(path.rglob("*.py"))
        assert any(write_primitives_used(p.read_text(encoding="utf-8")) for p in sources), place


@pytest.mark.parametrize("source", [
    "from app.store.resources import put_resource as put\nput(conn, r, u, at)\n",
    "from app.store import audit_log\naudit_log.append(conn, event)\n",
    "import app.store.audit_log as trail\ntrail.append_many(conn, [])\n",
    "from app.clinical import records\nrecords.audit.append(conn, event)\n",
    "from app.store import resources\nresources.requeue(conn, r, u, at)\n",
    "conn.execute(insert(schema.audit), rows)\n",
    "conn.exec_driver_sql('INSERT INTO local_change (type, id) VALUES (?, ?)', key)\n",
    "conn.exec_driver_sql('UPDATE resource SET json = ? WHERE id = ?', row)\n",
    "conn.exec_driver_sql('DELETE FROM local_change WHERE type = ? AND id = ?', key)\n",
], ids=["imported-alias", "audit-module", "audit-module-alias", "through-records",
        "resources-module", "sqlalchemy-insert", "sql-outbox-insert", "sql-resource-update",
        "sql-outbox-delete"])
def test_the_contract_sees_each_way_around_the_write_path(source):
    assert write_primitives_used(source)


def test_reads_and_the_write_path_itself_are_not_flagged():
    assert write_primitives_used(
        "from app.store.resources import get_resource\n"
        "with records.write(session, p) as work:\n    work.audit('read')\n"
        "conn.execute(text('SELECT count(*) FROM local_change'))\n") == []



def test_a_save_is_heard_after_it_commits_and_a_refusal_or_a_read_is_not(nurse, ann):
    heard: list[Changes] = []
    stop = nurse.changes.subscribe(heard.append)

    made = nurse.vitals.record(nurse.session, ann, {"heart_rate": "72", "weight": "80"})
    with pytest.raises(InvalidRecord):
        nurse.vitals.record(nurse.session, ann, {"heart_rate": "-3"})
    nurse.chart.summary(nurse.session, ann)
    stop()
    nurse.vitals.record(nurse.session, ann, {"heart_rate": "70"})

    assert heard == [Changes(frozenset({ann}), frozenset({"Observation"}),
                             frozenset({"vitals"}), outbox=len(made))]


def test_a_listener_that_fails_neither_undoes_the_save_nor_silences_the_others(nurse, ann):
    heard = []

    def broken(changes):
        raise RuntimeError("a screen that is gone")

    nurse.changes.subscribe(broken)
    nurse.changes.subscribe(heard.append)

    nurse.encounters.start_visit(nurse.session, ann)

    assert nurse.encounters.current_visit(nurse.session, ann) is not None
    assert [c.sections for c in heard] == [frozenset({"encounters"})]


def test_an_import_is_heard_batch_by_batch_with_what_it_queued(admin):
    heard: list[Changes] = []
    admin.changes.subscribe(heard.append)
    importer = Importer(admin.store, batch_size=200, feed=admin.changes)  # several batches

    report = importer.run(admin.session, [SYNTHEA])

    assert len(heard) > 1
    assert sum(c.outbox for c in heard) == report.imported
    patients = frozenset().union(*(c.patients for c in heard))
    with admin.store.read() as conn:
        assert patients == set(conn.execute(text(
            "SELECT id FROM resource WHERE type = 'Patient'")).scalars())


def test_a_conflict_resolved_is_heard_once_after_it_commits(admin, nurse, ann, tmp_path):
    """Ann's record, saved twice here, meets another version of it in an imported file;
    keeping the file's version replaces her two queued rows with one."""
    nurse.patients.update(nurse.session, {**nurse.patients.get(nurse.session, ann),
                                          "gender": "female"})
    other = tmp_path / "other.json"
    other.write_bytes(fhir_json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {**patient("Okafor-Reid"), "id": ann}}]}))
    admin.importer.run(admin.session, [other])
    [conflict] = nurse.conflicts.list(nurse.session)
    heard = []
    nurse.changes.subscribe(lambda changes: heard.append((changes, queued(nurse, ann))))

    nurse.conflicts.resolve(nurse.session, conflict.id, "remote")

    assert heard == [(Changes(frozenset({ann}), frozenset({"Patient"}),
                              frozenset({"demographics"}), outbox=-1), 1)]


def queued(ws, record_id: str) -> int:
    """The record's outbox rows, as a new transaction sees them: only what is committed."""
    with ws.store.read() as conn:
        return conn.execute(text("SELECT count(*) FROM outbox WHERE id = :id"),
                            {"id": record_id}).scalar_one()


def test_changes_add_up():
    one = Changes(frozenset({"p1"}), frozenset({"Observation"}), frozenset({"vitals"}), 2)
    other = Changes(frozenset({"p2"}), frozenset({"Condition"}), frozenset({"problems"}), -1)

    assert one | other == Changes(frozenset({"p1", "p2"}), frozenset({"Observation", "Condition"}),
                                  frozenset({"vitals", "problems"}), 1)
    assert not Changes()
    feed, heard = ChangeFeed(), []
    feed.subscribe(heard.append)
    feed.publish(Changes())
    assert heard == []


def test_recording_vitals_is_one_write_transaction_with_one_audit_row(nurse, ann):
    writes = []

    def began(conn):
        if conn.get_execution_options().get("hearth_begin") == "IMMEDIATE":
            writes.append(conn)

    def audit_rows() -> int:
        with nurse.store.read() as conn:
            return conn.execute(text("SELECT count(*) FROM audit")).scalar_one()

    before = audit_rows()
    event.listen(nurse.store.db.engine, "begin", began)
    try:
        nurse.vitals.record(nurse.session, ann, {"systolic": "120", "diastolic": "80",
                                                 "heart_rate": "72", "weight": "80",
                                                 "height": "175"})
    finally:
        event.remove(nurse.store.db.engine, "begin", began)

    assert (len(writes), audit_rows() - before) == (1, 1)
