"""What Print… offers, as a clinician and a biller find it: every document a role may print,
a visit's documents only with finished visits (latest first, dated and named), the superbill
only with coded ones, and a sentence for whatever is left out; the read is audited."""

import pytest

from app.clinical.billing.coding import Coding, Line, VisitCoding
from app.clinical.printing.choices import PrintChoicesReader, file_name
from app.clinical.printing.printouts import NAMES
from app.clinical.records import Records
from app.clinical.visits.encounters import user_reference
from app.errors import NotFound, PermissionDenied
from app.security.roles import Permission
from tests.clinical.billing.test_coding import ann_and_bob
from tests.clinical.printing.test_printouts import last_audit
from tests.conftest import new_store, password_of

USERS = {"doc": ("Dr Lee", "physician"), "nina": ("Nina Park", "nurse"),
         "bill": ("Bea Biller", "billing"), "frank": ("Frank Desk", "front-desk")}
AMB = {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"}


def visit(ws, patient_id: str, start: str, kind: str, status: str = "finished") -> str:
    """A visit of `ws`'s user on `start`: its id."""
    record = {"resourceType": "Encounter", "id": f"{patient_id}-{start[:10]}", "status": status,
              "class": AMB, "type": [{"text": kind}], "period": {"start": start},
              "subject": {"reference": f"Patient/{patient_id}"},
              "participant": [{"individual": user_reference(ws.session)}]}
    with Records(ws.store).write(ws.session, Permission.EDIT_CHART) as work:
        work.save(record, "create")
    return record["id"]


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    """Ann: a flu-shot visit (coded), a later diabetes review (not coded) and one in
    progress today; Bob: no visit at all."""
    from app.bootstrap import open_workstation

    root = tmp_path_factory.mktemp("choices") / "store"
    env, _ = new_store(root, USERS)
    ws = {user: open_workstation(env, root, user, password_of(user)) for user in USERS}
    doc = ws["doc"]
    ann, bob = ann_and_bob(doc)
    flu = visit(doc, ann, "2026-01-12T09:10:00+00:00", "Flu shot visit")
    review = visit(doc, ann, "2026-02-20T14:30:00+00:00", "Diabetes review")
    visit(doc, ann, "2026-03-02T08:00:00+00:00", "Office visit", status="in-progress")
    VisitCoding(doc.store).code(doc.session, flu, Coding(("E11.9",), (Line("G0008"),)))
    yield ws, {"ann": ann, "bob": bob, "flu": flu, "review": review}
    for station in ws.values():
        station.store.close()


def offered(ws, patient_id: str):
    return PrintChoicesReader(ws.store).offered(ws.session, patient_id)


def test_a_physician_is_offered_every_document_and_the_finished_visits_latest_first(clinic):
    ws, ids = clinic
    choices = offered(ws["doc"], ids["ann"])
    assert [d.name for d in choices.documents] == list(NAMES)
    assert [d.label for d in choices.documents][:2] == ["After-visit summary", "Visit note"]
    assert [(v.encounter_id, v.kind, v.coded) for v in choices.visits] == [
        (ids["review"], "Diabetes review", False), (ids["flu"], "Flu shot visit", True)]
    assert choices.visits[0].label.endswith("20 Feb 2026 · Diabetes review")
    assert [v.encounter_id for v in choices.visits_for("superbill")] == [ids["flu"]]
    assert len(choices.visits_for("after-visit-summary")) == 2
    assert choices.visits_for("immunizations") == ()
    assert choices.not_offered == ()


def test_the_read_is_audited_on_the_patient(clinic):
    ws, ids = clinic
    offered(ws["nina"], ids["ann"])
    assert last_audit(ws["nina"]) == ("read", "success", ids["ann"], f"Patient/{ids['ann']}",
                                      "what to print: 2 finished visits")


def test_without_a_finished_visit_no_visit_document_is_offered_and_the_dialog_says_why(
        clinic):
    ws, ids = clinic
    choices = offered(ws["doc"], ids["bob"])
    assert [d.name for d in choices.documents] == [
        "medications", "problems", "immunizations", "disclosures"]
    assert choices.not_offered == ("Not offered: the after-visit summary, visit note and "
                                   "superbill, since Brown, Bob has no finished visit yet.",)


def test_billing_is_offered_the_superbill_alone_and_told_why_not_the_rest(clinic):
    ws, ids = clinic
    choices = offered(ws["bill"], ids["ann"])
    assert [d.name for d in choices.documents] == ["superbill"]
    assert choices.not_offered == (
        "Not offered: the after-visit summary, visit note, medication list, problem list, "
        "immunization record and accounting of disclosures, which the billing role may not "
        "print.",)


def test_no_superbill_before_a_visit_is_coded(clinic, tmp_path):
    ws, ids = clinic
    bob_visit = visit(ws["doc"], ids["bob"], "2026-02-01T10:00:00+00:00", "Office visit")
    try:
        choices = offered(ws["doc"], ids["bob"])
        assert "superbill" not in [d.name for d in choices.documents]
        assert choices.not_offered == (
            "Not offered: the superbill, since Brown, Bob's finished visit is not coded yet "
            "(Code visit… in a finished visit's window codes it).",)
    finally:
        with Records(ws["doc"].store).write(ws["doc"].session, Permission.EDIT_CHART) as work:
            work.delete("Encounter", bob_visit, "made for this test only")


def test_the_front_desk_is_refused_and_an_unknown_patient_is_not_found(clinic):
    ws, _ = clinic
    with pytest.raises(PermissionDenied):
        offered(ws["frank"], "anyone")
    with pytest.raises(NotFound, match="There is no patient nobody"):
        offered(ws["doc"], "nobody")
    assert last_audit(ws["doc"])[:2] == ("read", "failure")


def test_the_file_is_named_for_the_patient_the_document_and_the_day():
    from datetime import date

    assert file_name("Ångström-Øyelaran, Zoë", "superbill", date(2026, 3, 2)) == \
        "Ångström-Øyelaran-Zoë-superbill-2026-03-02.pdf"
    assert file_name("Boateng, Kofi", "immunizations", date(2026, 3, 2)) == \
        "Boateng-Kofi-immunizations-2026-03-02.pdf"
