"""`hearth report` as a practice manager's script meets it: the file written, the line said,
and one sentence (exit 2, nothing written) for each mistake."""

import csv
import dataclasses
import json

import pdfplumber
import pytest

from app.cli.commands import main
from app.security.policy import BillingPolicy
from tests.clinical.reports import clinic_data as data
from tests.conftest import TEST_POLICY, new_store, password_of

FORTNIGHT = ["--from", "2025-03-03", "--to", "2025-03-16"]


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    root = tmp_path_factory.mktemp("report-cli") / "store"
    env, _ = new_store(root, {"bea": ("Bea Billing", "billing")},
                       [data.write_ndjson(root.parent / "clinic.ndjson")])
    return env, root


def hearth(clinic, monkeypatch, *args: str) -> int:
    env, root = clinic
    monkeypatch.setenv("HEARTH_PASSWORD", password_of("bea"))
    try:
        return main(["--store", str(root), "--user", "bea", "report", *args], env=env)
    except SystemExit as parsed:  # argparse's own refusal, one line like every other
        return parsed.code


def test_csv_has_a_header_the_counted_rows_and_the_total(clinic, monkeypatch, tmp_path,
                                                          capsys):
    out = tmp_path / "visits.csv"
    assert hearth(clinic, monkeypatch, "visits-per-day", *FORTNIGHT, "--csv", str(out)) == 0
    expected = data.expected_visits_per_day()
    assert capsys.readouterr().out == (f"Wrote visits per day for 2025-03-03 to 2025-03-16 "
                                       f"to {out}: {len(expected)} rows.\n")
    with open(out, encoding="utf-8-sig", newline="") as f:
        header, *rows, total = list(csv.reader(f))
    assert header == ["Day", "Provider", "Visit type", "Visits"]
    assert {tuple(r[:3]): int(r[3]) for r in rows} == dict(expected)
    assert total == ["Total", "", "", str(sum(expected.values()))]


def test_pdf_has_the_title_the_table_a_chart_and_page_numbers(clinic, monkeypatch, tmp_path,
                                                               capsys):
    out = tmp_path / "no-shows.pdf"
    assert hearth(clinic, monkeypatch, "no-show-rate", *FORTNIGHT, "--pdf", str(out),
                  "--paper", "a4", "--clinic", "Riverside Family Practice") == 0
    assert capsys.readouterr().out.endswith(": 2 rows on 1 page.\n")
    with pdfplumber.open(out) as pdf:
        page = pdf.pages[0]
        words = " ".join(page.extract_text().split())
        bars = [r for r in page.rects if r["height"] > 5 and r["width"] < 200]
    due, missed = (sum(v[i] for v in data.expected_no_shows().values()) for i in (0, 1))
    assert "Riverside Family Practice" in words and "No-show rate: 03 Mar 2025" in words
    assert f"All providers {due} {missed}" in words and words.endswith("Page 1 of 1")
    assert len(bars) >= 2  # one bar per provider


def test_the_pdf_names_the_clinic_of_the_policy(clinic, monkeypatch, tmp_path, capsys):
    env, root = clinic
    named = BillingPolicy(organization_name="Lakeside Health Centre")
    env = dataclasses.replace(env, policy=dataclasses.replace(TEST_POLICY, billing=named))
    out = tmp_path / "visits.pdf"
    assert hearth((env, root), monkeypatch, "visits-per-week", *FORTNIGHT, "--pdf",
                  str(out)) == 0
    with pdfplumber.open(out) as pdf:
        words = " ".join(pdf.pages[0].extract_text().split())
    assert words.startswith("Lakeside Health Centre · Clinic report Visits per week: "
                            "03 Mar 2025 to 16 Mar 2025")
    assert words.endswith("Page 1 of 1")


def test_a_period_without_claims_is_a_pdf_saying_so(clinic, monkeypatch, tmp_path, capsys):
    out = tmp_path / "claims.pdf"
    assert hearth(clinic, monkeypatch, "claims-by-status", "--from", "2030-01-01", "--to",
                  "2030-01-31", "--pdf", str(out), "--json") == 0
    said = json.loads(capsys.readouterr().out)
    assert (said["report"], said["rows"], said["pages"]) == ("claims-by-status", 0, 1)
    with pdfplumber.open(out) as pdf:
        assert "Nothing to count in this period: no rows." in pdf.pages[0].extract_text()


def test_list_names_every_report(clinic, monkeypatch, capsys):
    assert hearth(clinic, monkeypatch, "list") == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert names == ["visits-per-day", "visits-per-week", "no-show-rate", "new-patients",
                     "top-diagnoses", "unsigned-notes", "unreviewed-results",
                     "claims-by-status"]


@pytest.mark.parametrize(("args", "said"), [
    (["visits-per-month", *FORTNIGHT, "--csv", "{out}"],
     "There is no report called 'visits-per-month'. The reports are: visits-per-day, "
     "visits-per-week, no-show-rate, new-patients, top-diagnoses, unsigned-notes, "
     "unreviewed-results, claims-by-status."),
    (["visits-per-day", "--from", "2025-03-16", "--to", "2025-03-03", "--csv", "{out}"],
     "The period starts after it ends: --from 2025-03-16 is after --to 2025-03-03."),
    (["visits-per-day", "--from", "03/03/2025", "--to", "2025-03-16", "--csv", "{out}"],
     "'03/03/2025' is not a date: write it as YYYY-MM-DD, e.g. 2026-03-02"),
    (["visits-per-day", *FORTNIGHT], "Say where to write the report: --pdf FILE.pdf or "
                                     "--csv FILE.csv."),
    (["visits-per-day", "--csv", "{out}"],
     "Say which days to count: --from YYYY-MM-DD --to YYYY-MM-DD."),
])
def test_each_mistake_is_one_sentence_and_nothing_is_written(clinic, monkeypatch, tmp_path,
                                                              capsys, args, said):
    out = tmp_path / "report.csv"
    status = hearth(clinic, monkeypatch, *[a.replace("{out}", str(out)) for a in args])
    err = capsys.readouterr().err
    assert status == 2 and said in err and len(err.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []
