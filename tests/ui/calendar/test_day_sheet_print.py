"""The day sheet from the Calendar: the shown provider's day written to the PDF chosen, on
the locale's paper, and the status line says where."""

from datetime import time
from pathlib import Path

import pdfplumber
from PySide6.QtCore import Qt

from app.ui.calendar.print_day import DaySheetDialog
from tests.ui.calendar.test_calendar_week import NEXT_MONDAY, WAIT, at, book, go_to, open_calendar

LETTER_WIDTH = 612  # points


def test_the_day_sheet_is_written_where_chosen_and_names_the_patient(
        qtbot, clinic, ws, background, tmp_path, monkeypatch):
    monkeypatch.setenv("LC_PAPER", "en_US.UTF-8")
    book(ws, clinic.patient_ids["Johnston"], at(time(9)))
    view = open_calendar(qtbot, ws, background)
    go_to(qtbot, view, at(time(9)))
    qtbot.keyClick(view.grid, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)  # Day sheet…
    dialog = view.dialog
    assert isinstance(dialog, DaySheetDialog) and dialog.isVisible()
    assert dialog.day.date().toPython() == NEXT_MONDAY  # the cursor's day
    assert (dialog.whose.currentText(), dialog.paper.currentText()) == ("Dr Lee (drlee)",
                                                                        "US Letter")
    dialog.path.setText(str(tmp_path / "monday"))  # .pdf is added
    qtbot.mouseClick(dialog.write, Qt.MouseButton.LeftButton)

    written = tmp_path / "monday.pdf"
    qtbot.waitUntil(lambda: view.said.text().startswith("Wrote the day sheet"), timeout=WAIT)
    assert view.said.text() == (f"Wrote the day sheet to {written}: 1 appointment on 1 page "
                                "(US Letter).")
    with pdfplumber.open(written) as pdf:
        assert round(pdf.pages[0].width) == LETTER_WIDTH
        assert "Johnston, Chauncey" in pdf.pages[0].extract_text()


def test_a_day_sheet_with_nowhere_to_go_says_so(qtbot, clinic, ws, background):
    view = open_calendar(qtbot, ws, background)
    qtbot.keyClick(view.grid, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    view.dialog.path.clear()
    qtbot.mouseClick(view.dialog.write, Qt.MouseButton.LeftButton)
    assert view.dialog.said.text() == "Say where to save the day sheet: a file name ending in .pdf."
    assert view.dialog.isVisible()


def test_a_day_sheet_into_a_missing_folder_is_refused_in_the_dialog(qtbot, ws, background,
                                                                    tmp_path):
    view = open_calendar(qtbot, ws, background)
    qtbot.keyClick(view.grid, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    view.dialog.path.setText(str(tmp_path / "no such folder" / "day.pdf"))
    qtbot.mouseClick(view.dialog.write, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.dialog.write.isEnabled(), timeout=WAIT)
    said = view.dialog.said.text()
    assert "no such folder" in said and said.endswith("Nothing was written.")
    assert view.dialog.isVisible()
    assert not (tmp_path / "no such folder").exists()


def test_a_fresh_account_without_documents_is_offered_its_home(qtbot, ws, background,
                                                                tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))  # a new account: no Documents folder yet
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    view = open_calendar(qtbot, ws, background)
    qtbot.keyClick(view.grid, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    suggested = Path(view.dialog.path.text())
    assert suggested.parent == tmp_path and suggested.suffix == ".pdf"
