"""`hearth patient merge / unmerge / duplicates / not-duplicates` as IT or a clerk's script
meets them: what moved, the JSON, the exit code and the one line on stderr."""

import json

import pytest

from app.bootstrap import open_workstation
from app.cli.commands import main
from app.clinical.patients.arrived_duplicates import flag_arrived
from tests.conftest import new_store, password_of
from tests.sync.stations import patient


@pytest.fixture
def desk(keyring_session, tmp_path):
    """A clinic with a front desk (frank) and Ann registered twice, the duplicate with a
    pulse taken by Dr Lee."""
    root = tmp_path / "store"
    env, _ = new_store(root, {"frank": ("Frank Desk", "front-desk"),
                              "drlee": ("Dr Lee", "physician")})
    ws = open_workstation(env, root, "drlee", password_of("drlee"))
    keep = ws.patients.register(ws.session, patient("Okafor"))["id"]
    other = ws.patients.register(ws.session, patient(
        "Okafor", identifier=[{"system": "urn:mrn", "value": "MRN-2"}]))["id"]
    ws.vitals.record(ws.session, other, {"heart_rate": "88"})
    ws.close()
    ws.store.close()
    return env, root, keep, other


def run(desk, monkeypatch, *args: str) -> int:
    env, root, _, _ = desk
    monkeypatch.setenv("HEARTH_PASSWORD", password_of("frank"))
    try:
        return main(["--store", str(root), "--user", "frank", "patient", *args], env=env)
    except SystemExit as parsed:
        return parsed.code


def test_merge_says_what_moved_and_unmerge_undoes_it(desk, monkeypatch, capsys):
    _, _, keep, other = desk

    assert run(desk, monkeypatch, "merge", keep, other) == 0
    said = capsys.readouterr().out
    assert f"Merge 1: Okafor, Ann ({other}) merged into Okafor, Ann ({keep}).\n" in said
    assert f"Moved to {keep}: 1 Observation.\nCarried over: identifier MRN-2 (old)\n" in said
    assert "`hearth patient unmerge 1` undoes it" in said
    assert run(desk, monkeypatch, "show", keep) == 0  # the merged record's number, said so
    assert "  Number     MRN-2 (urn:mrn, of a merged or earlier record)\n" in (
        capsys.readouterr().out)

    assert run(desk, monkeypatch, "unmerge", "1", "--json") == 0
    assert json.loads(capsys.readouterr().out) == {
        "merge_id": 1, "keep_id": keep, "other_id": other, "restored": 3, "gone": []}


def test_merge_json_names_the_merge_and_counts(desk, monkeypatch, capsys):
    _, _, keep, other = desk

    assert run(desk, monkeypatch, "merge", keep, other, "--json") == 0

    printed = json.loads(capsys.readouterr().out)
    assert (printed["merge_id"], printed["moved"], printed["carried"]) == (
        1, {"Observation": 1}, ["identifier MRN-2 (old)"])


@pytest.mark.parametrize("which, code, sentence", [
    ("itself", 2, "A patient cannot be merged into itself"),
    ("unknown", 1, "There is no patient nobody to merge."),
])
def test_a_bad_merge_is_one_sentence(desk, monkeypatch, capsys, which, code, sentence):
    _, _, keep, _ = desk
    other = {"itself": keep, "unknown": "nobody"}[which]

    assert run(desk, monkeypatch, "merge", keep, other) == code

    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("hearth: ") and sentence in line


def test_duplicates_lists_the_pairs_sync_flagged_until_one_is_closed(desk, monkeypatch, capsys):
    env, root, keep, other = desk
    ws = open_workstation(env, root, "frank", password_of("frank"))
    received = ws.patients.get(ws.session, other)
    with ws.store.write() as conn:  # as a pull that brought `other` flags it
        flag_arrived(conn, [received], "frank", "now")
    ws.close()
    ws.store.close()

    assert run(desk, monkeypatch, "duplicates") == 0
    assert capsys.readouterr().out == (f"   1  Okafor, Ann ({min(keep, other)}) and Okafor, "
                                       f"Ann ({max(keep, other)}): same birth date; same name\n")
    assert run(desk, monkeypatch, "not-duplicates", "1", "--reason", "twins") == 0
    assert run(desk, monkeypatch, "duplicates", "--json") == 0
    assert capsys.readouterr().out.splitlines()[-1] == "[]"
