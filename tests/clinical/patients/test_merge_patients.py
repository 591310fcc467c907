"""Merging two records of one person: the chart moves, nothing is lost, it is undone while
the server has seen none of it, and a merge that makes no sense is refused with a sentence."""

import pytest
from sqlalchemy import text

from app.clinical.notes.notes import Notes
from app.clinical.patients.merge import PatientMerge
from app.clinical.patients.merge_fields import carried_over
from app.clinical.records import Records
from app.errors import InvalidRecord, NotFound, PermissionDenied, UsageError
from app.security.roles import Permission
from fhir_common import fhir_json
from tests.conftest import password_of, sign_in
from tests.sync.stations import patient


@pytest.fixture
def doctor(admin, env, store_dir):
    return sign_in(admin, env, store_dir, "drlee", "physician")


@pytest.fixture
def pair(doctor):
    """Ann registered twice: the record kept, and a duplicate with its own MRN, a phone,
    an older spelling of her name, blood pressure, a problem and a signed note."""
    keep = doctor.patients.register(doctor.session, patient(
        "Okafor", identifier=[{"system": "urn:mrn", "value": "MRN-1"}]))["id"]
    other = doctor.patients.register(doctor.session, patient(
        "Okafur", identifier=[{"system": "urn:mrn", "value": "MRN-2"}],
        telecom=[{"system": "phone", "value": "555-0142"}], gender="female"))["id"]
    doctor.vitals.record(doctor.session, other, {"systolic": "150", "diastolic": "95"})
    doctor.problems.add(doctor.session, other, "I10")
    notes = Notes(doctor.store, doctor.policy, doctor.changes)
    draft = notes.start_draft(doctor.session, other, "progress")
    notes.save_draft(doctor.session, draft.id, "Headache for two days; BP 150/95.")
    notes.sign(doctor.session, draft.id, password_of("drlee"))
    return keep, other


def merger(ws) -> PatientMerge:
    return PatientMerge(ws.store, ws.changes)


def test_the_duplicates_chart_shows_under_the_patient_kept(doctor, pair):
    keep, other = pair

    result = merger(doctor).merge(doctor.session, keep, other)

    moved = doctor.chart.summary(doctor.session, keep)
    assert (moved.counts["vitals"], moved.counts["problems"], moved.counts["notes"]) == (1, 1, 1)
    assert sum(doctor.chart.summary(doctor.session, other).counts.values()) == 0
    assert result.moved == {"Condition": 1, "DocumentReference": 1, "Observation": 1}
    merged_away = doctor.patients.get(doctor.session, other)
    assert merged_away["active"] is False
    assert merged_away["link"] == [{"other": {"reference": f"Patient/{keep}"},
                                    "type": "replaced-by"}]
    kept = doctor.patients.get(doctor.session, keep)
    assert kept["link"] == [{"other": {"reference": f"Patient/{other}"}, "type": "replaces"}]
    assert {"system": "urn:mrn", "value": "MRN-2", "use": "old"} in kept["identifier"]
    assert {"system": "phone", "value": "555-0142"} in kept["telecom"]
    assert kept["gender"] == "female"
    assert set(result.carried) == {"identifier MRN-2 (old)", "contact phone 555-0142",
                                   "name Okafur, Ann (old)", "sex female"}


def test_search_finds_the_kept_patient_by_the_duplicates_mrn_and_name_only(doctor, pair):
    keep, other = pair

    merger(doctor).merge(doctor.session, keep, other)

    assert [hit.patient_id for hit in doctor.search.search(doctor.session, "MRN-2")] == [keep]
    assert [hit.patient_id for hit in doctor.search.search(doctor.session, "okafur")] == [keep]


def test_each_moved_record_is_a_new_version_queued_and_one_merge_audited_per_chart(doctor,
                                                                                  pair):
    keep, other = pair
    before = queued(doctor)

    result = merger(doctor).merge(doctor.session, keep, other)

    assert queued(doctor) - before == 5  # both patients and the three moved records
    with doctor.store.read() as conn:
        rows = conn.execute(text("SELECT patient, detail FROM audit WHERE detail LIKE "
                                 "'merge %' ORDER BY seq")).all()
    assert [patient for patient, _ in rows] == [keep, other]
    assert f"merge {result.merge_id}: Patient/{other} (Okafur, Ann) merged into " \
           f"Patient/{keep} (Okafor, Ann); 3 records re-pointed" in rows[0][1]


def test_undo_before_sync_gives_each_record_back_its_place(doctor, pair):
    keep, other = pair
    tool = merger(doctor)
    merged = tool.merge(doctor.session, keep, other)

    undone = tool.undo(doctor.session, merged.merge_id)

    assert undone.restored == 5
    assert doctor.chart.summary(doctor.session, other).counts["notes"] == 1
    assert sum(doctor.chart.summary(doctor.session, keep).counts.values()) == 0
    assert "active" not in doctor.patients.get(doctor.session, other)
    assert "link" not in doctor.patients.get(doctor.session, keep)
    assert [h.patient_id for h in doctor.search.search(doctor.session, "MRN-2")] == [other]
    with pytest.raises(InvalidRecord, match="already undone"):
        tool.undo(doctor.session, merged.merge_id)


def test_undo_keeps_an_edit_made_after_the_merge(doctor, pair):
    keep, other = pair
    tool = merger(doctor)
    merged = tool.merge(doctor.session, keep, other)
    kept = doctor.patients.get(doctor.session, keep)
    doctor.patients.update(doctor.session, {**kept, "birthDate": "1980-03-15"}, kept)

    tool.undo(doctor.session, merged.merge_id)

    kept = doctor.patients.get(doctor.session, keep)
    assert (kept["birthDate"], "link" in kept) == ("1980-03-15", False)


@pytest.mark.parametrize("case, error, sentence", [
    ("itself", UsageError, "cannot be merged into itself"),
    ("unknown", NotFound, "There is no patient nobody-here to merge"),
    ("not a patient", UsageError, "is a Condition, not a patient"),
    ("merged away", UsageError, "was itself merged into Patient"),
])
def test_a_merge_that_makes_no_sense_is_refused_with_a_sentence(doctor, pair, case, error,
                                                                 sentence):
    keep, other = pair
    tool = merger(doctor)
    third = doctor.patients.register(doctor.session, patient("Okafor", "Anne"))["id"]
    condition = doctor.chart.section(doctor.session, other, "problems").items[0].id
    if case == "merged away":
        tool.merge(doctor.session, keep, other)
    keep_id, other_id = {"itself": (keep, keep), "unknown": (keep, "nobody-here"),
                         "not a patient": (keep, condition),
                         "merged away": (other, third)}[case]
    before = queued(doctor)

    with pytest.raises(error, match=sentence):
        tool.merge(doctor.session, keep_id, other_id)

    assert queued(doctor) == before


def test_billing_may_not_merge(admin, env, store_dir, pair):
    keep, other = pair
    billing = sign_in(admin, env, store_dir, "bill", "billing")

    with pytest.raises(PermissionDenied, match="register and edit patients"):
        merger(billing).merge(billing.session, keep, other)


def queued(ws) -> int:
    with ws.store.read() as conn:
        return conn.execute(text("SELECT count(*) FROM local_change")).scalar_one()


def test_a_moved_signed_note_keeps_its_text_and_the_mark_allows_nothing_else(doctor, pair):
    keep, other = pair
    merger(doctor).merge(doctor.session, keep, other)
    [item] = doctor.chart.section(doctor.session, keep, "notes").items
    with doctor.store.read() as conn:
        note = fhir_json.loads(conn.execute(text(
            "SELECT json FROM resource WHERE id = :id"), {"id": item.id}).scalar_one())
    assert (note["subject"]["reference"], note["docStatus"]) == (f"Patient/{keep}", "final")

    rewritten = {**note, "description": "a different note"}
    with pytest.raises(InvalidRecord, match="cannot be changed"), Records(doctor.store).write(
            doctor.session, Permission.WRITE_NOTES) as work:
        work.save(rewritten, "update")


def test_what_both_records_hold_differently_stays_as_kept_and_is_named(doctor):
    keep = doctor.patients.register(doctor.session, patient("Okafor", gender="male"))["id"]
    other = doctor.patients.register(doctor.session, patient("Okafor", gender="female"))["id"]

    result = merger(doctor).merge(doctor.session, keep, other)

    assert result.differs == ("sex: male kept, female not",)
    assert doctor.patients.get(doctor.session, keep)["gender"] == "male"
    assert doctor.patients.get(doctor.session, other)["gender"] == "female"


def test_what_is_carried_over_is_said_in_a_clerks_words():
    keep = {"resourceType": "Patient", "id": "k", "name": [{"family": "Mensah"}]}
    other = {"resourceType": "Patient", "id": "o", "multipleBirthBoolean": False,
             "communication": [{"language": {"coding": [{"code": "fr", "display": "French"}]}}],
             "contact": [{"name": {"text": "Kofi Mensah"}}], "deceasedBoolean": False}
    _, carried, _ = carried_over(keep, other)
    assert set(carried) == {"multiple birth no", "language French",
                            "contact person Kofi Mensah", "deceased no"}
