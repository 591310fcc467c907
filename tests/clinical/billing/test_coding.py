"""Visit coding: a finished visit becomes its one draft FHIR Claim, written as the billing
contract says; proposals come from the visit's problems first; unsigned notes, missing
diagnoses, pointers or provider keep it from being ready to bill, each with a sentence."""

import pytest

from app.bootstrap import open_workstation
from app.clinical.billing.coding import Coding, Line, VisitCoding
from app.clinical.patients.registration import Insurance, NewPatient, Registration
from app.clinical.records import Records
from app.security.roles import Permission
from tests.conftest import new_store, password_of

USERS = {"doc": ("Dr Lee", "physician"), "pat": ("Dr Patel", "physician"),
         "bill": ("Bea Biller", "billing"), "nina": ("Nina Park", "nurse")}


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    """Signed-in workstations by user name, plus Ann (insured, with active problems E11.9
    then I10) and Bob (no insurance)."""
    root = tmp_path_factory.mktemp("coding") / "store"
    env, _ = new_store(root, USERS)
    ws = {user: open_workstation(env, root, user, password_of(user)) for user in USERS}
    doc = ws["doc"]
    ann, bob = ann_and_bob(doc)
    doc.problems.add(doc.session, ann, "E11.9")
    doc.problems.add(doc.session, ann, "I10")
    yield ws, ann, bob
    for station in ws.values():
        station.store.close()


def ann_and_bob(doc) -> tuple[str, str]:
    """Ann (insured: Acme Health, member ACM-123, group G7) and Bob (no insurance),
    registered by `doc`'s workstation: their ids."""
    registration = Registration(doc.store, doc.policy.registration)
    ann = registration.register(doc.session, NewPatient(
        "Okafor", "Ann", "1960-05-01", "female",
        insurance=Insurance("Acme Health", "ACM-123", "G7"))).patient["id"]
    bob = registration.register(doc.session, NewPatient(
        "Brown", "Bob", "1971-02-03", "male")).patient["id"]
    return ann, bob


def finished(station, patient_id: str) -> str:
    """A visit started and finished by `station`'s user: its id."""
    visit = station.encounters.start_visit(station.session, patient_id)
    station.encounters.finish_visit(station.session, visit["id"])
    return visit["id"]


def finished_visit(ws, patient_id: str, user: str = "doc") -> str:
    return finished(ws[user], patient_id)


def code(ws, visit_id: str, coding: Coding, user: str = "doc"):
    return VisitCoding(ws[user].store).code(ws[user].session, visit_id, coding)


WELLNESS = Coding(("E11.9", "I10"), (Line("G0439", pointers=(1, 2)),
                                     Line("J1885", ("rt",), 2, (1,))))


def test_a_coded_visit_is_one_draft_claim_as_the_contract_says(clinic):
    ws, ann, _ = clinic
    visit = finished_visit(ws, ann)
    coded = code(ws, visit, WELLNESS)
    claim = VisitCoding(ws["bill"].store).show(ws["bill"].session, visit).claim
    card = coded.claim["insurance"][0]["coverage"]["reference"]
    assert claim == coded.claim and claim["id"] == f"claim-{visit}"
    assert (claim["status"], claim["use"], claim["type"]["coding"][0]["code"],
            claim["priority"]["coding"][0]["code"]) == ("draft", "claim", "professional",
                                                        "normal")
    assert claim["patient"] == {"reference": f"Patient/{ann}"}
    assert claim["provider"]["identifier"]["value"] == "doc"
    assert claim["provider"]["display"] == "Dr Lee"
    assert [(d["sequence"], d["diagnosisCodeableConcept"]["coding"][0]["code"])
            for d in claim["diagnosis"]] == [(1, "E11.9"), (2, "I10")]
    first, second = claim["item"]
    assert first["productOrService"]["coding"][0] == {
        "system": "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", "code": "G0439",
        "display": "Annual wellness visit, includes a personalized prevention plan of service "
                   "(PPPS), subsequent visit"}
    assert (first["diagnosisSequence"], second["diagnosisSequence"]) == ([1, 2], [1])
    assert second["modifier"] == [{"coding": [{"code": "RT"}]}]
    assert second["quantity"] == {"value": 2}
    assert second["encounter"] == [{"reference": f"Encounter/{visit}"}]
    assert second["locationCodeableConcept"]["coding"][0]["code"] == "11"
    assert len(second["servicedDate"]) == 10
    assert card.startswith("Coverage/") and claim["insurance"][0]["focal"] is True
    assert coded.payer == f"Billed to Acme Health, member ACM-123 ({card})."
    assert coded.ready and coded.blocks == []


def test_coding_again_saves_a_new_version_of_the_same_claim(clinic):
    ws, ann, _ = clinic
    visit = finished_visit(ws, ann)
    first = code(ws, visit, WELLNESS).claim
    priced = {**first, "identifier": [{"system": "urn:clinic:claim", "value": "C-1"}],
              "total": {"value": 180, "currency": "USD"}}
    with Records(ws["bill"].store).write(ws["bill"].session, Permission.MANAGE_CLAIMS) as work:
        work.save(priced, "update")  # as the claims side adds to a draft
    again = code(ws, visit, Coding(("I10",), (Line("G0438", pointers=(1,)),)),
                 user="bill").claim
    with ws["doc"].store.read() as conn:
        claims = conn.exec_driver_sql("SELECT count(*) FROM resource WHERE type = 'Claim' "
                                      "AND id = ?", (f"claim-{visit}",)).scalar()
    assert claims == 1 and again["id"] == first["id"] and again["created"] == first["created"]
    assert [i["productOrService"]["coding"][0]["code"] for i in again["item"]] == ["G0438"]
    assert again["provider"]["display"] == "Dr Lee"  # billing codes: the visit's physician
    assert again["identifier"] == priced["identifier"] and "total" not in again


def test_diagnoses_are_proposed_from_the_visits_own_problems_first(clinic):
    ws, ann, _ = clinic
    visit = finished_visit(ws, ann)
    charted = {"resourceType": "Condition", "id": f"uri-{visit}",
               "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm",
                                    "code": "J06.9"}]},
               "subject": {"reference": f"Patient/{ann}"},
               "encounter": {"reference": f"Encounter/{visit}"}}
    with Records(ws["doc"].store).write(ws["doc"].session, Permission.EDIT_CHART) as work:
        work.save(charted, "create")
    shown = VisitCoding(ws["bill"].store).show(ws["bill"].session, visit)
    assert [(p.code, p.why) for p in shown.proposals] == [
        ("J06.9", "charted in this visit"), ("I10", "active problem"),
        ("E11.9", "active problem")]
    assert shown.claim is None and shown.blocks == ["The visit is not coded yet."]


def test_unsigned_notes_and_gaps_block_ready_to_bill_each_with_a_sentence(clinic):
    ws, ann, _ = clinic
    doc = ws["doc"]
    visit = finished_visit(ws, ann)
    draft = doc.notes.start_draft(doc.session, ann, "progress", encounter_id=visit)
    coded = code(ws, visit, Coding((), (Line("G0439"),)))
    assert coded.blocks == [
        f"The note '{draft.title}' by Dr Lee is not signed yet: it must be signed before the "
        "visit is billed.",
        "The claim has no diagnosis: add at least one ICD-10-CM code (the first is the "
        "primary).",
        "Line 1 (G0439) points at no diagnosis: give it one, such as 1 for the primary."]
    assert not coded.ready
    doc.notes.save_draft(doc.session, draft.id, "Seen for annual wellness. Plan: as before.")
    doc.notes.sign(doc.session, draft.id, password_of("doc"))
    assert code(ws, visit, Coding(("I10",), (Line("G0439", pointers=(1,)),))).ready


def test_a_patient_without_insurance_is_billed_as_self_pay(clinic):
    ws, _, bob = clinic
    visit = finished_visit(ws, bob)
    coded = code(ws, visit, Coding(("I10",), (Line("G0439", pointers=(1,)),)))
    assert coded.claim["insurance"] == [{"sequence": 1, "focal": True,
                                         "coverage": {"reference": "#self-pay"}}]
    assert coded.claim["contained"][0]["type"]["coding"][0]["code"] == "pay"
    assert coded.payer == ("Self-pay: the patient has no insurance on file, so the claim "
                           "bills the patient.")
    assert coded.ready


@pytest.mark.parametrize(("coding", "message"), [
    (Coding(("E11.99",), ()), "E11.99 is not an ICD-10-CM code; search the code set by "
                              "name to find the right one."),
    (Coding(("I10",), (Line("G0439", pointers=(2,)),)),
     "Line 1 (G0439) points at diagnosis 2, but only 1 diagnosis was given."),
    (Coding(("I10",), (Line("J1885", units=0, pointers=(1,)),)),
     "Units on line 1 (J1885) must be a whole number of 1 or more, not 0."),
    (Coding(("I10",), (Line("G0439", ("ABC",), pointers=(1,)),)),
     "The modifier 'ABC' on line 1 (G0439) is not two letters or digits; a modifier is two "
     "characters, such as 25 or GT."),
    (Coding(("I10",), (Line("99213", pointers=(1,)),)),
     "99213 is not in this clinic's CPT file; import the clinic's licensed CPT file (hearth "
     "knowledge import-cpt FILE) or give the code's description."),
    (Coding(("I10",), (), place="77"), "'77' is not a place-of-service code Hearth knows; use "
     "one of the CMS codes, such as 01 Pharmacy, 02 Telehealth Provided Other than in "
     "Patient's Home, 03 School, 04 Homeless Shelter, 10 Telehealth Provided in Patient's "
     "Home, 11 Office, 12 Home, 13 Assisted Living Facility."),
])
def test_bad_input_is_refused_with_a_sentence_and_nothing_saved(clinic, coding, message):
    ws, ann, _ = clinic
    visit = finished_visit(ws, ann)
    with pytest.raises(Exception) as refused:
        code(ws, visit, coding)
    assert (refused.value.exit_code, refused.value.message) == (2, message)
    assert VisitCoding(ws["doc"].store).show(ws["doc"].session, visit).claim is None


def test_a_visit_in_progress_cannot_be_coded(clinic):
    ws, ann, _ = clinic
    doc = ws["doc"]
    visit = doc.encounters.start_visit(doc.session, ann)["id"]
    try:
        with pytest.raises(Exception, match="^This visit is still in progress; it is coded "
                                            "once it is finished.$"):
            code(ws, visit, WELLNESS)
        assert VisitCoding(doc.store).show(doc.session, visit).blocks == [
            "This visit is still in progress; it is coded once it is finished.",
            "The visit is not coded yet."]
    finally:
        doc.encounters.finish_visit(doc.session, visit)


@pytest.mark.parametrize(("user", "message"), [
    ("nina", "Nina Park (nina) is signed in as nurse and may not code visits for billing."),
    ("pat", "Dr Patel (pat) did not take part in this visit, so may not code it; billing "
            "can."),
])
def test_only_billing_and_the_visits_own_physicians_code_it(clinic, user, message):
    ws, ann, _ = clinic
    visit = finished_visit(ws, ann)
    with pytest.raises(Exception) as refused:
        code(ws, visit, WELLNESS, user=user)
    assert (refused.value.exit_code, refused.value.message) == (4, message)


def test_coding_is_queued_to_sync_and_every_read_is_audited(clinic):
    ws, ann, _ = clinic
    visit = finished_visit(ws, ann)
    code(ws, visit, WELLNESS)
    VisitCoding(ws["bill"].store).show(ws["bill"].session, visit)
    with ws["doc"].store.read() as conn:
        queued = conn.exec_driver_sql("SELECT op FROM outbox WHERE type = 'Claim' AND "
                                      "id = ?", (f"claim-{visit}",)).scalars().all()
        audited = conn.exec_driver_sql(
            "SELECT user, action, entity FROM audit WHERE patient = ? AND (entity = ? OR "
            "entity = ?) ORDER BY seq", (ann, f"Claim/claim-{visit}", f"Encounter/{visit}")
        ).all()
    assert queued == ["create"]
    assert [tuple(r) for r in audited][-2:] == [("doc", "create", f"Claim/claim-{visit}"),
                                                ("bill", "read", f"Encounter/{visit}")]


def test_billing_names_the_provider_when_no_physician_took_part(clinic):
    ws, ann, _ = clinic
    visit = finished_visit(ws, ann, user="nina")
    with pytest.raises(Exception, match="^No rendering provider: nobody who took part in this "
                                        "visit is a physician; name the physician who "
                                        "rendered the care.$"):
        code(ws, visit, WELLNESS, user="bill")
    named = Coding(WELLNESS.diagnoses, WELLNESS.lines, provider="pat")
    assert code(ws, visit, named, user="bill").claim["provider"]["display"] == "Dr Patel"


def test_a_claim_from_elsewhere_without_a_provider_is_not_ready(clinic):
    ws, ann, _ = clinic
    visit = finished_visit(ws, ann)
    claim = code(ws, visit, WELLNESS).claim
    claim["provider"] = {"display": "Someone at the other clinic"}
    with Records(ws["doc"].store).write(ws["doc"].session, Permission.CODE_VISITS) as work:
        work.save(claim, "update")
    assert VisitCoding(ws["bill"].store).show(ws["bill"].session, visit).blocks == [
        "The claim names no rendering provider: name the physician who saw the patient."]


def test_a_submitted_claim_is_not_recoded(clinic):
    ws, ann, _ = clinic
    visit = finished_visit(ws, ann)
    claim = code(ws, visit, WELLNESS).claim
    with Records(ws["bill"].store).write(ws["bill"].session, Permission.MANAGE_CLAIMS) as work:
        work.save({**claim, "status": "active"}, "update")
    with pytest.raises(Exception, match="^This visit's claim is active, no longer a draft: it "
                                        "was submitted, so it is not recoded here.$"):
        code(ws, visit, WELLNESS, user="bill")


def test_a_preliminary_note_from_elsewhere_blocks_ready_to_bill(clinic):
    ws, ann, _ = clinic
    visit = finished_visit(ws, ann)
    note = {"resourceType": "DocumentReference", "id": f"prelim-{visit}", "status": "current",
            "docStatus": "preliminary", "type": {"text": "Discharge letter"},
            "subject": {"reference": f"Patient/{ann}"},
            "context": {"encounter": [{"reference": f"Encounter/{visit}"}]},
            "content": [{"attachment": {"contentType": "text/plain", "data": "eA=="}}]}
    with Records(ws["doc"].store).write(ws["doc"].session, Permission.EDIT_CHART) as work:
        work.save(note, "create")
    assert code(ws, visit, WELLNESS).blocks == [
        "The note 'Discharge letter' is preliminary, not signed: it must be signed before "
        "the visit is billed."]
