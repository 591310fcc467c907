"""`hearth orders prescribe` as a script meets it: the sig in plain words, alerts with their
source that stop the order until overridden with a reason, free text saved with a warning,
and a sentence with exit 2 for what cannot be an order."""

import json

import pytest

from app.bootstrap import open_workstation
from app.clinical.records import Records
from app.security.roles import Permission
from tests.cli.test_safety_commands import ann_on_ibuprofen, hearth
from tests.conftest import password_of

TABLET_DAILY = ("--dose", "1", "--unit", "tablet", "--route", "oral", "--frequency", "daily")


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    """A store with physician 'doc' and Ann, who takes ibuprofen and has an allergy typed
    as text; (env, root, Ann's id)."""
    return ann_on_ibuprofen(tmp_path_factory, "prescribe-cli",
                            ("Sulfa drugs", "Hives", "moderate"))


def pend_for_signing(clinic, drug: str) -> None:
    """A nurse's pended medication order (status draft), as the chart's prescribing saves
    it."""
    env, root, ann = clinic
    doc = open_workstation(env, root, "doc", password_of("doc"))
    draft = {"resourceType": "MedicationRequest", "id": "pended-1", "status": "draft",
             "intent": "order", "medicationCodeableConcept": {"text": drug},
             "subject": {"reference": f"Patient/{ann}"}, "authoredOn": "2026-12-04",
             "requester": {"display": "Nina Park"}, "note": [{"text": "Pended by Nina Park"}],
             "dosageInstruction": [{"text": "Take 1 tablet by mouth once a day."}]}
    with Records(doc.store).write(doc.session, Permission.EDIT_CHART) as work:
        work.save(draft, "create", "medication pended")
    doc.close()


def listed(clinic, monkeypatch, capsys) -> list[str]:
    assert hearth(clinic, monkeypatch, "orders", "list", clinic[2], "--json") == 0
    return [o["what"] for o in json.loads(capsys.readouterr().out)]


def test_an_interaction_stops_the_order_until_overridden(clinic, monkeypatch, capsys):
    warfarin = ("orders", "prescribe", clinic[2], "855332", *TABLET_DAILY, "--days", "30",
                "--quantity", "30", "--refills", "2", "--reason", "Atrial fibrillation")
    assert hearth(clinic, monkeypatch, *warfarin) == 2
    said = capsys.readouterr()
    assert said.out.splitlines()[0].startswith(
        "  MAJOR drug-drug (stops the order): Warfarin Sodium 5 MG Oral Tablet with "
        "Ibuprofen 200 MG Oral Tablet")
    assert said.out.splitlines()[1].startswith("      Source: Not on the ONC list. Malone DC")
    assert said.err == ("hearth: Medication safety alert: Warfarin Sodium 5 MG Oral Tablet was "
                        "not saved: 1 alert(s) stop this order. Give --override-reason TEXT to "
                        "order anyway, or choose another drug.\n")
    assert not any("Warfarin" in what for what in listed(clinic, monkeypatch, capsys))

    assert hearth(clinic, monkeypatch, *warfarin, "--override-reason",
                  "INR monitored weekly") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Prescribed Warfarin Sodium 5 MG Oral Tablet: Take 1 tablet by "
                             "mouth once a day for 30 days. Dispense 30 tablet. Refills: 2. (id ")
    assert out[1].startswith("  MAJOR drug-drug (overridden): Warfarin")
    assert out[-1] == ("  NOT CHECKED: No coded check ran for the allergy 'Sulfa drugs' "
                       "recorded as text.")
    assert ("Warfarin Sodium 5 MG Oral Tablet: Take 1 tablet by mouth once a day for 30 "
            "days.") in listed(clinic, monkeypatch, capsys)


def test_a_name_from_the_catalogue_is_checked_and_answers_in_json(clinic, monkeypatch,
                                                                   capsys):
    assert hearth(clinic, monkeypatch, "orders", "prescribe", clinic[2], "acetaminophen",
                  "--dose", "1000", "--unit", "mg", "--route", "po", "--frequency", "q4h",
                  "--json") == 0
    said = capsys.readouterr()
    answer = json.loads(said.out)
    assert answer["saved"] and answer["alerts"] == []
    assert answer["unchecked"] == [
        "No coded check ran for the allergy 'Sulfa drugs' recorded as text."]
    assert answer["directions"] == "Take 1000 mg by mouth every 4 hours."
    assert answer["warnings"] == [
        "6000 mg a day of acetaminophen is above the adult maximum of 4000 mg a day (FDA "
        "acetaminophen labeling: do not exceed 4,000 mg in 24 hours (adults))."]
    assert said.err == f"WARNING: {answer['warnings'][0]}\n"


def test_free_text_is_saved_with_the_warning_that_no_check_ran(clinic, monkeypatch, capsys):
    assert hearth(clinic, monkeypatch, "orders", "prescribe", clinic[2], "Grandma's tonic",
                  *TABLET_DAILY) == 0
    said = capsys.readouterr()
    assert said.err.startswith("WARNING: \u201cGrandma's tonic\u201d is not in the drug "
                               "catalogue (")
    assert said.err.endswith("no safety check can run for it. It is saved as text.\n")
    assert "Grandma's tonic: Take 1 tablet by mouth once a day." in listed(
        clinic, monkeypatch, capsys)


@pytest.mark.parametrize(("drug", "flag", "value", "said"), [
    ("99999999", "--unit", "tablet", "hearth: Unknown drug: RxNorm code 99999999 is not in the "
     "drug catalogue ("),
    ("855332", "--unit", "spoon", "hearth: Missing or invalid input: 'spoon' is not a unit "
     "Hearth knows: use one of tablet,"),
    ("855332", "--dose", "two", "hearth: Missing or invalid input: The dose 'two' is not a "
     "number: write it as 1, 0.5 or 500."),
])
def test_what_cannot_be_an_order_is_a_sentence_and_exit_2(clinic, monkeypatch, capsys, drug,
                                                          flag, value, said):
    fields = dict(zip(TABLET_DAILY[::2], TABLET_DAILY[1::2], strict=True)) | {flag: value}
    assert hearth(clinic, monkeypatch, "orders", "prescribe", clinic[2], drug,
                  *(part for pair in fields.items() for part in pair)) == 2
    assert capsys.readouterr().err.startswith(said)


def test_orders_list_shows_pended_and_active_medication_orders(clinic, monkeypatch, capsys):
    pend_for_signing(clinic, "Lisinopril 10 MG Oral Tablet")
    assert hearth(clinic, monkeypatch, "orders", "list", clinic[2]) == 0
    out = capsys.readouterr().out.splitlines()
    assert ("PENDED   medication   Lisinopril 10 MG Oral Tablet: Take 1 tablet by mouth once a "
            "day.") in out
    assert ("ACTIVE   medication   Ibuprofen 200 MG Oral Tablet: 1 tablet three times daily"
            in out)
