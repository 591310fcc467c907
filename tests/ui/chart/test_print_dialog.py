"""Print… from the chart as a clinician uses it: Ctrl+P, the immunization record for the
school, the PDF read back and the disclosure listed with its recipient; a visit's document
offers the finished visits latest first; a file that cannot be written is a sentence in the
dialog and nothing is left on disk."""

import pdfplumber
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.clinical.disclosures.accounting import Disclosures
from app.ui.chart.view import ChartView

WAIT = 10_000
SCHOOL = "Riverside Elementary School"


@pytest.fixture
def chart(qtbot, ws, background, clinic):
    opened = ChartView(ws, background, clinic.patient_ids["Johnston"])
    qtbot.addWidget(opened)
    opened.resize(1200, 800)
    opened.show()
    qtbot.waitUntil(lambda: opened.summary is not None, timeout=WAIT)
    opened.activateWindow()  # shortcuts go to the active window
    qtbot.waitUntil(opened.isActiveWindow, timeout=WAIT)
    return opened


def print_dialog(qtbot, chart):
    """Ctrl+P in the chart, and Print… read what it offers."""
    QTest.keyClick(chart.sections, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = chart.printing
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(dialog.print_button.isEnabled, timeout=WAIT)
    return dialog


def test_ctrl_p_prints_the_immunization_record_for_whom_it_is_for(qtbot, ws, chart, clinic,
                                                                 tmp_path, background):
    dialog = print_dialog(qtbot, chart)
    assert dialog.heading.text() == "Print a document of Johnston, Chauncey"
    dialog.document.setCurrentIndex(dialog.document.findText("Immunization record"))
    assert not dialog.visit.isEnabled()  # the record covers the whole chart
    assert dialog.path.text().endswith(".pdf") and "Johnston-Chauncey-immunizations-" in \
        dialog.path.text()
    QTest.keyClicks(dialog.recipient, SCHOOL)
    dialog.path.setText(str(tmp_path / "shots"))
    with qtbot.waitSignal(dialog.printed, timeout=WAIT):
        QTest.keyClick(dialog.print_button, Qt.Key.Key_Space)
    output = tmp_path / "shots.pdf"
    with pdfplumber.open(output) as pdf:
        text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert "Johnston, Chauncey" in text and "Influenza, seasonal, injectable" in text
    assert dialog.message.text().startswith(f"Saved the immunization record of Johnston, "
                                            f"Chauncey to {output} (")
    assert f"Recorded as given to {SCHOOL}. Print it from there." in dialog.message.text()
    assert dialog.open_button.isHidden()  # offscreen: no desktop to open it on
    _, listed = Disclosures(ws.store).of_patient(ws.session, clinic.patient_ids["Johnston"])
    assert (listed[-1].to, listed[-1].what.startswith("Immunization record printed to "
                                                      f"{output}")) == (SCHOOL, True)
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_a_visits_document_offers_the_finished_visits_latest_first(qtbot, chart):
    dialog = print_dialog(qtbot, chart)
    dialog.document.setCurrentIndex(dialog.document.findText("After-visit summary"))
    labels = [dialog.visit.itemText(n) for n in range(dialog.visit.count())]
    starts = [v.start for v in dialog.choices.visits]
    assert dialog.visit.isEnabled() and len(labels) == 8 and starts == sorted(starts,
                                                                              reverse=True)
    assert dialog.not_offered.text().startswith("Not offered: the superbill, since none of "
                                                "Johnston, Chauncey's 8 finished visits is "
                                                "coded yet")
    first_day = starts[0][:10]
    assert dialog.path.text().endswith(f"-after-visit-summary-{first_day}.pdf")


def test_a_file_that_cannot_be_written_is_a_sentence_and_nothing_is_left(qtbot, chart,
                                                                         tmp_path, background):
    dialog = print_dialog(qtbot, chart)
    dialog.document.setCurrentIndex(dialog.document.findText("Problem list"))
    dialog.path.setText(str(tmp_path / "no such folder" / "problems.pdf"))
    dialog.print_button.click()
    qtbot.waitUntil(lambda: "Nothing was written" in dialog.message.text(), timeout=WAIT)
    assert dialog.message.text().endswith(
        f"Cannot write the problem list to {tmp_path / 'no such folder' / 'problems.pdf'}: "
        "No such file or directory. Nothing was written.")
    assert dialog.print_button.isEnabled() and list(tmp_path.iterdir()) == [tmp_path / "clinic"]
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
