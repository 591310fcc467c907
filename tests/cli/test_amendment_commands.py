"""`hearth amendment` as a clinician meets it: a request recorded, denied with a reason or
accepted onto the record, listed; each mistake one sentence and exit 2 (1 for a record not
in the chart)."""

import json

import pytest

from app.cli.commands import main
from tests.clinical.amendments.amendment_ward import build
from tests.clinical.chart.visit_ward import ROSA
from tests.conftest import password_of


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    root = tmp_path_factory.mktemp("amendments-cli") / "store"
    return build(root), root


def hearth(clinic, monkeypatch, *args: str, user: str = "drlee") -> int:
    env, root = clinic
    monkeypatch.setenv("HEARTH_PASSWORD", password_of(user))
    try:
        return main(["--store", str(root), "--user", user, *args], env=env)
    except SystemExit as parsed:
        return parsed.code


def requested(clinic, monkeypatch, capsys, record: str, words: str) -> str:
    assert hearth(clinic, monkeypatch, "--json", "amendment", "request", ROSA, "--record",
                  record, "--text", words, user="nina") == 0
    return json.loads(capsys.readouterr().out)["id"]


def test_a_request_denied_then_one_accepted_are_listed(clinic, monkeypatch, capsys):
    denied = requested(clinic, monkeypatch, capsys, "Condition/rosa-anaemia", "Never had it.")
    assert hearth(clinic, monkeypatch, "amendment", "deny", denied, "--reason",
                  "Three blood counts show it.") == 0
    assert capsys.readouterr().out == (f"Denied amendment request {denied}; the request and "
                                       "the reason stay with Condition/rosa-anaemia.\n")
    accepted = requested(clinic, monkeypatch, capsys, "Condition/rosa-diabetes", "Since 2019.")
    assert hearth(clinic, monkeypatch, "amendment", "accept", accepted) == 0
    assert capsys.readouterr().out == (f"Accepted amendment request {accepted}: appended to "
                                       "Condition/rosa-diabetes.\n")
    assert hearth(clinic, monkeypatch, "amendment", "list", ROSA) == 0
    said = capsys.readouterr().out
    assert f"{denied}  denied  Condition/rosa-anaemia" in said
    assert "Never had it.\n    reason: Three blood counts show it.\n" in said
    assert f"{accepted}  accepted  Condition/rosa-diabetes" in said
    assert "Since 2019.\n    amendment: Condition/rosa-diabetes\n" in said


@pytest.mark.parametrize(("args", "code", "said"), [
    (("request", ROSA, "--record", "Condition/rosa-diabetes", "--text", ""), 2,
     "The amendment request has no text"),
    (("request", ROSA, "--record", "Condition/nope", "--text", "Wrong."), 1,
     "There is no Condition/nope in Ruiz, Rosa's chart"),
    (("deny", "amendment-x"), 2, "A denial needs its reason"),
])
def test_a_mistake_is_one_sentence(clinic, monkeypatch, capsys, args, code, said):
    assert hearth(clinic, monkeypatch, "amendment", *args) == code
    error = capsys.readouterr().err
    assert said in error and len(error.strip().splitlines()) == 1
