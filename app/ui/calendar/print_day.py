"""Printing the day sheet from the Calendar: the shown provider's day (or the whole
clinic's) as a PDF the desk prints, on the paper of the workstation's locale unless another
is chosen. The file is chosen in a save dialog (or typed); the day sheet service writes it
through an op (one audited read; a complete file or none) and the view says where it went."""

import os
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from app.bootstrap import Workstation
from app.clinical.visits.day_sheet import DaySheetPrinted, DaySheetRequest, default_paper
from app.clinical.visits.providers import Provider
from app.ui.common.background import Background
from app.ui.common.folders import documents_folder
from app.ui.common.theme import alert_color
from app.ui.operations import calendar as calendar_ops
from fhir_common.messages import sentence

PAPER_NAMES = {"a4": "A4", "letter": "US Letter"}
CLINIC = "The whole clinic"


class DaySheetDialog(QDialog):
    written = Signal(object)  # DaySheetPrinted

    def __init__(self, ws: Workstation, background: Background, shown: Provider | None,
                 day: date, parent=None):
        super().__init__(parent)
        self._ws, self._background = ws, background
        self.setWindowTitle("Day sheet")
        self.setAccessibleName("Print the day sheet")
        self.setMinimumWidth(560)
        self.day = QDateEdit(QDate(day), calendarPopup=True)
        self.day.setDisplayFormat("ddd dd MMM yyyy")
        self.day.setAccessibleName("Day")
        self.whose = QComboBox()
        self.whose.setAccessibleName("Whose day")
        if shown is not None:
            self.whose.addItem(f"{shown.name} ({shown.user})", shown.user)
        self.whose.addItem(CLINIC, None)
        self.paper = QComboBox()
        self.paper.setAccessibleName("Paper")
        for code, name in PAPER_NAMES.items():
            self.paper.addItem(name, code)
        self.paper.setCurrentIndex(self.paper.findData(default_paper(os.environ)))
        self.path = QLineEdit(self._suggested())
        self.path.setAccessibleName("Save to")
        self.browse = QPushButton("Choose…")
        self.browse.setAutoDefault(False)
        self.said = QLabel("The PDF is written where you choose; print it from there.")
        self.said.setWordWrap(True)
        self.said.setAccessibleName("Day sheet message")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.write = buttons.addButton("Write PDF", QDialogButtonBox.ButtonRole.AcceptRole)
        self.write.setDefault(True)
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(self.browse)
        form = QFormLayout()
        form.addRow("Day", self.day)
        form.addRow("Whose", self.whose)
        form.addRow("Paper", self.paper)
        form.addRow("Save to", where)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.said)
        layout.addWidget(buttons)
        self.day.dateChanged.connect(lambda _day: self.path.setText(self._suggested()))
        self.whose.currentIndexChanged.connect(lambda _i: self.path.setText(self._suggested()))
        self.browse.clicked.connect(self.choose_file)
        self.write.clicked.connect(self.submit)
        buttons.rejected.connect(self.reject)

    def choose_file(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(self, "Save the day sheet", self.path.text(),
                                                "PDF (*.pdf)")
        if chosen:
            self.path.setText(chosen)

    def submit(self) -> None:
        text = self.path.text().strip()
        if not text:
            self._say("Say where to save the day sheet: a file name ending in .pdf.")
            return
        output = Path(text).expanduser()
        if output.suffix.lower() != ".pdf":
            output = output.with_name(output.name + ".pdf")
        request = DaySheetRequest(self.day.date().toPython(), output, self.whose.currentData(),
                                  self.paper.currentData())
        self.write.setEnabled(False)
        self.said.setStyleSheet("")
        self.said.setText("Writing the day sheet…")
        calendar_ops.day_sheet(self, self._background, self._ws, request).success(
            self._written).failure(self._refused).run()

    def _suggested(self) -> str:
        """In Documents (or home), named by the day and whose it is."""
        whose = self.whose.currentData() or "clinic"
        day = self.day.date().toPython()
        return str(documents_folder() / f"day-sheet-{day:%Y-%m-%d}-{whose}.pdf")

    def _written(self, printed: DaySheetPrinted) -> None:
        self.written.emit(printed)
        self.accept()

    def _refused(self, exc: Exception) -> None:
        self.write.setEnabled(True)
        self._say(sentence(exc))

    def _say(self, text: str) -> None:
        self.said.setStyleSheet(f"color: {alert_color()}")
        self.said.setText(text)
