"""Crash safety: a writer killed with SIGKILL, a full disk, a damaged store file.

Real processes, a real full file system (a 2 MiB tmpfs; needs root) and real damaged bytes.
What is checked is what a clinician or an IT admin would notice afterwards: the store
opens, nothing reported as saved is lost, nothing half-saved appears, the audit trail is
intact, and a damaged file is named as damaged instead of failing with a raw error.
"""

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from sqlalchemy import text

from app.bootstrap import init_store, open_workstation
from app.errors import HearthError, NotFound, StoreCorrupt, StoreWriteFailed
from tests.conftest import ADMIN_PASSWORD
from tests.kill_child import kill_mid_run

WRITER = Path(__file__).with_name("writer_process.py")
NURSE = ("nina", "nina pass 1")
PAGE = 4096  # SQLCipher's page size


def patient(pid: str, note_bytes: int = 0) -> dict:
    record = {"resourceType": "Patient", "id": pid, "name": [{"family": f"Fam {pid}"}]}
    if note_bytes:
        note = os.urandom(note_bytes // 2).hex()  # random, so it does not compress
        record["text"] = {"status": "generated", "div": f"<div>{note}</div>"}
    return record


def add_nurse(env, root: Path) -> None:
    admin = open_workstation(env, root, "admin", ADMIN_PASSWORD)
    admin.users.add(admin.session, NURSE[0], "Nina Nurse", "nurse", NURSE[1])
    admin.close()


def half_saved_writes(ws) -> list[str]:
    """Patients whose record, outbox entry and audit 'create' row did not commit together."""
    with ws.store.read() as conn:
        rows = conn.execute(text("""
            SELECT r.id,
              (SELECT count(*) FROM local_change c WHERE c.record = r.record),
              (SELECT count(*) FROM audit a WHERE a.action = 'create'
                                              AND a.entity = 'Patient/' || r.id)
            FROM resource r WHERE r.type = 'Patient'""")).all()
        orphans = conn.execute(text("""
            SELECT 'outbox row ' || seq FROM local_change
              WHERE record NOT IN (SELECT record FROM resource)
            UNION
            SELECT patient FROM audit WHERE action = 'create' AND entity LIKE 'Patient/%'
              AND patient NOT IN (SELECT id FROM resource WHERE type = 'Patient')""")).scalars()
        return ([f"{pid}: {outbox} outbox rows, {audits} audit rows"
                 for pid, outbox, audits in rows if (outbox, audits) != (1, 1)]
                + [f"{pid}: outbox or audit row without a record" for pid in orphans])


def stored_patient_ids(ws) -> set[str]:
    with ws.store.read() as conn:
        return set(conn.execute(text("SELECT id FROM resource WHERE type = 'Patient'")).scalars())


# --- 1. kill -9 mid-transaction ------------------------------------------------------

def run_writer_then_kill(keyring_env, root, run, at, point):
    """Start a writer; SIGKILL it once it says it is held at `point` of its `at`-th
    registration. Returns (ids it reported committed, id held, whether that one committed)."""
    args = [sys.executable, str(WRITER), str(root), *NURSE, run, "--hold", str(at), point]

    def held_there(printed: list[str]) -> bool:
        return printed[-1].split()[0] in ("open", "unreported")

    printed, err = kill_mid_run(args, keyring_env, held_there, 0, 30, "writer")
    lines = [line.split() for line in printed]
    held = next((w for w in lines if w[0] in ("open", "unreported")), None)
    assert held, f"writer never reached {point} of registration {at}:\n{err}"
    return [w[1] for w in lines if w[0] == "committed"], held[1], held[0] == "unreported"


# Where each writer is killed, said by the writer itself before the kill (never a guess by
# time): inside a registration's transaction, with its record written but not its outbox
# row, chart index row or audit row, or all of them but not the COMMIT; or after the
# COMMIT, before the writer could report it.
KILLS = [(1, "before-outbox"), (3, "before-chart-index"), (5, "before-audit"),
         (4, "before-commit"), (7, "before-commit"), (1, "after-commit"), (2, "after-commit")]


@pytest.mark.slow
def test_killed_writer_loses_nothing_it_saved_and_leaves_nothing_half_saved(
    admin, env, store_dir, keyring_session,
):
    add_nurse(env, store_dir)
    admin.close()  # the writer is the only process with the store open when it is killed
    saved: set[str] = set()
    for run, (at, point) in enumerate(KILLS):
        committed, held, held_committed = run_writer_then_kill(keyring_session, store_dir,
                                                               f"r{run}", at, point)
        saved |= set(committed) | ({held} if held_committed else set())

        auditor = open_workstation(env, store_dir, "admin", ADMIN_PASSWORD)
        verification = auditor.audit.verify(auditor.session)
        assert verification.intact, (point, verification.problems)
        assert half_saved_writes(auditor) == [], point
        # Everything reported is there, and the write committed before it could be
        # reported; the one killed inside its transaction is not, not even in part.
        assert stored_patient_ids(auditor) == saved, point
        auditor.close()

        nurse = open_workstation(env, store_dir, *NURSE)
        for pid in committed:
            assert nurse.patients.get(nurse.session, pid)["id"] == pid
        nurse.close()


# --- 2. disk full ----------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    """A 2 MiB tmpfs: a real file system that runs out of space."""
    if os.geteuid() != 0:
        pytest.skip("the full-disk test mounts a 2 MiB tmpfs, which needs root")
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    yield mount_point
    if subprocess.run(["umount", str(mount_point)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(mount_point)], check=True)


@pytest.fixture
def full_disk_store(env, small_disk):
    """A store on the small disk with 3 small patients, then filled by large ones until a
    write fails. Yields (root, admin and nurse workstations, saved ids, refused id, error)."""
    root = small_disk / "store"
    init_store(env, root, "admin", "Ada Admin", ADMIN_PASSWORD)
    add_nurse(env, root)
    admin = open_workstation(env, root, "admin", ADMIN_PASSWORD)
    nurse = open_workstation(env, root, *NURSE)
    saved = [nurse.patients.register(nurse.session, patient(f"small-{i}"))["id"]
             for i in range(3)]
    (small_disk / "filler").write_bytes(b"\0" * 1024 * 1024)  # freed again later
    refused, error = None, None
    for i in range(50):
        try:
            saved.append(nurse.patients.register(nurse.session,
                                                 patient(f"large-{i}", 100_000))["id"])
        except StoreWriteFailed as exc:
            refused, error = f"large-{i}", exc
            break
    assert error is not None, "50 large patients fitted on a 2 MiB disk"
    yield root, admin, nurse, saved, refused, error
    admin.store.close()
    nurse.store.close()


@pytest.mark.slow
def test_full_disk_refuses_the_change_and_keeps_everything_saved_before(env, full_disk_store):
    root, admin, nurse, saved, refused, error = full_disk_store
    assert "is full" in error.message and "The last change was not saved" in error.message
    admin.store.close()
    nurse.store.close()
    (root.parent / "filler").unlink()

    auditor = open_workstation(env, root, "admin", ADMIN_PASSWORD)
    assert auditor.audit.verify(auditor.session).intact
    assert half_saved_writes(auditor) == []
    assert stored_patient_ids(auditor) == set(saved)
    auditor.close()
    nurse = open_workstation(env, root, *NURSE)
    for pid in saved:
        assert nurse.patients.get(nurse.session, pid)["id"] == pid
    with pytest.raises(NotFound):
        nurse.patients.get(nurse.session, refused)
    nurse.close()


@pytest.mark.slow
def test_full_disk_while_saving_the_key_file_keeps_it_and_the_accounts_consistent(
    env, full_disk_store,
):
    # The failed large write left room in the WAL, so the next small database commit fits;
    # the key file's temporary copy, a new file, does not.
    root, admin, _nurse, *_ = full_disk_store
    keys_before = (root / "keys.json").read_bytes()
    with pytest.raises(StoreWriteFailed, match="keys.json.*previous version is unchanged"):
        admin.users.add(admin.session, "drlee", "Dr Lee", "physician", "drlee pass 1")
    assert (root / "keys.json").read_bytes() == keys_before
    assert orjson.loads(keys_before)["identities"].keys() == {"admin", NURSE[0]}
    assert not (root / ".keys.json.tmp").exists()

    # IT frees space and tries again: Dr Lee gets an account that opens.
    (root.parent / "filler").unlink()
    admin.users.add(admin.session, "drlee", "Dr Lee", "physician", "drlee pass 1")
    open_workstation(env, root, "drlee", "drlee pass 1").close()


# --- 3. damaged store file -------------------------------------------------------------

@pytest.fixture
def closed_store(admin, env, store_dir):
    """A closed store with 40 patients (about 75 pages): its database file and the page
    where each table starts."""
    add_nurse(env, store_dir)
    nurse = open_workstation(env, store_dir, *NURSE)
    for i in range(40):
        nurse.patients.register(nurse.session, patient(f"p-{i}", 1400))
    with nurse.store.read() as conn:
        root_pages = dict(conn.execute(text("SELECT name, rootpage FROM sqlite_master")).all())
    nurse.close()
    admin.close()
    assert not (store_dir / "hearth.db-wal").exists()  # everything is in hearth.db
    return store_dir / "hearth.db", root_pages


def flip_bytes(db: Path, *offsets: int) -> None:
    data = bytearray(db.read_bytes())
    for offset in offsets:
        data[offset:offset + 16] = bytes(b ^ 0xFF for b in data[offset:offset + 16])
    db.write_bytes(bytes(data))


def flip_middle_pages(db: Path, root_pages: dict) -> None:
    """Damage four pages in the middle of the patients' data: past every table's and
    index's first page (where schema changes put new ones), before the file's last pages."""
    middle = (max(root_pages.values()) + db.stat().st_size // PAGE) // 2
    flip_bytes(db, *(page * PAGE + 2000 for page in range(middle - 2, middle + 2)))


def assert_refused_as_damaged(env, db: Path) -> None:
    before = db.read_bytes()
    with pytest.raises(StoreCorrupt) as refused:
        open_workstation(env, db.parent, "admin", ADMIN_PASSWORD)
    assert str(db) in refused.value.message and "Nothing was changed" in refused.value.message
    assert db.read_bytes() == before


def outcome(action) -> Exception | None:
    try:
        action()
    except Exception as exc:  # the test reports whatever escapes, raw or not
        return exc
    return None


def test_store_file_cut_in_half_is_refused_at_sign_in(env, closed_store):
    db, _ = closed_store
    os.truncate(db, db.stat().st_size // 2)
    assert_refused_as_damaged(env, db)


def test_store_file_emptied_is_refused_not_rebuilt(env, closed_store):
    db, _ = closed_store
    os.truncate(db, 0)
    assert_refused_as_damaged(env, db)


def test_damaged_first_page_is_refused_at_sign_in(env, closed_store):
    db, _ = closed_store
    flip_bytes(db, 100)
    assert_refused_as_damaged(env, db)


def read_every_chart(nurse) -> list[str]:
    return ["ok" if exc is None else type(exc).__name__ for exc in (
        outcome(lambda i=i: nurse.patients.get(nurse.session, f"p-{i}")) for i in range(40))]


def test_damaged_pages_in_the_middle_show_as_damage_when_charts_are_read(env, closed_store):
    db, root_pages = closed_store
    flip_middle_pages(db, root_pages)
    nurse = open_workstation(env, db.parent, *NURSE)  # the damage is not where sign-in reads
    failures = []
    for i in range(40):
        if (exc := outcome(lambda i=i: nurse.patients.get(nurse.session, f"p-{i}"))) is not None:
            failures.append(exc)
    nurse.store.close()
    assert failures, "no chart read noticed the damaged pages"
    for exc in failures:
        assert isinstance(exc, StoreCorrupt), repr(exc)
        assert str(db) in exc.message and "Nothing was changed" in exc.message


def test_after_a_damaged_chart_the_others_still_open_and_sign_out_works(env, closed_store):
    db, root_pages = closed_store
    flip_middle_pages(db, root_pages)
    nurse = open_workstation(env, db.parent, *NURSE)
    first = read_every_chart(nurse)
    assert "ok" in first and "StoreCorrupt" in first
    again = read_every_chart(nurse)
    signed_out = outcome(nurse.close)
    nurse.store.close()
    assert again == first, "charts that opened before meeting the damaged one no longer open"
    assert signed_out is None or isinstance(signed_out, StoreCorrupt), repr(signed_out)


def test_damaged_search_index_page_is_reported_as_damage(env, closed_store):
    db, root_pages = closed_store
    flip_bytes(db, (root_pages["patient_search_config"] - 1) * PAGE + 2000)
    nurse = open_workstation(env, db.parent, *NURSE)
    registered = outcome(lambda: nurse.patients.register(nurse.session, patient("new")))
    nurse.store.close()
    assert isinstance(registered, HearthError), repr(registered)
    assert isinstance(registered, StoreCorrupt) and str(db) in registered.message


def test_store_check_finds_damage_that_sign_in_does_not(env, closed_store):
    db, root_pages = closed_store
    admin = open_workstation(env, db.parent, "admin", ADMIN_PASSWORD)
    assert admin.check_store() == []
    admin.close()
    flip_middle_pages(db, root_pages)
    admin = open_workstation(env, db.parent, "admin", ADMIN_PASSWORD)
    problems = admin.check_store()
    assert problems and "HMAC" in problems[0]
