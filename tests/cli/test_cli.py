"""The `hearth` command line as an IT admin meets it: real processes, a real store on disk and
the private GNOME Keyring of tests/conftest.py. Each test checks what a person or a script
sees: the exit code, the one line on stderr, the data on stdout."""

import csv
import io
import json
import os
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from keyring.backends import SecretService

from app.bootstrap import init_store, open_workstation
from tests.conftest import ADMIN_PASSWORD

NURSE_PASSWORD = "nurse pass 1"
NOT_GIVEN = "http://example.org/fhir/StructureDefinition/not-given"
UNCONFIRMED = "http://example.org/fhir/StructureDefinition/identity-unconfirmed"
WARNING = f"This record carries a modifier Hearth does not understand: {NOT_GIVEN}."
PATIENT_WARNING = f"This record carries a modifier Hearth does not understand: {UNCONFIRMED}."
CSV_HEADER = "seq,at,user,role,action,outcome,patient,entity,detail"


@pytest.fixture
def store(store_dir) -> Path:
    return store_dir


@pytest.fixture
def hearth(keyring_session, policy_file, store):
    """hearth(*args, password=, new_password=, stdin=, env=) -> CompletedProcess. The test
    policy is the system policy (HEARTH_SYSTEM_POLICY); hearth.argv and hearth.env are there
    for a test that needs the process while it runs."""
    base = {k: v for k, v in keyring_session.items()
            if k not in ("HEARTH_PASSWORD", "HEARTH_NEW_PASSWORD", "HEARTH_USER",
                         "HEARTH_STORE", "HEARTH_RECOVERY_KEY")}
    base["HEARTH_SYSTEM_POLICY"] = str(policy_file)

    def run(*args, password=None, new_password=None, stdin=None, env=None,
            stdout=subprocess.PIPE):
        env = {**base, **(env or {})}
        if password is not None:
            env["HEARTH_PASSWORD"] = password
        if new_password is not None:
            env["HEARTH_NEW_PASSWORD"] = new_password
        return subprocess.run(
            run.argv(*args), input=stdin or "", stdout=stdout, stderr=subprocess.PIPE,
            text=True, env=env, timeout=60)

    run.argv = lambda *args: [sys.executable, "-m", "app", "--store", str(store), *args]
    run.env = base
    return run


@pytest.fixture
def clinic(hearth, env, store):
    """A store with admin 'admin' and nurse 'nina', set up in-process (the CLI's own init and
    user add are tested below); returns the `hearth` runner."""
    init_store(env, store, "admin", "Ada Admin", ADMIN_PASSWORD)
    ws = open_workstation(env, store, "admin", ADMIN_PASSWORD)
    ws.users.add(ws.session, "nina", "Nina Nurse", "nurse", NURSE_PASSWORD)
    ws.close()
    return hearth


@pytest.fixture
def ana(clinic, env, store, tmp_path):
    """The clinic's store holding Ana Testa, whose record number is untyped (an SSN typed SS
    comes first); her record and her naproxen order carry modifier extensions."""
    patient = {"resourceType": "Patient", "id": "ana", "name": [{"family": "Testa",
                                                                 "given": ["Ana"]}],
               "identifier": [{"type": {"coding": [{"code": "SS"}]}, "value": "999-12-3456"},
                              {"system": "urn:oid:1.2.3", "value": "A-1001"}],
               "modifierExtension": [{"url": UNCONFIRMED, "valueBoolean": True}]}
    order = {"resourceType": "MedicationRequest", "id": "naproxen", "status": "active",
             "intent": "order", "subject": {"reference": "Patient/ana"},
             "medicationCodeableConcept": {"text": "Naproxen 220 mg"},
             "modifierExtension": [{"url": NOT_GIVEN, "valueBoolean": True}]}
    bundle = tmp_path / "ana.json"
    bundle.write_text(json.dumps({"resourceType": "Bundle", "type": "collection",
                                  "entry": [{"resource": patient}, {"resource": order}]}))
    ws = open_workstation(env, store, "admin", ADMIN_PASSWORD)
    assert ws.importer.run(ws.session, [bundle]).skipped == 0
    ws.close()
    return clinic


@pytest.fixture
def new_computer(clinic, env, store) -> str:
    """The clinic's store with a recovery key, on a computer whose keyring lacks its device
    secret; returns the recovery key."""
    ws = open_workstation(env, store, "admin", ADMIN_PASSWORD)
    key = ws.create_recovery_key()
    ws.close()
    store_id = json.loads((store / "keys.json").read_text())["store_id"]
    SecretService.Keyring().delete_password("Hearth store device secret", store_id)
    return key


def ok(result) -> subprocess.CompletedProcess:
    assert result.returncode == 0, result.stderr
    return result


def refused(result, code: int | None, *phrases: str) -> str:
    """An error: the exit code (None: any non-zero), one stderr line naming each phrase."""
    assert result.returncode != 0, result.stdout
    if code is not None:
        assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    for phrase in phrases:
        assert phrase in lines[0], lines[0]
    return lines[0]


def as_admin(hearth, *args, password=ADMIN_PASSWORD, **kw):
    return hearth("--user", "admin", *args, password=password, **kw)


def rows(result) -> list[dict]:
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_version_prints_the_installed_version(hearth):
    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    assert ok(hearth("--version")).stdout == f"hearth {project['project']['version']}\n"


def test_init_creates_a_store_and_a_second_init_is_refused(hearth, store):
    out = ok(hearth("init", "--admin", "admin", "--json", password=ADMIN_PASSWORD)).stdout
    created = json.loads(out)
    assert created["admin"] == "admin" and created["store"] == str(store)
    assert json.loads((store / "keys.json").read_text())["store_id"] == created["store_id"]
    before = {p.name: p.read_bytes() for p in store.iterdir() if p.is_file()}
    again = hearth("init", "--admin", "eve", password="another password")
    refused(again, None, "already exists", str(store))
    assert {p.name: p.read_bytes() for p in store.iterdir() if p.is_file()} == before
    ok(as_admin(hearth, "user", "list"))


def test_admin_adds_users_and_lists_them_with_roles(clinic):
    out = ok(as_admin(clinic, "user", "add", "drlee", "--role", "physician",
                      new_password="doctor pass 1")).stdout
    assert "Added physician 'drlee'" in out
    listing = ok(as_admin(clinic, "user", "list")).stdout.splitlines()
    assert listing[0].split() == ["USER", "ROLE", "STATUS", "FULL", "NAME"]
    assert [line.split()[:3] for line in listing[1:]] == [
        ["admin", "admin", "active"], ["drlee", "physician", "active"],
        ["nina", "nurse", "active"]]
    users = json.loads(ok(as_admin(clinic, "user", "list", "--json")).stdout)
    assert {u["name"]: (u["role"], u["full_name"], u["locked"]) for u in users} == {
        "admin": ("admin", "Ada Admin", False), "drlee": ("physician", "drlee", False),
        "nina": ("nurse", "Nina Nurse", False)}


def test_a_nurse_may_not_manage_user_accounts(clinic):
    result = clinic("--user", "nina", "user", "list", password=NURSE_PASSWORD)
    refused(result, 4, "may not manage user accounts", "nina")
    assert result.stdout == ""


def test_password_stdin_reads_acting_then_new_password(clinic):
    added = clinic("--password-stdin", "--user", "admin", "user", "add", "bob", "--role",
                   "billing", stdin=f"{ADMIN_PASSWORD}\nbilling pass 1\n")
    assert "Added billing 'bob'" in ok(added).stdout
    refused(clinic("--password-stdin", "--user", "bob", "user", "list",
                   stdin="billing pass 1\n"), 4, "may not manage user accounts")


def test_user_changes_own_password(clinic):
    new = "nurse pass 2"
    out = ok(clinic("--user", "nina", "user", "passwd", "nina", password=NURSE_PASSWORD,
                    new_password=new)).stdout
    assert "Changed the password of 'nina'" in out
    refused(clinic("--user", "nina", "user", "list", password=NURSE_PASSWORD), 3,
            "Wrong password for 'nina'")
    refused(clinic("--user", "nina", "user", "list", password=new), 4, "may not manage")


def test_admin_resets_another_users_password(clinic):
    ok(as_admin(clinic, "user", "passwd", "nina", new_password="reset by admin"))
    refused(clinic("--user", "nina", "user", "list", password=NURSE_PASSWORD), 3,
            "Wrong password")
    refused(clinic("--user", "nina", "user", "list", password="reset by admin"), 4,
            "may not manage")


def test_admin_lock_refuses_login_until_unlock(clinic):
    assert "Locked 'nina'" in ok(as_admin(clinic, "user", "lock", "nina")).stdout
    refused(clinic("--user", "nina", "user", "list", password=NURSE_PASSWORD), 3,
            "locked by an admin")
    assert "locked by admin" in ok(as_admin(clinic, "user", "list")).stdout
    ok(as_admin(clinic, "user", "unlock", "nina"))
    refused(clinic("--user", "nina", "user", "list", password=NURSE_PASSWORD), 4,
            "may not manage")


def test_repeated_wrong_passwords_lock_the_account_until_an_admin_unlocks(clinic):
    for left in ("2 more failed attempts", "1 more failed attempt "):
        refused(clinic("--user", "nina", "user", "list", password="guess guess"), 3, left)
    line = refused(clinic("--user", "nina", "user", "list", password="guess guess"), 3,
                   "After 3 failed logins")
    assert "locked until" in line
    refused(clinic("--user", "nina", "user", "list", password=NURSE_PASSWORD), 3,
            "locked after 3 failed logins until", "hearth user unlock nina")
    assert "locked out until" in ok(as_admin(clinic, "user", "list")).stdout
    ok(as_admin(clinic, "user", "unlock", "nina"))
    refused(clinic("--user", "nina", "user", "list", password=NURSE_PASSWORD), 4,
            "may not manage")


def test_refused_logins_and_missing_input(clinic):
    refused(clinic("--user", "admin", "user", "list", password="not it at all"), 3,
            "Wrong password for 'admin'", "2 more failed attempts")
    refused(clinic("--user", "nobody", "user", "list", password="whatever1"), 3,
            "no user named 'nobody'")
    refused(clinic("user", "list", password=ADMIN_PASSWORD), 2, "--user NAME", "HEARTH_USER")


def test_no_store_at_the_path_says_how_to_create_one(hearth, store):
    line = refused(as_admin(hearth, "user", "list"), None, "No Hearth store", "hearth init")
    assert str(store) in line
    assert not store.exists()


def test_audit_verify_intact_text_and_json(clinic):
    out = ok(as_admin(clinic, "audit", "verify")).stdout
    assert out.startswith("Audit trail intact:") and "hash chain verified" in out
    verified = json.loads(ok(as_admin(clinic, "audit", "verify", "--json")).stdout)
    assert verified["intact"] is True and verified["problems"] == []
    assert verified["rows"] > 4


def test_audit_export_csv_sorted_and_filtered(clinic):
    refused(clinic("--user", "nina", "user", "list", password=NURSE_PASSWORD), 4)
    by_time = ok(as_admin(clinic, "audit", "export"))
    assert by_time.stdout.splitlines()[0] == CSV_HEADER
    trail = rows(by_time)
    assert [int(r["seq"]) for r in trail] == sorted(int(r["seq"]) for r in trail)
    assert [r["at"] for r in trail] == sorted(r["at"] for r in trail)
    assert {"admin", "nina"} <= {r["user"] for r in trail}
    by_user = rows(ok(as_admin(clinic, "audit", "export", "--sort", "user")))
    assert [r["user"] for r in by_user] == sorted(r["user"] for r in by_user)
    assert [r["user"] for r in by_user] != [r["user"] for r in trail]
    ninas = rows(ok(as_admin(clinic, "audit", "export", "--by", "nina")))
    assert ninas and {r["user"] for r in ninas} == {"nina"}
    assert {r["action"] for r in ninas} >= {"login", "logout"}


def test_audit_export_to_a_file_and_the_export_is_audited(clinic, tmp_path):
    target = tmp_path / "audit.csv"
    result = ok(as_admin(clinic, "audit", "export", "--output", str(target)))
    assert result.stdout == "" and f"audit rows to {target}" in result.stderr
    assert target.read_text().splitlines()[0] == CSV_HEADER
    later = rows(ok(as_admin(clinic, "audit", "export")))
    exports = [r for r in later if r["action"] == "export"]
    assert len(exports) == 1 and exports[0]["user"] == "admin"
    assert exports[0]["outcome"] == "success" and "rows as CSV" in exports[0]["detail"]


def test_recovery_key_resets_a_forgotten_admin_password(clinic):
    key = json.loads(ok(as_admin(clinic, "recovery-key", "--json")).stdout)["recovery_key"]
    new = "recovered admin pass"
    out = ok(clinic("--password-stdin", "recover", "--user", "admin",
                    stdin=f"{key}\n{new}\n")).stdout
    assert "Set a new password for 'admin'" in out and "enrolled" not in out
    refused(as_admin(clinic, "user", "list"), 3, "Wrong password for 'admin'")
    ok(as_admin(clinic, "user", "list", password=new))
    wrong = "-".join(reversed(key.split("-")))
    refused(clinic("--password-stdin", "recover", "--user", "admin",
                   stdin=f"{wrong}\n{new}\n"), 3, "recovery key does not open")


def test_recover_on_a_new_computer_reenrols_and_names_the_other_users(clinic, new_computer):
    refused(as_admin(clinic, "user", "list"), 5, "keyring holds no device secret",
            "hearth recover --user")
    new = "new computer pass"
    out = ok(clinic("recover", "--user", "admin", env={"HEARTH_RECOVERY_KEY": new_computer},
                    new_password=new)).stdout
    assert "enrolled for the store with a new device secret" in out
    assert "need a new password from an admin" in out and "nina" in out
    assert "nina" in ok(as_admin(clinic, "user", "list", password=new)).stdout
    ok(as_admin(clinic, "user", "passwd", "nina", password=new, new_password="nina again 1"))
    refused(clinic("--user", "nina", "user", "list", password="nina again 1"), 4)


def test_users_dropped_by_reenrolment_are_told_to_ask_an_admin(clinic, new_computer):
    ok(clinic("recover", "--user", "admin", env={"HEARTH_RECOVERY_KEY": new_computer},
              new_password="new computer pass"))
    line = refused(clinic("--user", "nina", "user", "list", password=NURSE_PASSWORD), 3)
    assert "no user named" not in line and "admin" in line, line


def test_no_os_keyring_is_a_clear_error(clinic, tmp_path):
    dead = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent"}
    line = refused(as_admin(clinic, "user", "list", env=dead), 5, "keyring", "gnome-keyring")
    assert "plain file" in line
    fresh = tmp_path / "fresh"
    refused(clinic("--store", str(fresh), "init", "--admin", "ada", env=dead,
                   password=ADMIN_PASSWORD), 5, "gnome-keyring")
    assert not fresh.exists()


def test_a_bad_policy_file_names_the_unknown_key(hearth, tmp_path, policy_file):
    bad = tmp_path / "bad-policy.json"
    bad.write_text(json.dumps({**json.loads(policy_file.read_text()), "max_logins": 3}))
    result = hearth("--policy", str(bad), "init", "--admin", "admin", password=ADMIN_PASSWORD)
    refused(result, 2, f"{bad} line 1: max_logins: not a setting Hearth knows")
    assert result.stdout == ""


def test_no_command_opens_the_workstation_or_says_how_to_make_a_store(hearth, store):
    done = hearth()
    assert done.returncode == 5
    assert done.stderr.startswith(f"hearth: No store: No Hearth store at {store}.")
    assert "hearth init --admin NAME; or try the demo clinic: hearth demo" in done.stderr


def as_nurse(hearth, *args, **kw):
    return hearth("--user", "nina", *args, password=NURSE_PASSWORD, **kw)


def test_chart_and_search_show_the_same_mrn(ana):
    found = ok(as_nurse(ana, "search", "testa")).stdout
    assert "MRN A-1001 " in found
    assert "MRN A-1001  |" in ok(as_nurse(ana, "chart", "ana")).stdout


def test_chart_search_text_and_json_flag_modifiers_hearth_does_not_understand(ana):
    text = ok(as_nurse(ana, "chart", "ana")).stdout
    assert text.splitlines()[1] == f"WARNING: {PATIENT_WARNING}"
    assert f"Naproxen 220 mg\n      WARNING: {WARNING}" in text
    assert f"\n    WARNING: {PATIENT_WARNING}" in ok(as_nurse(ana, "search", "testa")).stdout
    summary = json.loads(ok(as_nurse(ana, "chart", "ana", "--json")).stdout)
    assert summary["patient_warning"] == PATIENT_WARNING
    assert [m["warning"] for m in summary["active_medications"]] == [WARNING]
    page = json.loads(ok(as_nurse(ana, "chart", "ana", "--section", "medications",
                                  "--json")).stdout)
    assert [m["warning"] for m in page["items"]] == [WARNING]


def test_output_into_a_reader_that_stopped_reading_ends_quietly(clinic):
    reader, writer = os.pipe()
    os.close(reader)  # as `| head` does once it has the lines it wanted
    try:
        result = as_admin(clinic, "user", "list", stdout=writer)
    finally:
        os.close(writer)
    assert (result.returncode, result.stderr) == (141, "")


def test_a_password_from_the_environment_is_wiped_from_proc_environ(clinic):
    """While `hearth` waits for the new password on stdin, its environment as other
    processes of the user see it no longer holds the acting password."""
    env = {**clinic.env, "HEARTH_PASSWORD": ADMIN_PASSWORD}
    process = subprocess.Popen(
        clinic.argv("--password-stdin", "--user", "admin", "user", "passwd", "nina"),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        deadline = time.monotonic() + 20
        environ = Path(f"/proc/{process.pid}/environ")
        while ADMIN_PASSWORD.encode() in environ.read_bytes() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ADMIN_PASSWORD.encode() not in environ.read_bytes()
        out, err = process.communicate(b"nurse pass 2\n", timeout=60)
    finally:
        process.kill()
    assert (process.returncode, err) == (0, b""), err
    assert b"Changed the password of 'nina'" in out


def test_a_damaged_store_is_one_line_on_stderr(clinic, store):
    """SQLCipher's own "ERROR CORE ... hmac check failed" lines are not shown."""
    db = store / "hearth.db"
    data = bytearray(db.read_bytes())
    data[2000:2016] = bytes(b ^ 0xFF for b in data[2000:2016])  # inside the first page
    db.write_bytes(bytes(data))
    line = refused(as_admin(clinic, "user", "list"), 5, "hearth: Store damaged: The store file")
    assert "ERROR CORE" not in line


@pytest.mark.parametrize("args, sentence", [
    (("search", "ana", "--limit", "9223372036854775808"),
     "argument --limit: 9223372036854775808 is out of range: give a whole number from 1 to "
     "1,000 (see hearth search --help)."),
    (("conflicts", "show", str(2**70)),
     f"argument ID: {2**70} is out of range: give a whole number from 1 to "
     "9,223,372,036,854,775,807 (see hearth conflicts show --help)."),
    (("chart", "ana", "--section", "labs", "--page", str(2**70)), "argument --page: "),
    (("chart", "ana", "--page-size", "0"), "argument --page-size: 0 is out of range"),
    (("search", "ana", "--limit", "ten"), "argument --limit: 'ten' is not a whole number"),
])
def test_numbers_out_of_range_are_a_sentence(clinic, args, sentence):
    result = as_admin(clinic, *args)
    assert refused(result, 2, sentence).startswith("hearth: Missing or invalid input: ")
