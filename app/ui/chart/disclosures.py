"""The chart's Disclosures tab: every print and export of this patient's record made on
this workstation, with when, by whom, what and to whom (app.clinical.disclosures), and the
list printed for the patient on the letterhead.

It reads when first shown and on Refresh, not on every change: a print writes only an audit
row, which announces nothing, so the list is a snapshot taken when asked for. Printing it
for the patient is recorded as a disclosure too, and the list is read again after it.
"""

from pathlib import Path

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.bootstrap import Workstation
from app.clinical.disclosures.accounting import Disclosure
from app.clinical.printing.printouts import Printed
from app.display_time import when_text
from app.ui.chart.style import ToneLabel
from app.ui.common.background import Background
from app.ui.common.table_models import Column, RowsModel, row_table
from app.ui.operations import disclosures
from fhir_common.messages import sentence

COLUMNS = (Column("When", lambda d: when_text(d.at, with_date=True)),
           Column("By", lambda d: d.by), Column("What", lambda d: d.what),
           Column("To", lambda d: d.to))
FOR_THE_PATIENT = "the patient"


class DisclosuresTab(QWidget):
    def __init__(self, ws: Workstation, background: Background, patient_id: str):
        super().__init__()
        self._ws, self._background, self._patient_id = ws, background, patient_id
        self.read = False  # whether a list has been asked for
        self._printed_to = ""  # said after the list read again once a print is done
        self.status = ToneLabel("Reading the disclosures…", "muted", "Disclosures status")
        self.status.setWordWrap(True)
        self.model = RowsModel(COLUMNS)
        self.table = row_table(self.model, "Disclosures of this patient's record", 2)
        self.refresh = QPushButton("&Refresh")
        self.refresh.setAccessibleName("Read the disclosures again")
        self.print = QPushButton("&Print for the patient…")
        self.print.setAccessibleName("Print the accounting of disclosures for the patient")
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh)
        buttons.addStretch()
        buttons.addWidget(self.print)
        box = QVBoxLayout(self)
        box.addWidget(self.status)
        box.addWidget(self.table, 1)
        box.addLayout(buttons)
        self.refresh.clicked.connect(self.load)
        self.print.clicked.connect(self._print_asked)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's API)
        super().showEvent(event)
        if not self.read:
            self.load()

    def load(self) -> None:
        self.read = True
        disclosures.listed(self, self._background, self._ws, self._patient_id).success(
            self._show).failure(self._fail).run()

    def print_to(self, output: Path) -> None:
        """Print the list for the patient to `output` (the Print button asks where)."""
        self.status.set_tone("muted")
        self.status.setText("Printing…")
        disclosures.print_for_patient(self, self._background, self._ws, self._patient_id,
                                      output, FOR_THE_PATIENT).success(self._printed).failure(
            self._fail).run()

    def _print_asked(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Save the accounting of disclosures",
            str(Path.home() / "accounting-of-disclosures.pdf"), "PDF (*.pdf)")
        if chosen:
            self.print_to(Path(chosen))

    def _show(self, answer: tuple[str, list[Disclosure]]) -> None:
        name, listed = answer
        self.model.set_rows(listed)
        count = len(listed)
        self.status.set_tone("muted")
        self.status.setText(
            f"{count} {'disclosure' if count == 1 else 'disclosures'} of {name}'s record made "
            "here, oldest first: every print and export, with whom it went to."
            if count else f"Nothing from {name}'s record has been printed or exported here.")
        if self._printed_to:
            self.status.setText(f"{self._printed_to} {self.status.text()}")
            self._printed_to = ""

    def _printed(self, printed: Printed) -> None:
        self._printed_to = (f"Printed for the patient to {printed.path} ({printed.pages} "
                            f"{'page' if printed.pages == 1 else 'pages'}).")
        self.load()

    def _fail(self, exc: Exception) -> None:
        self.status.set_tone("alert")
        self.status.setText(sentence(exc))
