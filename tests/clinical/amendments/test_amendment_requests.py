"""A patient's request to amend their record, as a clinician and the patient meet it: an
accepted amendment is appended to the record (what it said before is kept), a denial keeps
the request and its reason with the record, and a mistake is a sentence that saves
nothing."""

import pytest

from app.bootstrap import open_workstation
from app.clinical.amendments.requests import Amendments
from app.errors import InvalidRecord, NotFound, PermissionDenied, UsageError
from app.store.resources import get_resource
from tests.clinical.amendments.amendment_ward import OTTO, build
from tests.clinical.chart.visit_ward import ROSA, VISIT
from tests.conftest import password_of


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    root = tmp_path_factory.mktemp("amendments") / "store"
    env = build(root)
    stations = {u: open_workstation(env, root, u, password_of(u)) for u in ("drlee", "nina")}
    yield stations
    for ws in stations.values():
        ws.store.close()


def asked(ws, record, words="My diabetes was diagnosed in 2019, not 2010."):
    return Amendments(ws.store).request(ws.session, ROSA, record, words)


def record(ws, kind, rid):
    with ws.store.read() as conn:
        return get_resource(conn, kind, rid)


def test_an_accepted_amendment_is_appended_to_the_problem(clinic):
    nurse, doctor = clinic["nina"], clinic["drlee"]
    before = record(doctor, "Condition", "rosa-diabetes")
    made = asked(nurse, "Condition/rosa-diabetes")
    assert made.status == "requested" and made.record_title == (
        f"Problem: {before['code']['text']}")
    done = Amendments(doctor.store).accept(doctor.session, made.id, "Checked the 2019 letter.")
    after = record(doctor, "Condition", "rosa-diabetes")
    assert after["note"][-1]["text"] == (f"Amendment at the patient's request ({made.id}): "
                                         "My diabetes was diagnosed in 2019, not 2010.")
    assert {k: v for k, v in after.items() if k not in ("note", "meta")} == {
        k: v for k, v in before.items() if k not in ("note", "meta")}
    assert done.status == "accepted" and done.appended == "Condition/rosa-diabetes"
    assert done.history[-1].startswith("Accepted: Checked the 2019 letter. — Dr Lee (drlee), ")


def test_an_accepted_amendment_to_a_note_is_an_addendum(clinic):
    doctor = clinic["drlee"]
    before = record(doctor, "DocumentReference", "rosa-note")
    made = asked(doctor, "DocumentReference/rosa-note", "I said two tablets, not one.")
    done = Amendments(doctor.store).accept(doctor.session, made.id)
    kind, _, addendum_id = done.appended.partition("/")
    addendum = record(doctor, kind, addendum_id)
    assert addendum["relatesTo"][0]["target"]["reference"] == "DocumentReference/rosa-note"
    assert addendum["authenticator"]["display"] == "Dr Lee"
    assert record(doctor, "DocumentReference", "rosa-note") == before


def test_a_visit_keeps_the_accepted_request_as_its_amendment(clinic):
    doctor = clinic["drlee"]
    made = asked(doctor, f"Encounter/{VISIT}", "My husband came with me to this visit.")
    assert Amendments(doctor.store).accept(doctor.session, made.id).appended == (
        f"Task/{made.id}")


def test_a_denial_keeps_the_request_and_its_reason_with_the_record(clinic):
    doctor = clinic["drlee"]
    before = record(doctor, "Condition", "rosa-anaemia")
    made = asked(doctor, "Condition/rosa-anaemia", "I never had anaemia.")
    Amendments(doctor.store).deny(doctor.session, made.id, "Three blood counts show it.")
    shown = next(a for a in Amendments(doctor.store).of_patient(doctor.session, ROSA)
                 if a.id == made.id)
    assert (shown.status, shown.text, shown.reason, shown.record) == (
        "denied", "I never had anaemia.", "Three blood counts show it.", "Condition/rosa-anaemia")
    assert record(doctor, "Condition", "rosa-anaemia") == before


def test_a_decision_is_not_changed_and_a_nurse_cannot_decide(clinic):
    nurse, doctor = clinic["nina"], clinic["drlee"]
    made = asked(nurse, "Condition/rosa-diabetes", "Wrong year.")
    with pytest.raises(PermissionDenied):
        Amendments(nurse.store).accept(nurse.session, made.id)
    Amendments(doctor.store).deny(doctor.session, made.id, "The year is right.")
    with pytest.raises(InvalidRecord, match=f"request {made.id} was already denied"):
        Amendments(doctor.store).accept(doctor.session, made.id)


@pytest.mark.parametrize(("record_named", "words", "error", "said"), [
    ("Condition/rosa-diabetes", "  ", UsageError,
     "The amendment request has no text: write what the patient asks to be changed"),
    ("rosa-diabetes", "Wrong.", UsageError, "'rosa-diabetes' does not name a record: give "
                                            "it as TYPE/ID"),
    ("Condition/nothing", "Wrong.", NotFound, "There is no Condition/nothing in Ruiz, Rosa's "
                                              "chart: name a record of this patient."),
    ("Condition/otto-gout", "Wrong.", NotFound, "There is no Condition/otto-gout in Ruiz"),
])
def test_a_bad_request_is_a_sentence_and_saves_nothing(clinic, record_named, words, error,
                                                        said):
    doctor = clinic["drlee"]
    count = len(Amendments(doctor.store).of_patient(doctor.session, ROSA))
    with pytest.raises(error, match=said):
        asked(doctor, record_named, words)
    assert len(Amendments(doctor.store).of_patient(doctor.session, ROSA)) == count


def test_a_denial_without_a_reason_is_a_sentence(clinic):
    doctor = clinic["drlee"]
    made = asked(doctor, "Condition/rosa-diabetes", "Wrong year.")
    with pytest.raises(UsageError, match="A denial needs its reason: the patient must be told"):
        Amendments(doctor.store).deny(doctor.session, made.id, " ")
    assert Amendments(doctor.store).accept(doctor.session, made.id).status == "accepted"


def test_an_unknown_request_and_another_patients_list(clinic):
    doctor = clinic["drlee"]
    with pytest.raises(NotFound, match="There is no amendment request task-9."):
        Amendments(doctor.store).deny(doctor.session, "task-9", "No.")
    assert Amendments(doctor.store).of_patient(doctor.session, OTTO) == []
