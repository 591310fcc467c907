"""`hearth safety check` and `hearth knowledge show|import` as a script meets them: the
alerts with their source, --json in the issue's shape, exit 0 with or without alerts, and a
sentence with a non-zero exit only when the check could not run."""

import json
import shutil

import pytest

from app.bootstrap import open_workstation
from app.cli.commands import main
from app.clinical.charting.allergies import Allergies
from app.clinical.charting.medications import Medications
from app.clinical.safety import packs
from tests.conftest import ADMIN_PASSWORD, new_store, password_of

ANN = {"resourceType": "Patient", "name": [{"family": "Okafor", "given": ["Ann"]}],
       "birthDate": "1960-05-01"}


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    """A store with physician 'doc' and Ann, who takes ibuprofen and has a penicillin allergy
    typed as text; (env, root, Ann's id)."""
    return ann_on_ibuprofen(tmp_path_factory, "safety-cli", ("Penicillin", "Rash", "mild"))


def store_with_ann(tmp_path_factory, folder: str, users: dict | None = None):
    """A new store (below a folder named `folder`) with physician 'doc', any other `users`,
    and Ann registered by doc: (env, root, doc's workstation, Ann's id); the caller adds
    what its tests need and closes doc's store. The CLI tests' clinics start here."""
    root = tmp_path_factory.mktemp(folder) / "store"
    env, _ = new_store(root, {"doc": ("Dr Lee", "physician"), **(users or {})})
    doc = open_workstation(env, root, "doc", password_of("doc"))
    return env, root, doc, doc.patients.register(doc.session, ANN)["id"]


def ann_on_ibuprofen(tmp_path_factory, folder: str, allergy: tuple[str, str, str]):
    """store_with_ann, Ann taking ibuprofen 200 mg (RxNorm 310965) three times a day and
    with `allergy` (substance, reaction, severity) typed as text: (env, root, Ann's id)."""
    env, root, doc, ann = store_with_ann(tmp_path_factory, folder)
    Medications(doc.store).start(doc.session, ann, "Ibuprofen 200 MG Oral Tablet",
                                 "1 tablet three times daily", rxnorm="310965")
    Allergies(doc.store).add(doc.session, ann, *allergy)
    doc.store.close()
    return env, root, ann


def hearth(clinic, monkeypatch, *args: str, user: str = "doc") -> int:
    """`hearth --store <clinic's root> --user <user> args…` with the user's password given,
    as a script runs it: the exit code (argparse's too)."""
    env, root, _ = clinic
    monkeypatch.setenv("HEARTH_PASSWORD", ADMIN_PASSWORD if user == "admin"
                       else password_of(user))
    try:
        return main(["--store", str(root), "--user", user, *args], env=env)
    except SystemExit as parsed:
        return parsed.code


def test_check_prints_the_interaction_with_its_source(clinic, monkeypatch, capsys):
    assert hearth(clinic, monkeypatch, "safety", "check", clinic[2], "855332") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "1 alert(s) for Warfarin Sodium 5 MG Oral Tablet (RxNorm 855332)."
    assert out[1].startswith("  MAJOR drug-drug (stops the order): Warfarin Sodium 5 MG Oral "
                             "Tablet with Ibuprofen 200 MG Oral Tablet")
    assert out[2].startswith("      Source: Not on the ONC list. Malone DC")
    assert out[3] == ("  NOT CHECKED: No coded check ran for the allergy 'Penicillin' "
                      "recorded as text.")


def test_check_as_json_has_the_issue_shape(clinic, monkeypatch, capsys):
    assert hearth(clinic, monkeypatch, "safety", "check", clinic[2], "308182", "--json") == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["pack"] == {"name": "Hearth high-priority interactions and allergy groups",
                              "version": "2026.1"}
    assert answer["alerts"] == [] and answer["status"] is None
    assert answer["unchecked"] == [
        "No coded check ran for the allergy 'Penicillin' recorded as text."]


def test_an_unknown_code_is_a_sentence_and_exit_2(clinic, monkeypatch, capsys):
    assert hearth(clinic, monkeypatch, "safety", "check", clinic[2], "99999999") == 2
    assert capsys.readouterr().err.startswith(
        "hearth: Unknown drug: RxNorm code 99999999 is not in the drug catalogue")


def test_with_no_pack_check_exits_non_zero_and_show_says_why(clinic, monkeypatch, capsys,
                                                             tmp_path):
    monkeypatch.setattr(packs, "shipped_path", lambda: tmp_path / "removed.json")
    assert hearth(clinic, monkeypatch, "safety", "check", clinic[2], "855332") == 7
    warning, refusal = capsys.readouterr().err.splitlines()
    assert warning == f"WARNING: {packs.NO_PACK}"
    assert refusal.startswith(
        "hearth: Safety check could not run: No medication safety pack is installed, so no "
        "interaction, allergy or duplicate check can run.")
    assert hearth(clinic, monkeypatch, "knowledge", "show", "--json") == 0
    assert json.loads(capsys.readouterr().out)["status"] == "missing"


def test_show_lists_the_pack_and_its_rules(clinic, monkeypatch, capsys):
    assert hearth(clinic, monkeypatch, "knowledge", "show") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Status: ok"
    assert out[1] == ("Hearth high-priority interactions and allergy groups version 2026.1 "
                      "(published 2026-12-01, review by 2027-12-01)")
    assert out[3].startswith("  Rules: 17 interactions, 6 allergy groups, 5 duplicate-therapy "
                             "rules")


def test_import_needs_an_admin_names_bad_rows_and_installs(clinic, monkeypatch, capsys,
                                                           tmp_path):
    source = tmp_path / "licensed.json"
    pack = json.loads(packs.shipped_path().read_text())
    pack["pack"] = {**pack["pack"], "name": "Licensed pack", "version": "9"}
    pack["interactions"][0]["severity"] = "bad"
    source.write_text(json.dumps(pack))
    assert hearth(clinic, monkeypatch, "knowledge", "import", str(source)) == 4
    assert "hearth: " in capsys.readouterr().err
    assert hearth(clinic, monkeypatch, "knowledge", "import", str(source), user="admin") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Installed Licensed pack version 9 at ")
    assert out[1] == (f"  LEFT OUT: {source} interactions row 1 (onc-01): its severity is "
                      "'bad'; use one of contraindicated, major, moderate, minor")
    assert hearth(clinic, monkeypatch, "knowledge", "show", "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["status"] == "partial"
    assert [p["name"] for p in shown["packs"]][0] == "Licensed pack"
    shutil.rmtree(clinic[1] / "knowledge")  # the other tests use the shipped pack alone
