"""`hearth print --to` and `hearth disclosures` as a privacy officer meets them: the print
names its recipient, the list shows it with when and by whom, and the list printed for the
patient is written and recorded too."""

import pdfplumber
import pytest

from app.cli.commands import main
from tests.clinical.amendments.amendment_ward import OTTO, build
from tests.conftest import password_of


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    root = tmp_path_factory.mktemp("disclosures-cli") / "store"
    return build(root), root


def hearth(clinic, monkeypatch, *args: str, user: str = "drlee") -> int:
    env, root = clinic
    monkeypatch.setenv("HEARTH_PASSWORD", password_of(user))
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    try:
        return main(["--store", str(root), "--user", user, *args], env=env)
    except SystemExit as parsed:
        return parsed.code


def test_a_print_to_someone_is_listed_and_the_list_prints_for_the_patient(
        clinic, monkeypatch, capsys, tmp_path):
    assert hearth(clinic, monkeypatch, "disclosures", OTTO) == 0
    assert capsys.readouterr().out == (
        "Nothing from Berg, Otto's record has been printed or exported here.\n")
    assert hearth(clinic, monkeypatch, "print", OTTO, "problems", "--output",
                  str(tmp_path / "p.pdf"), "--to", "Riverside Rheumatology") == 0
    capsys.readouterr()
    assert hearth(clinic, monkeypatch, "disclosures", OTTO, user="audrey") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Disclosures of Berg, Otto's record (1), oldest first:"
    assert "by Dr Lee (physician)  to Riverside Rheumatology: Problem list printed to" in (
        lines[1])
    out = tmp_path / "accounting.pdf"
    assert hearth(clinic, monkeypatch, "disclosures", OTTO, "--pdf", str(out)) == 0
    assert capsys.readouterr().out == (f"Wrote the accounting of disclosures of Berg, Otto to "
                                       f"{out}: 1 disclosure on 1 page (letter).\n")
    with pdfplumber.open(out) as pdf:
        said = " ".join(pdf.pages[0].extract_text().split())
    assert "Riverside Rheumatology" in said
    assert hearth(clinic, monkeypatch, "disclosures", OTTO) == 0
    assert "to the patient: Accounting of disclosures printed to" in capsys.readouterr().out


def test_the_front_desk_is_refused_in_one_sentence(clinic, monkeypatch, capsys):
    assert hearth(clinic, monkeypatch, "disclosures", OTTO, user="frank") == 4
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_an_empty_recipient_is_one_sentence_and_no_file(clinic, monkeypatch, capsys,
                                                        tmp_path):
    assert hearth(clinic, monkeypatch, "print", OTTO, "problems", "--output",
                  str(tmp_path / "p.pdf"), "--to", " ") == 2
    assert "The recipient is empty: name who the document is for" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
