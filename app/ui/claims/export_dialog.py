"""Export 837P…: the submitted claims of visits since a day, as one X12 837P file for the
clearinghouse (app.clinical.billing.x12_837, as `hearth claims export-837`).

The day defaults to the first of last month, the file to Documents (else home) named for
the day it was written. What the service refuses (a claim not ready to bill, billing
settings the policy lacks, nothing waiting to be sent) stays in the dialog in its sentence
and no file is written; once written, the dialog closes and the tab says what went out and
the export's notes: claims left out and why.
"""

from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
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
    QWidget,
)

from app.bootstrap import Workstation
from app.clinical.billing.x12_837 import Batch
from app.ui.claims.words import said
from app.ui.common import theme
from app.ui.common.background import Background
from app.ui.common.folders import documents_folder
from app.ui.operations import claims as claim_ops


def first_of_last_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


class ExportDialog(QDialog):
    exported = Signal(object, object)  # the Batch written, the file's Path

    def __init__(self, ws: Workstation, background: Background, parent: QWidget | None = None):
        super().__init__(parent)
        self._ws, self._background = ws, background
        self.setWindowTitle("Export claims as an X12 837P")
        self.since = QDateEdit(QDate(first_of_last_month(date.today())), calendarPopup=True)
        self.since.setDisplayFormat("ddd dd MMM yyyy")
        self.since.setAccessibleName("Claims of visits since")
        self.output = QLineEdit(str(_folder() / f"claims-{date.today().isoformat()}.837"))
        self.output.setAccessibleName("837P file")
        self.choose = QPushButton("&Choose…")
        self.choose.setAutoDefault(False)
        self.choose.clicked.connect(self._choose_file)
        self.message = QLabel("Only submitted claims not yet sent or answered go out; "
                              "self-pay claims are named, not sent.")
        self.message.setAccessibleName("Export message")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.addButton(
            "&Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)
        file_row = QHBoxLayout()
        file_row.addWidget(self.output, 1)
        file_row.addWidget(self.choose)
        form = QFormLayout()
        form.addRow("Visits &since", self.since)
        form.addRow("&File", file_row)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.message)
        box.addWidget(self.buttons)
        self.resize(560, self.sizeHint().height())

    def export(self) -> None:
        typed = self.output.text().strip()
        if not typed:
            self._say("Name the file to write the 837P to. Nothing was exported.", alert=True)
            return
        output = Path(typed).expanduser()
        self.export_button.setEnabled(False)
        self._say(f"Writing {output}…")
        claim_ops.export(self, self._background, self._ws, self.since.date().toPython(),
                         output).success(lambda batch: self._written(batch, output)).failure(
            self._refused).run()

    def _written(self, batch: Batch, output: Path) -> None:
        self.exported.emit(batch, output)
        self.accept()

    def _refused(self, exc: Exception) -> None:
        self.export_button.setEnabled(True)
        self._say(f"No file was written. {said(exc)}", alert=True)

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Write the 837P to", self.output.text(),
                                              "X12 837P (*.837 *.txt);;All files (*)")
        if path:
            self.output.setText(path)

    def _say(self, text: str, alert: bool = False) -> None:
        self.message.setStyleSheet(f"color: {theme.alert_color()};" if alert else "")
        self.message.setText(text)


def _folder() -> Path:
    return documents_folder()
