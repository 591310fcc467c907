"""A missing or damaged safety pack is never silent on the command line: every command of a
signed-in user says so once on stderr (--json output stays JSON), and ordering is refused
until the user acknowledges it with --acknowledge-pack, which is audited."""

import csv
import io
import json

import pytest

from app.clinical.safety import packs
from tests.cli.test_safety_commands import hearth, store_with_ann

DAMAGED = "WARNING: The medication safety pack is damaged, so its rules were not used: "
TABLET_DAILY = ("--dose", "1", "--unit", "tablet", "--route", "oral", "--frequency", "daily")


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    """A store with physician 'doc' and Ann, whose clinic pack file is damaged;
    (env, root, Ann's id)."""
    env, root, doc, ann = store_with_ann(tmp_path_factory, "pack-warnings")
    doc.store.close()
    packs.clinic_dir(root).mkdir(parents=True)
    (packs.clinic_dir(root) / "licensed.json").write_text('{"pack": {"name": "Licensed"')
    return env, root, ann


def test_every_command_warns_once_on_stderr_and_json_stays_json(clinic, monkeypatch, capsys):
    assert hearth(clinic, monkeypatch, "chart", clinic[2], "--json") == 0
    said = capsys.readouterr()
    assert json.loads(said.out)["patient"]
    assert said.err.startswith(DAMAGED) and said.err.count("WARNING") == 1
    assert said.err.count("\n") == 1

    assert hearth(clinic, monkeypatch, "safety", "check", clinic[2], "855332") == 0
    said = capsys.readouterr()
    assert said.err.startswith(DAMAGED) and said.err.count("WARNING") == 1
    assert said.out.startswith("No alert for Warfarin")


def test_a_missing_pack_is_said_by_any_command(clinic, monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(packs, "clinic_dir", lambda root: tmp_path / "no-clinic-packs")
    monkeypatch.setattr(packs, "shipped_path", lambda: tmp_path / "removed.json")
    assert hearth(clinic, monkeypatch, "search", "okafor") == 0
    assert capsys.readouterr().err == f"WARNING: {packs.NO_PACK}\n"


def test_ordering_is_refused_until_the_pack_problem_is_acknowledged(clinic, monkeypatch,
                                                                    capsys):
    ann = clinic[2]
    for order in (("pend", ann, "TSH"), ("set", ann, "Thyroid check"), ("sign", ann),
                  ("prescribe", ann, "855332", *TABLET_DAILY)):
        assert hearth(clinic, monkeypatch, "orders", *order) == 2
        err = capsys.readouterr().err.splitlines()
        assert err[0].startswith(DAMAGED)
        assert err[1].startswith("hearth: Medication safety check incomplete: Nothing was ")
        assert err[1].endswith(" Give --acknowledge-pack to order anyway.")
    assert hearth(clinic, monkeypatch, "orders", "list", ann) == 0
    assert capsys.readouterr().out == "No current orders.\n"

    assert hearth(clinic, monkeypatch, "orders", "pend", ann, "TSH", "--acknowledge-pack") == 0
    assert capsys.readouterr().out.startswith("PENDED TSH (routine)")
    assert hearth(clinic, monkeypatch, "orders", "prescribe", ann, "855332", *TABLET_DAILY,
                  "--acknowledge-pack") == 0
    assert capsys.readouterr().out.startswith("Prescribed Warfarin Sodium 5 MG Oral Tablet")

    assert hearth(clinic, monkeypatch, "audit", "export", "--patient", ann,
                  user="admin") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    acknowledged = [r for r in rows if r["detail"].startswith("acknowledged ordering with the "
                                                             "safety pack damaged: ")]
    assert len(acknowledged) == 2 and all(r["user"] == "doc" for r in acknowledged)
