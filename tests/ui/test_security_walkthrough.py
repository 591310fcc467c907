"""Issue 17's "Done when", tried as new users meet it, in the workstation window.

On workstation A, which has no sync server: the admin adds Dr Park in the Admin tab; she
signs in with the password he gave her, sets up her authenticator from the key the
enrolment shows, chooses her own password, and signs in again with a code. Nina the nurse
breaks the glass into Rosa Quiet's restricted chart. Only then is there a (real SEKMET)
server: A syncs, and workstation B pulls. On B, Audrey the auditor reviews the access in
the Emergency access section and finds it in the Audit trail by Rosa's name (written in
B's own trail when the grant arrived, app.clinical.access.arrived), and exports the CSV.
Rosa's record, exported by her physician, comes back into an empty store with nothing lost.

Setting up is done through the services (tests/sync/stations.py): A's physician, Dr Doc,
registered Rosa, saw her (so is on her care team) and restricted her chart.
"""

import csv

import pytest
from keyring.backends import SecretService

from app.bootstrap import Environment, init_store, open_workstation
from app.clinical.access.restricted import Restriction
from app.clinical.ehi.export import AUDIT_TRAIL, PatientExport
from app.clinical.ehi.reimport import EhiImport
from app.clinical.sync.local_only import NO_SERVER
from app.ui.admin.audit_rows import DETAIL
from fhir_common import fhir_json
from tests.clinical.ehi.test_reimport import stored
from tests.conftest import ADMIN_PASSWORD, password_of
from tests.sync.conftest import start_fhir_server
from tests.sync.stations import patient, sync, workstation
from tests.ui.security_walk import (
    MFA_POLICY,
    WAIT,
    add_user,
    break_glass,
    choose_password,
    enrol,
    give_code,
    next_code,
    open_from_search,
    opened_window,
    review,
    rows_of,
    sign_in,
    sign_out,
    trail_for,
    type_password,
)

A_ADMIN = "admin pass 12"  # tests.sync.stations' admin
COMPARTMENT = ("SELECT c.type, c.id FROM patient_compartment c JOIN resource r ON "
               "r.type = c.type AND r.id = c.id WHERE c.patient_id = ? AND r.deleted = 0")


@pytest.fixture
def env(keyring_session) -> Environment:
    backend = SecretService.Keyring()
    return Environment(keyring_backend=lambda: backend, policy=MFA_POLICY)


@pytest.fixture
def front(env, tmp_path):
    """Workstation A: Dr Doc signed in, Nina the nurse, Rosa Quiet's chart restricted."""
    doc = workstation(env, tmp_path / "a", "doc")
    admin = open_workstation(env, tmp_path / "a", "admin", A_ADMIN)
    admin.users.add(admin.session, "nina", "Nina Nurse", "nurse", password_of("nina"))
    admin.close()
    rosa = doc.patients.register(doc.session, patient("Quiet", "Rosa"))["id"]
    doc.encounters.start_visit(doc.session, rosa)
    Restriction(doc.store, doc.policy.access).set(doc.session, rosa, True)
    yield doc, rosa
    doc.close()


def a_physician_joins(qtbot, window) -> None:
    """The admin adds Dr Park; she enrols, chooses her password, signs in with a code."""
    sign_in(qtbot, window, "admin", A_ADMIN)
    status = add_user(qtbot, window, window.background, "drpark", "Dr Park", "physician",
                      "first pass 12")
    assert status == "to be changed at next sign-in"
    sign_out(qtbot, window, window.background)

    type_password(qtbot, window, "drpark", "first pass 12")
    secret = enrol(qtbot, window)  # the workstation opens only after the code
    choose_password(qtbot, window, "park's own pass 1")
    assert window.who.text() == "Dr Park (physician)"
    sign_out(qtbot, window, window.background)

    type_password(qtbot, window, "drpark", "park's own pass 1")
    give_code(qtbot, window, next_code(secret))
    assert window.who.text() == "Dr Park (physician)"
    sign_out(qtbot, window, window.background)


def test_security_done_when_tried_as_new_users_would(qtbot, env, front, tmp_path):
    doc, rosa = front
    window = opened_window(qtbot, env, tmp_path / "a")
    a_physician_joins(qtbot, window)

    sign_in(qtbot, window, "nina", password_of("nina"))
    qtbot.waitUntil(lambda: window.online.text().startswith(NO_SERVER), timeout=WAIT)
    chart = open_from_search(qtbot, window, "Quiet")
    title = break_glass(qtbot, chart, "Emergency care", "fell in the car park",
                        password_of("nina"))
    assert title.startswith("Quiet, Rosa")
    sign_out(qtbot, window, window.background)

    with start_fhir_server(tmp_path / "server") as server:  # the link returns
        sync(doc, server)
        bob = workstation(env, tmp_path / "b", "bob")
        admin = open_workstation(env, tmp_path / "b", "admin", A_ADMIN)
        admin.users.add(admin.session, "audrey", "Audrey Tor", "auditor", password_of("audrey"))
        admin.close()
        sync(bob, server)
        bob.close()

    other = opened_window(qtbot, env, tmp_path / "b")
    sign_in(qtbot, other, "audrey", password_of("audrey"))
    row, said = review(qtbot, other, "Fall in the car park confirmed with the charge nurse")
    assert [row[0], row[2], row[3]] == ["Awaiting review", "Nina Nurse (nina)", "Quiet, Rosa"]
    assert said == ("Nina Nurse (nina)'s access to Quiet, Rosa: reviewed. "
                    "No emergency access awaits review.")

    section = trail_for(qtbot, other, other.background, "Quiet")
    details = [r[DETAIL] for r in rows_of(section)]
    assert details[0].startswith("emergency access reviewed: Fall in the car park")
    [arrived] = [d for d in details if "on another workstation" in d]
    assert arrived.startswith(
        "emergency access on another workstation, received from the server: Nina Nurse "
        "(nina) broke the glass: Emergency care: fell in the car park; access until ")
    section.export(tmp_path / "trail.csv")
    qtbot.waitUntil(lambda: section.status.text().startswith("Wrote"), timeout=WAIT)
    with open(tmp_path / "trail.csv", newline="", encoding="utf-8") as out:
        exported = list(csv.DictReader(out))
    assert {r["patient name"] for r in exported} == {"Quiet, Rosa"}
    looked, *rows = [r["detail"] for r in exported]  # looking is itself in the trail
    assert looked.startswith("audit trail filtered patient='Quiet'") and rows == details
    other.close()
    window.close()

    exported_and_reimported(env, doc, rosa, tmp_path)


def exported_and_reimported(env, doc, rosa: str, tmp_path) -> None:
    """Rosa's record as an EHI Bundle, imported into an empty store: every record of her
    chart on A is there, to the letter."""
    PatientExport(doc.store).export(doc.session, rosa, tmp_path / "rosa.json")
    init_store(env, tmp_path / "c", "admin", "Ada Admin", ADMIN_PASSWORD)
    empty = open_workstation(env, tmp_path / "c", "admin", ADMIN_PASSWORD)
    try:
        EhiImport(empty.store).run(empty.session, tmp_path / "rosa.json")
        with empty.store.read() as conn:
            arrived = stored(conn)
    finally:
        empty.close()
    with doc.store.read() as conn:
        source = stored(conn)
        chart = set(conn.exec_driver_sql(COMPARTMENT, (rosa,)).all())
    sent = [e["resource"] for e in fhir_json.loads((tmp_path / "rosa.json").read_bytes())[
        "entry"] if AUDIT_TRAIL not in e["resource"].get("meta", {}).get("tag", [])]
    assert arrived == {(r["resourceType"], r["id"]): source[(r["resourceType"], r["id"])]
                       for r in sent}
    assert chart <= set(arrived)
    assert {kind for kind, _ in chart} >= {"Patient", "Encounter", "Task"}
