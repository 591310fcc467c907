"""`hearth orders sign` checks each pended medication again: a new interaction stops the
signing with a sentence naming it and its source (exit 2, nothing signed) until
--override gives the reason; the signed medication is named."""

from app.bootstrap import open_workstation
from app.clinical.records import Records
from app.security.roles import Permission
from tests.cli.test_prescription_commands import clinic, hearth  # noqa: F401 (the fixture)
from tests.conftest import password_of


def test_a_new_interaction_stops_the_signing_until_overridden(clinic, monkeypatch, capsys):
    env, root, ann = clinic
    doc = open_workstation(env, root, "doc", password_of("doc"))
    draft = {"resourceType": "MedicationRequest", "id": "pended-warfarin", "status": "draft",
             "intent": "order", "medicationCodeableConcept": {
                 "text": "Warfarin 5 mg tablet", "coding": [{
                     "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                     "code": "855332"}]},
             "subject": {"reference": f"Patient/{ann}"}, "authoredOn": "2026-12-04",
             "requester": {"display": "Nina Park"}, "note": [{"text": "Pended by Nina Park"}]}
    with Records(doc.store).write(doc.session, Permission.EDIT_CHART) as work:
        work.save(draft, "create", "medication pended")
    doc.close()

    assert hearth(clinic, monkeypatch, "orders", "sign", ann) == 2
    err = capsys.readouterr().err
    assert err.startswith("hearth: Medication safety alert: Nothing was signed: the safety "
                          "check at signing found a new alert since the order was pended. "
                          "Warfarin 5 mg tablet: Major drug-drug: ")
    assert "Source: Not on the ONC list. Malone DC" in err

    assert hearth(clinic, monkeypatch, "orders", "sign", ann, "--override",
                  "Ibuprofen stops today") == 0
    assert capsys.readouterr().out == "Signed 1 order(s): Warfarin 5 mg tablet.\n"
