"""`hearth chart restrict`, `hearth break-glass` and `hearth emergency-access` as a clinic
meets them: the sentence printed, the exit status, and the chart refused or opened."""

import pytest

from app.bootstrap import open_workstation
from app.cli.commands import main
from tests.conftest import new_store, password_of

USERS = {"doc": ("Elena Ortiz", "physician"), "nina": ("Nina Nurse", "nurse"),
         "audrey": ("Audrey Tor", "auditor")}


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    """A patient Dr Ortiz is seeing today."""
    root = tmp_path_factory.mktemp("access-cli") / "store"
    env, _ = new_store(root, USERS)
    doc = open_workstation(env, root, "doc", password_of("doc"))
    pid = doc.patients.register(doc.session, {
        "resourceType": "Patient", "name": [{"family": "Quiet", "given": ["Rosa"]}]})["id"]
    doc.encounters.start_visit(doc.session, pid)
    doc.close()
    return env, root, pid


def hearth(clinic, monkeypatch, user: str, *args: str) -> int:
    env, root, _ = clinic
    monkeypatch.setenv("HEARTH_PASSWORD", password_of(user))
    try:
        return main(["--store", str(root), "--user", user, *args], env=env)
    except SystemExit as parsed:
        return parsed.code


def test_restrict_break_the_glass_and_review(clinic, monkeypatch, capsys):
    pid = clinic[2]
    assert hearth(clinic, monkeypatch, "doc", "chart", "restrict", pid) == 0
    assert capsys.readouterr().out == (f"The chart of patient {pid} is now restricted. Only the "
                                       "care team opens it; anyone else must break the "
                                       "glass.\n")
    assert hearth(clinic, monkeypatch, "nina", "chart", pid) == 4
    assert ("This chart is restricted: break the glass to open it (you are not on the "
            "patient's care team).") in capsys.readouterr().err
    assert hearth(clinic, monkeypatch, "nina", "break-glass", pid, "--reason", "Other") == 2
    assert ("Say in your own words why you need this chart (the reason is Other)."
            in capsys.readouterr().err)
    assert hearth(clinic, monkeypatch, "nina", "break-glass", pid, "--reason",
                  "Emergency care", "--note", "collapsed") == 0
    said = capsys.readouterr().out
    assert said.startswith(f"Emergency access to the chart of patient {pid} until ")
    task = said.rsplit("(emergency access ", 1)[1].rstrip(").\n")
    assert hearth(clinic, monkeypatch, "nina", "chart", pid) == 0
    assert "Quiet" in capsys.readouterr().out
    assert hearth(clinic, monkeypatch, "audrey", "emergency-access", "list") == 0
    listed = capsys.readouterr().out
    assert task in listed and "Nina Nurse (nina)" in listed and "Emergency care: collapsed" \
        in listed
    assert hearth(clinic, monkeypatch, "audrey", "emergency-access", "review", task,
                  "--outcome", "escalated", "--note", "no emergency that day") == 0
    assert capsys.readouterr().out == f"Emergency access {task} marked escalated.\n"
    assert hearth(clinic, monkeypatch, "audrey", "emergency-access", "list") == 0
    assert capsys.readouterr().out == "No emergency access is waiting for review.\n"


def test_chart_restrict_needs_a_patient(clinic, monkeypatch, capsys):
    assert hearth(clinic, monkeypatch, "doc", "chart", "unrestrict") == 2
    assert "Say whose chart: hearth chart unrestrict PATIENT_ID." in capsys.readouterr().err
