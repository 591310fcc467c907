"""`hearth schedule day-sheet` as IT or a clerk's script meets it: the exit code, the one
line on stderr, the file written (or not)."""

from datetime import date, datetime

import pdfplumber
import pytest

from app.bootstrap import open_workstation
from app.cli.commands import main
from app.clinical.visits.schedule import Schedule
from tests.conftest import SYNTHEA, new_store, password_of

DAY = date(2033, 5, 9)


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    """A store whose front desk booked two visits on DAY; (env, store, doctor's name)."""
    root = tmp_path_factory.mktemp("day-sheet-cli") / "store"
    env, _ = new_store(root, {"desk": ("Frank Desk", "front-desk")}, [SYNTHEA])
    desk = open_workstation(env, root, "desk", password_of("desk"))
    with desk.store.read() as conn:
        patient = conn.exec_driver_sql(
            "SELECT id FROM resource WHERE type = 'Patient' LIMIT 1").scalar_one()
        doctor = conn.exec_driver_sql(
            "SELECT id, json_extract(json, '$.name[0].given[0]') || ' ' || "
            "json_extract(json, '$.name[0].family') FROM resource WHERE type = 'Practitioner' "
            "LIMIT 1").one()
    for hour in (9, 14):
        Schedule(desk.store).book(desk.session, patient, f"Practitioner/{doctor[0]}",
                                  datetime.combine(DAY, datetime.min.time()).replace(hour=hour),
                                  15, "Check-up")
    desk.store.close()
    return env, root, doctor[1]


def hearth(clinic, monkeypatch, *args: str) -> int:
    env, root, _ = clinic
    monkeypatch.setenv("HEARTH_PASSWORD", password_of("desk"))
    try:
        return main(["--store", str(root), "--user", "desk", "schedule", "day-sheet", *args],
                    env=env)
    except SystemExit as parsed:  # argparse's own refusal, one line like every other
        return parsed.code


def test_day_sheet_writes_the_pdf_and_says_so(clinic, monkeypatch, tmp_path, capsys):
    out = tmp_path / "monday.pdf"
    assert hearth(clinic, monkeypatch, "--date", DAY.isoformat(), "--provider", clinic[2],
                  "--output", str(out), "--paper", "a4") == 0
    assert capsys.readouterr().out == (f"Wrote the day sheet of 2033-05-09 to {out}: "
                                       "2 appointments on 1 page (a4).\n")
    with pdfplumber.open(out) as pdf:
        words = " ".join(pdf.pages[0].extract_text().split())
    assert "09:00–09:15" in words and "14:00–14:15" in words and "Check-up" in words


@pytest.mark.parametrize(("args", "said"), [
    (["--date", "2033-02-30"], "'2033-02-30' is not a date: write it as YYYY-MM-DD"),
    (["--date", "2033-05-09", "--provider", "Dr Nobody"], "There is no provider 'Dr Nobody'"),
    (["--date", "2033-05-09", "--output", "/proc/no/day.pdf"],
     "Cannot write the day sheet to /proc/no/day.pdf"),
])
def test_bad_input_is_one_sentence_and_no_file(clinic, monkeypatch, tmp_path, capsys, args,
                                               said):
    out = ["--output", str(tmp_path / "day.pdf")] if "--output" not in args else []
    assert hearth(clinic, monkeypatch, *args, *out) == 2
    err = capsys.readouterr().err
    assert err.startswith("hearth: ") and said in err and err.count("\n") == 1
    assert not list(tmp_path.iterdir())

