"""`hearth orders print` prints every current signed order as before; `--today` only those
signed today and `--order ID` only those named, each refusal a sentence and exit 2."""

from datetime import datetime, timedelta

import pdfplumber

from app.bootstrap import open_workstation
from tests.cli.test_order_commands import clinic, hearth  # noqa: F401 (the fixture)
from tests.clinical.orders.test_prescription_choice import ordered
from tests.conftest import password_of


def said(path) -> str:
    with pdfplumber.open(path) as pdf:
        return " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)


def test_today_and_order_choose_what_the_prescription_prints(
        clinic, monkeypatch, capsys, tmp_path):  # noqa: F811
    env, root, ann = clinic
    doc = open_workstation(env, root, "doc", password_of("doc"))
    try:
        old = (datetime.now().astimezone() - timedelta(days=30)).isoformat()
        ordered(doc, ann, "Lisinopril 10 mg tablet", old)
    finally:
        doc.close()
    every, today, one = (tmp_path / n for n in ("all.pdf", "today.pdf", "one.pdf"))

    assert hearth(clinic, monkeypatch, "orders", "print", ann, "--output", str(every),
                  "--kind", "prescription") == 0
    assert "Lisinopril" in said(every) and "Metformin" in said(every)
    assert hearth(clinic, monkeypatch, "orders", "print", ann, "--output", str(today),
                  "--kind", "prescription", "--today") == 0
    assert "Lisinopril" not in said(today) and "Metformin" in said(today)
    assert hearth(clinic, monkeypatch, "orders", "print", ann, "--output", str(one),
                  "--kind", "prescription", "--order", "lisinopril") == 0
    assert "Lisinopril" in said(one) and "Metformin" not in said(one)
    capsys.readouterr()

    assert hearth(clinic, monkeypatch, "orders", "print", ann, "--output", str(one),
                  "--kind", "prescription", "--order", "nope-1") == 2
    assert capsys.readouterr().err == ("hearth: Missing or invalid input: Nothing was printed: "
                                       "nope-1 is not a signed order among Okafor, Ann's "
                                       "medication orders.\n")
