"""`hearth visits code|coding` and `hearth knowledge import-cpt` as a biller's script meets
them: lines typed as CODE:MOD xUNITS @POINTERS, the claim and the ready-to-bill sentences in
text and JSON, the clinic's licensed CPT file, and one sentence with exit 2 for bad input."""

import json
from functools import partial

import pytest

from tests.cli import test_safety_commands as safety_cli
from tests.cli.test_safety_commands import store_with_ann


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    """Physician 'doc', biller 'bill' and Ann with a finished visit; (env, root, visit id)."""
    env, root, doc, ann = store_with_ann(tmp_path_factory, "coding-cli",
                                         {"bill": ("Bea Biller", "billing")})
    doc.problems.add(doc.session, ann, "I10")
    visit = doc.encounters.start_visit(doc.session, ann)["id"]
    doc.encounters.finish_visit(doc.session, visit)
    doc.store.close()
    return env, root, visit


hearth = partial(safety_cli.hearth, user="bill")  # the biller's script; user= to change


def test_a_visit_is_coded_from_typed_lines_and_shown_ready_to_bill(clinic, monkeypatch,
                                                                    capsys, tmp_path):
    visit = clinic[2]
    cpt = tmp_path / "cpt.csv"
    cpt.write_text("code,description\n99213,Office visit (clinic licence text)\nABC,x\n")
    assert hearth(clinic, monkeypatch, "knowledge", "import-cpt", str(cpt), user="admin") == 0
    assert capsys.readouterr().out.splitlines()[1] == (
        "  LEFT OUT: row 3: 'ABC' is not a CPT code")
    assert hearth(clinic, monkeypatch, "visits", "code", visit, "--dx", "i10", "--dx", "E11.9",
                  "--line", "99213:25x1@1,2", "--line", "J1885:RTx2@1") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "Claim claim-" + visit + " (draft); rendering provider Dr Lee"
    assert out[3:9] == [
        "  1. I10 Essential (primary) hypertension (primary)",
        "  2. E11.9 Type 2 diabetes mellitus without complications",
        "Lines:",
        "  1. 99213:25 x1 -> dx 1,2; place 11 Office: Office visit (clinic licence text)",
        "  2. J1885:RT x2 -> dx 1; place 11 Office: Injection, ketorolac tromethamine, "
        "per 15 mg",
        "Self-pay: the patient has no insurance on file, so the claim bills the patient."]
    assert out[9] == "Ready to bill."

    assert hearth(clinic, monkeypatch, "visits", "coding", visit, "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["ready"] is True and shown["blocks"] == []
    assert shown["claim"]["item"][0]["productOrService"]["coding"][0]["system"] == \
        "http://www.ama-assn.org/go/cpt"
    assert shown["proposals"] == [{"code": "I10", "why": "active problem",
                                   "description": "Essential (primary) hypertension"}]


def test_a_code_no_set_knows_is_billed_with_the_clinics_description(clinic, monkeypatch,
                                                                     capsys):
    assert hearth(clinic, monkeypatch, "visits", "code", clinic[2], "--dx", "I10",
                  "--line", "G9999@1", "--describe", "G9999=Clinic's own service",
                  "--json") == 0
    item = json.loads(capsys.readouterr().out)["claim"]["item"][0]
    assert item["productOrService"]["coding"][0]["display"] == "Clinic's own service"


NOT_SAVED = "Coding not saved: "


@pytest.mark.parametrize(("args", "said"), [
    (("--dx", "E11.99"), NOT_SAVED + "E11.99 is not an ICD-10-CM code; search the code set "
                                     "by name to find the right one."),
    (("--dx", "I10", "--line", "G0439@3"),
     NOT_SAVED + "Line 1 (G0439) points at diagnosis 3, but only 1 diagnosis was given."),
    (("--dx", "I10", "--line", "J1885x0@1"),
     NOT_SAVED + "Units on line 1 (J1885) must be a whole number of 1 or more, not 0."),
    (("--dx", "I10", "--line", "G0439:ABC@1"),
     NOT_SAVED + "The modifier 'ABC' on line 1 (G0439) is not two letters or digits; a "
                 "modifier is two characters, such as 25 or GT."),
    (("--dx", "I10", "--line", "G0439@one"),
     "Missing or invalid input: 'G0439@one' has pointers that are not diagnosis numbers; "
     "write a line as CODE[:MOD[:MOD]][xUNITS][@POINTERS], such as 99213:25x1@1,2."),
])
def test_bad_input_is_one_sentence_and_exit_2(clinic, monkeypatch, capsys, args, said):
    assert hearth(clinic, monkeypatch, "visits", "code", clinic[2], *args) == 2
    assert capsys.readouterr().err == f"hearth: {said}\n"


def test_import_cpt_is_for_the_admin(clinic, monkeypatch, capsys, tmp_path):
    cpt = tmp_path / "cpt.csv"
    cpt.write_text("99214,Office visit\n")
    assert hearth(clinic, monkeypatch, "knowledge", "import-cpt", str(cpt)) == 4
    assert capsys.readouterr().err == ("hearth: Not permitted: Bea Biller (bill) is signed "
                                       "in as billing and may not check and maintain the "
                                       "store.\n")
