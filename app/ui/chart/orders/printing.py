"""Print signed orders from the chart: a save-file dialog asks where, then the requisition
or prescription PDF is written by Workstation.order_prints (one audited export read, the
file whole or not at all) on the database thread, and the path is said after. Nothing
signed means nothing written, and the sentence says so (and how many orders wait).

A prescription prints, by default, the medication orders signed today: what the prescriber
hands over at the end of the visit, not every repeat still running; the Orders tab offers
all current ones as the other choice (CHOICES)."""

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from app.bootstrap import Workstation
from app.clinical.orders.order_prints import OrdersPrinted
from app.clinical.printing.choices import person_in_file_name
from app.ui.common.background import Background
from app.ui.common.folders import documents_folder
from app.ui.operations import orders

PAPERS = {"lab": "requisition", "prescription": "prescription"}
# which signed medication orders a prescription prints, as the Orders tab offers them
CHOICES = (("today", "Signed &today…"), ("current", "&All current medication orders…"))


def default_name(patient: str, kind: str) -> str:
    """"Nwosu-Bea-requisition.pdf": the patient and the paper, no spaces or commas."""
    return f"{person_in_file_name(patient)}-{PAPERS[kind]}.pdf"


class PrintChooser(QObject):
    printed = Signal(str)  # what was written, and where
    failed = Signal(object)  # the exception

    def __init__(self, owner: QWidget, ws: Workstation, background: Background,
                 patient_id: str, patient: str):
        super().__init__(owner)
        self._owner, self._ws, self._background = owner, ws, background
        self._patient_id, self._patient = patient_id, patient
        self.dialog: QFileDialog | None = None

    def ask(self, kind: str, which: str = "current") -> QFileDialog:
        """The save-file dialog, open over the chart; choosing a file prints to it."""
        dialog = QFileDialog(self._owner, f"Save the {PAPERS[kind]}",
                             str(documents_folder() / default_name(self._patient, kind)),
                             "PDF (*.pdf)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("pdf")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)  # the same on every desktop
        dialog.setAccessibleName(f"Save the {PAPERS[kind]}")
        dialog.fileSelected.connect(lambda path: self.print_to(kind, Path(path), which))
        dialog.open()
        self.dialog = dialog
        return dialog

    def print_to(self, kind: str, path: Path, which: str = "current") -> None:
        orders.print_orders(self._owner, self._background, self._ws, self._patient_id, kind,
                            path, which).success(
            lambda done: self._written(kind, done, which)).failure(self.failed.emit).run()

    def _written(self, kind: str, done: OrdersPrinted, which: str) -> None:
        orders_said = f"{done.orders} order{'s' if done.orders != 1 else ''}" + (
            " signed today" if which == "today" else "")
        pages = f"{done.pages} page{'s' if done.pages != 1 else ''}"
        self.printed.emit(f"The {PAPERS[kind]} ({orders_said}, {pages}) was saved to "
                          f"{done.path}.")
