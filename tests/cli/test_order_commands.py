"""`hearth orders` as a script meets it: a patient's current lab, imaging and medication
orders in text and JSON (status, what, when, who), pended then signed, and a sentence with a
non-zero exit for what cannot be done."""

import json

import pdfplumber
import pytest

from app.bootstrap import open_workstation
from app.cli.commands import main
from app.clinical.charting.medications import Medications
from tests.conftest import new_store, password_of

ANN = {"resourceType": "Patient", "name": [{"family": "Okafor", "given": ["Ann"]}],
       "birthDate": "1960-05-01"}


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    """A store with physician 'doc', nurse 'nina', clerk 'fay' and Ann, who takes
    metformin; (env, root, Ann's id)."""
    root = tmp_path_factory.mktemp("orders-cli") / "store"
    env, _ = new_store(root, {"doc": ("Dr Lee", "physician"), "nina": ("Nina Park", "nurse"),
                              "fay": ("Fay Desk", "front-desk")})
    doc = open_workstation(env, root, "doc", password_of("doc"))
    ann = doc.patients.register(doc.session, ANN)["id"]
    Medications(doc.store).start(doc.session, ann, "Metformin 500 MG Oral Tablet",
                                 "1 tablet by mouth twice a day", rxnorm="861007")
    doc.store.close()
    return env, root, ann


def hearth(clinic, monkeypatch, *args: str, user: str = "doc") -> int:
    env, root, _ = clinic
    monkeypatch.setenv("HEARTH_PASSWORD", password_of(user))
    try:
        return main(["--store", str(root), "--user", user, *args], env=env)
    except SystemExit as parsed:
        return parsed.code


def test_pended_then_signed_orders_list_in_text_and_json(clinic, monkeypatch, capsys):
    ann = clinic[2]
    assert hearth(clinic, monkeypatch, "orders", "pend", ann, "CBC (complete blood count)",
                  "57698-3", "--priority", "urgent", user="nina") == 0
    capsys.readouterr()
    assert hearth(clinic, monkeypatch, "orders", "list", ann, "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(o["kind"], o["status"], o["what"], o["who"], o["priority"]) for o in listed] == [
        ("lab/imaging", "pended", "Lipid panel", "Nina Park", "urgent"),
        ("lab/imaging", "pended", "CBC (complete blood count)", "Nina Park", "urgent"),
        ("medication", "active", "Metformin 500 MG Oral Tablet: 1 tablet by mouth twice a day",
         "Dr Lee", None)]

    assert hearth(clinic, monkeypatch, "orders", "sign", ann) == 0
    assert capsys.readouterr().out == ("Signed 2 order(s): CBC (complete blood count), Lipid "
                                       "panel.\n")
    assert hearth(clinic, monkeypatch, "orders", "list", ann) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "ACTIVE   lab/imaging  URGENT Lipid panel"
    assert out[1].startswith("         ") and " by Dr Lee; id " in out[1]
    assert out[4] == "ACTIVE   medication   Metformin 500 MG Oral Tablet: 1 tablet by mouth " \
                     "twice a day"


def test_an_order_set_pends_its_tests_and_proposes_its_drug(clinic, monkeypatch, capsys):
    assert hearth(clinic, monkeypatch, "orders", "set", clinic[2], "Thyroid check") == 0
    assert [line.split(";")[0] for line in capsys.readouterr().out.splitlines()] == [
        "PENDED TSH (routine)", "PENDED Free T4 (routine)"]
    assert hearth(clinic, monkeypatch, "orders", "set", clinic[2], "diabetes-annual",
                  "--json") == 0
    answer = json.loads(capsys.readouterr().out)
    assert len(answer["pended"]) == 4 and answer["problems"] == []
    assert answer["medications"][0]["sig"] == "Take 500 mg by mouth twice a day for 90 days."


def test_refusals_are_one_sentence_and_a_non_zero_exit(clinic, monkeypatch, capsys):
    assert hearth(clinic, monkeypatch, "orders", "pend", clinic[2], "TSH", user="fay") == 4
    assert capsys.readouterr().err == (
        "hearth: Not permitted: Fay Desk (fay) is signed in as front-desk and may not pend lab, "
        "imaging and medication orders.\n")
    assert hearth(clinic, monkeypatch, "orders", "sign", clinic[2], user="nina") == 4
    assert "may not sign lab, imaging and medication orders." in capsys.readouterr().err
    assert hearth(clinic, monkeypatch, "orders", "list", "nobody") == 1
    assert capsys.readouterr().err == "hearth: Not found: There is no patient nobody.\n"


def test_show_prints_the_order_and_cancel_keeps_it_revoked(clinic, monkeypatch, capsys):
    assert hearth(clinic, monkeypatch, "orders", "pend", clinic[2], "US abdomen complete",
                  "--json") == 0
    [pended] = json.loads(capsys.readouterr().out)
    assert hearth(clinic, monkeypatch, "orders", "cancel", pended["id"], "--reason",
                  "Ordered in error") == 0
    assert capsys.readouterr().out == "Cancelled US abdomen complete: Ordered in error.\n"
    assert hearth(clinic, monkeypatch, "orders", "show", pended["id"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["resourceType"], shown["status"]) == ("ServiceRequest", "revoked")
    assert shown["note"][-1]["text"] == "Cancelled: Ordered in error"


def test_print_writes_the_prescription_and_names_what_cannot_be_printed(clinic, monkeypatch,
                                                                        capsys, tmp_path):
    out = tmp_path / "rx.pdf"
    assert hearth(clinic, monkeypatch, "orders", "print", clinic[2], "--output", str(out),
                  "--kind", "prescription", "--paper", "a4") == 0
    assert capsys.readouterr().out == (f"Wrote the prescription to {out}: 1 signed order on "
                                       "1 page (a4).\n")
    with pdfplumber.open(out) as pdf:
        said = " ".join(pdf.pages[0].extract_text().split())
    assert "Okafor, Ann" in said and "Metformin 500 MG Oral Tablet RxNorm 861007" in said
    assert "Directions 1 tablet by mouth twice a day" in said

    missing = tmp_path / "gone" / "req.pdf"
    assert hearth(clinic, monkeypatch, "orders", "print", clinic[2], "--output",
                  str(missing)) == 2
    assert capsys.readouterr().err == ("hearth: Missing or invalid input: Cannot write the "
                                       f"requisition to {missing}: "
                                       "No such file or directory. Nothing was written.\n")
