"""`hearth print` as a script meets it: the exact command of issue 16 writes the document,
says where and how long it is, and answers a mistake with one sentence, exit 2 and no file."""

import json

import pdfplumber
import pytest

from app.cli.commands import main
from tests.clinical.chart.visit_ward import EMPTY_VISIT, ROSA, VISIT
from tests.clinical.printing.print_ward import build
from tests.conftest import password_of


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    root = tmp_path_factory.mktemp("print-cli") / "store"
    return build(root, {"doc": ("Dr Lee", "physician"),
                        "bill": ("Bea Biller", "billing")}), root


def hearth(clinic, monkeypatch, *args: str, user: str = "doc") -> int:
    env, root = clinic
    monkeypatch.setenv("HEARTH_PASSWORD", password_of(user))
    monkeypatch.setenv("LANG", "en_US.UTF-8")  # Letter paper
    try:
        return main(["--store", str(root), "--user", user, *args], env=env)
    except SystemExit as parsed:
        return parsed.code


def test_print_writes_the_after_visit_summary_of_a_visit(clinic, monkeypatch, capsys,
                                                         tmp_path):
    out = tmp_path / "avs.pdf"
    assert hearth(clinic, monkeypatch, "print", ROSA, "after-visit-summary", "--visit", VISIT,
                  "--output", str(out)) == 0
    assert capsys.readouterr().out == (f"Wrote the after-visit summary of Ruiz, Rosa to {out}: "
                                       "7 entries on 1 page (letter).\n")
    with pdfplumber.open(out) as pdf:
        said = " ".join(pdf.pages[0].extract_text().split())
    assert said.startswith("After-visit summary Ruiz, Rosa · born 1961-07-14")
    assert "HbA1c ordered" in said and said.endswith("Page 1 of 1")


def test_print_answers_in_json_for_a_script(clinic, monkeypatch, capsys, tmp_path):
    out = tmp_path / "shots.pdf"
    assert hearth(clinic, monkeypatch, "--json", "print", ROSA, "immunizations", "--output",
                  str(out)) == 0
    assert json.loads(capsys.readouterr().out) == {
        "output": str(out), "document": "immunizations", "entries": 2, "pages": 1,
        "paper": "letter"}


@pytest.mark.parametrize(("args", "said"), [
    ((ROSA, "superbill", "--visit", EMPTY_VISIT), "Nothing to print: the visit of 2026-02-01 "
     f"is not coded yet (hearth visits code {EMPTY_VISIT} --dx CODE --line CODE). No file "
     "was written."),
    ((ROSA, "medications", "--visit", VISIT), "--visit is for a visit's documents"),
    ((ROSA, "visit-note", "--visit", EMPTY_VISIT), "has no signed note. No file was written."),
    ((ROSA, "lab-results"), "argument DOCUMENT: invalid choice: 'lab-results'"),
])
def test_what_cannot_be_printed_is_one_sentence_exit_2_and_no_file(clinic, monkeypatch,
                                                                   capsys, tmp_path, args,
                                                                   said):
    assert hearth(clinic, monkeypatch, "print", *args, "--output",
                  str(tmp_path / "x.pdf")) == 2
    error = capsys.readouterr().err
    assert said in error and len(error.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_billing_prints_the_superbill_of_a_visit_it_coded(clinic, monkeypatch, capsys,
                                                          tmp_path):
    out = tmp_path / "superbill.pdf"
    assert hearth(clinic, monkeypatch, "visits", "code", VISIT, "--dx", "E11.9", "--line",
                  "G0439@1", "--provider", "doc", user="bill") == 0
    capsys.readouterr()
    assert hearth(clinic, monkeypatch, "print", ROSA, "superbill", "--visit", VISIT,
                  "--output", str(out), user="bill") == 0
    assert capsys.readouterr().out == (f"Wrote the superbill of Ruiz, Rosa to {out}: 2 entries "
                                       "on 1 page (letter).\n")
    with pdfplumber.open(out) as pdf:
        said = " ".join(pdf.pages[0].extract_text().split())
    assert said.startswith("Superbill Ruiz, Rosa · born 1961-07-14")
    assert "1 E11.9 Type 2 diabetes mellitus without complications" in said
    assert "1 G0439 1 1 Annual wellness visit" in said and "Total not priced" in said
    assert "Billing provider not set: the policy's billing section names no clinic" in said
    assert said.endswith("Page 1 of 1")
