"""`hearth schedule book|list|cancel|no-show|move|next-free` as a clerk's script meets them:
the exit code, the data on stdout, the one sentence on stderr, and nothing stored when a
booking is refused."""

import json
import subprocess
import sys
from datetime import date, datetime, timedelta

import pytest

from app.bootstrap import open_workstation
from app.cli.commands import main
from app.clinical.visits.schedule import Schedule
from tests.conftest import SYNTHEA, new_store, password_of

MONDAY = date(2034, 5, 1)  # each test books on a week of its own from here


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    """A store with a physician 'doc', a front desk 'desk' and a biller; (env, root,
    {family: patient id})."""
    root = tmp_path_factory.mktemp("schedule-cli") / "store"
    env, _ = new_store(root, {"doc": ("Elena Ortiz", "physician"),
                              "desk": ("Frank Desk", "front-desk"),
                              "bill": ("Bill Ing", "billing")}, [SYNTHEA])
    desk = open_workstation(env, root, "desk", password_of("desk"))
    with desk.store.read() as conn:
        patients = dict(conn.exec_driver_sql(
            "SELECT json_extract(json, '$.name[0].family'), id FROM resource "
            "WHERE type = 'Patient'").all())
    desk.store.close()
    return env, root, patients


def hearth(clinic, monkeypatch, *args: str, user: str = "desk") -> int:
    env, root, _ = clinic
    monkeypatch.setenv("HEARTH_PASSWORD", password_of(user))
    try:
        return main(["--store", str(root), "--user", user, "schedule", *args], env=env)
    except SystemExit as parsed:  # argparse's own refusal, one line like every other
        return parsed.code


def at(week: int, hhmm: str, days: int = 0) -> str:
    return f"{MONDAY + timedelta(weeks=week, days=days)}T{hhmm}"


def booked(clinic, monkeypatch, capsys, week: int, hhmm: str, family="Conn", *extra) -> dict:
    assert hearth(clinic, monkeypatch, "book", clinic[2][family], "--start", at(week, hhmm),
                  "--type", "Follow-up", "--provider", "doc", "--json", *extra) == 0
    return json.loads(capsys.readouterr().out)


def day_list(clinic, monkeypatch, capsys, week: int) -> list[dict]:
    assert hearth(clinic, monkeypatch, "list", "--date", str(MONDAY + timedelta(weeks=week)),
                  "--json") == 0
    return json.loads(capsys.readouterr().out)


def test_book_then_list_as_a_separate_process_would(clinic, keyring_session, policy_file):
    """The commands with exactly the issue's names, run as `python -m app`."""
    env = {**keyring_session, "HEARTH_PASSWORD": password_of("desk"),
           "HEARTH_SYSTEM_POLICY": str(policy_file)}
    base = [sys.executable, "-m", "app", "--store", str(clinic[1]), "--user", "desk",
            "schedule"]
    run = lambda *args: subprocess.run([*base, *args], capture_output=True, text=True,  # noqa: E731
                                       env=env, timeout=60)
    made = run("book", clinic[2]["Conn"], "--start", at(0, "09:00"), "--type", "Check-up",
               "--provider", "doc")
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("Booked Conn, Liz with Elena Ortiz: Check-up, 09:00-09:30 "
                                  f"on {MONDAY:%a %d %b %Y} (appointment ")
    listed = run("list", "--date", str(MONDAY), "--provider", "doc")
    assert listed.stdout.splitlines()[0] == f"{MONDAY:%a %d %b %Y} with Elena Ortiz: 1 " \
                                            "appointment."
    assert "09:00-09:30 booked     Check-up" in listed.stdout


def test_a_weekly_series_books_six_and_list_shows_each_week(clinic, monkeypatch, capsys):
    made = booked(clinic, monkeypatch, capsys, 1, "10:00", "Conn", "--repeat",
                  "FREQ=WEEKLY;COUNT=6")
    assert len(made["appointments"]) == 6 and made["series"] and made["note"] is None
    assert [a["start"][:16] for a in made["appointments"]] == [
        at(1 + n, "10:00") for n in range(6)]
    assert [a["id"] for a in day_list(clinic, monkeypatch, capsys, 4)] == [
        made["appointments"][3]["id"]]


def test_cancel_says_what_was_cancelled_and_a_second_cancel_is_refused(
        clinic, monkeypatch, capsys):
    first = booked(clinic, monkeypatch, capsys, 8, "09:00")["appointments"][0]
    assert hearth(clinic, monkeypatch, "cancel", first["id"], "--reason", "snowed in") == 0
    assert capsys.readouterr().out.startswith("Cancelled Conn, Liz with Elena Ortiz: Follow-up")
    assert day_list(clinic, monkeypatch, capsys, 8)[0]["status"] == "cancelled"
    assert hearth(clinic, monkeypatch, "cancel", first["id"]) == 2
    assert capsys.readouterr().err == (f"hearth: Calendar unchanged: The appointment "
                                       f"{first['id']} cannot be cancelled: it was "
                                       "cancelled; book a new one.\n")


def test_no_show_marks_a_past_appointment(clinic, monkeypatch, capsys):
    made = booked(clinic, monkeypatch, capsys, 9, "09:00")["appointments"][0]
    assert hearth(clinic, monkeypatch, "no-show", made["id"]) == 2
    assert "still to come" in capsys.readouterr().err
    env, root, patients = clinic
    desk = open_workstation(env, root, "desk", password_of("desk"))
    with desk.store.read() as conn:
        doctor = conn.exec_driver_sql(
            "SELECT id FROM resource WHERE type = 'Practitioner' AND json_extract(json, "
            "'$.identifier[0].value') = 'doc'").scalar_one()
    yesterday = datetime.now().replace(hour=9, minute=0, second=0) - timedelta(days=1)
    past = Schedule(desk.store).book(desk.session, patients["Johnston"],
                                     f"Practitioner/{doctor}", yesterday, 15, "Follow-up")
    desk.store.close()
    assert hearth(clinic, monkeypatch, "no-show", past.id, "--reason", "no answer",
                  "--json") == 0
    assert json.loads(capsys.readouterr().out)["status"] == "noshow"


@pytest.mark.parametrize("args, code, says", [
    (["--start", "2020-01-06T09:00", "--type", "Follow-up"], 2, "is in the past"),
    (["--start", at(10, "07:00"), "--type", "Follow-up"],
     2, "07:00-07:15 on " + f"{MONDAY + timedelta(weeks=10):%a %d %b %Y} is outside Elena "
        "Ortiz's hours that day (08:00-12:00, 13:00-17:00)."),
    (["--start", at(10, "09:00"), "--type", "Massage"], 2, "'Massage' is not one of this "
                                                           "clinic's appointment types"),
    (["--start", at(10, "09:00"), "--type", "Follow-up", "--repeat", "FREQ=SOMETIMES"],
     2, "The repeat rule 'FREQ=SOMETIMES' is not an RFC 5545 RRULE"),
    (["--start", "next tuesday", "--type", "Follow-up"],
     2, "'next tuesday' is not a date and time like 2026-03-02T09:30"),
    (["--start", at(10, "09:00"), "--type", "Follow-up", "--provider", "desk"],
     2, "Frank Desk (desk) is front-desk, not a clinician who sees patients"),
])
def test_a_refused_booking_is_one_sentence_and_nothing_is_stored(
        clinic, monkeypatch, capsys, args, code, says):
    provider = [] if "--provider" in args else ["--provider", "doc"]
    assert hearth(clinic, monkeypatch, "book", clinic[2]["Conn"], *args, *provider) == code
    err = capsys.readouterr().err
    assert err.startswith("hearth: ") and says in err and err.count("\n") == 1
    assert day_list(clinic, monkeypatch, capsys, 10) == []


def test_a_biller_may_not_book_and_exits_4(clinic, monkeypatch, capsys):
    assert hearth(clinic, monkeypatch, "book", clinic[2]["Conn"], "--start", at(11, "09:00"),
                  "--type", "Follow-up", "--provider", "doc", user="bill") == 4
    assert "may not book appointments" in capsys.readouterr().err


def test_next_free_and_move(clinic, monkeypatch, capsys):
    made = booked(clinic, monkeypatch, capsys, 12, "08:00")["appointments"][0]
    assert hearth(clinic, monkeypatch, "next-free", "--type", "Follow-up", "--provider", "doc",
                  "--after", at(12, "08:00"), "--json") == 0
    assert json.loads(capsys.readouterr().out)["start"].startswith(at(12, "08:15"))
    assert hearth(clinic, monkeypatch, "move", made["id"], "--start", at(12, "15:00")) == 0
    assert capsys.readouterr().out.startswith("Moved Conn, Liz with Elena Ortiz to Follow-up, "
                                              "15:00-15:15")


def test_a_cancelled_time_is_offered_to_the_waiting_list_and_filled(clinic, monkeypatch, capsys):
    taken = booked(clinic, monkeypatch, capsys, 13, "09:00")["appointments"][0]
    first, last = MONDAY, MONDAY + timedelta(weeks=20)
    assert hearth(clinic, monkeypatch, "waitlist", clinic[2]["Johnston"], "--type",
                  "Follow-up", "--from", str(first), "--to", str(last), "--json") == 0
    waiting = json.loads(capsys.readouterr().out)
    assert hearth(clinic, monkeypatch, "cancel", taken["id"], "--reason", "away") == 0
    assert f"Waiting and fits the freed time: Johnston, Chauncey, Follow-up ({waiting['id']})" \
        in capsys.readouterr().out
    assert hearth(clinic, monkeypatch, "fill", waiting["id"], "--into", taken["id"]) == 0
    assert capsys.readouterr().out.startswith(
        "Booked from the waiting list: Johnston, Chauncey with Elena Ortiz, Follow-up, "
        f"09:00-09:15 on {MONDAY + timedelta(weeks=13):%a %d %b %Y}")
