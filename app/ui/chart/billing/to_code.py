"""The "To code" tab: finished visits still to code, for billing (who reads no chart, so has
no visit window to code from) and for physicians (their own visits).

Each row is a visit of the last RECENT_DAYS days with no claim yet, or with a draft claim
not ready to bill and the first reason why (app.clinical.billing.to_code). Enter, a
double-click or "Code visit…" opens the coding dialog over the tab. The list is read when
the tab is built and again when a claim, a visit or a note changes, so a visit coded ready
leaves the list and a visit just finished joins it.
"""

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.bootstrap import Workstation
from app.clinical.billing.to_code import RECENT_DAYS, ToCode
from app.display_time import when_text
from app.ui.chart.billing.coding_dialog import CodingDialog
from app.ui.chart.style import ToneLabel
from app.ui.common.background import Background
from app.ui.common.table_models import Column, RowsModel, row_at, row_table
from app.ui.operations import billing
from fhir_common.messages import sentence

COLUMNS = (Column("Visit", lambda row: when_text(row.start, with_date=True,
                                                  missing="start not recorded")),
           Column("Patient", lambda row: row.patient),
           Column("Type", lambda row: row.kind),
           Column("What is missing", lambda row: row.state))
HEARD = {"Claim", "Encounter", "DocumentReference"}


class VisitsToCodeView(QWidget):
    def __init__(self, ws: Workstation, background: Background, changed: SignalInstance):
        super().__init__()
        self.setAccessibleName("Visits to code")
        self._ws, self._background = ws, background
        self.coding: CodingDialog | None = None
        self.status = ToneLabel("Reading the visits to code…", "muted", "Visits to code status")
        self.model = RowsModel(COLUMNS)
        self.table = row_table(self.model, "Finished visits still to code", 3)
        self.model.setParent(self.table)
        self.table.activated.connect(lambda _index: self.open_selected())
        self.table.doubleClicked.connect(lambda _index: self.open_selected())
        self.code_button = QPushButton("C&ode visit…")
        self.code_button.setAccessibleName("Code the selected visit")
        self.code_button.clicked.connect(self.open_selected)
        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.code_button)
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(self.table, 1)
        changed.connect(self._heard)
        self.read()

    def read(self) -> None:
        billing.to_code(self, self._background, self._ws).success(self._show).failure(
            self._not_read).run()

    def open_selected(self) -> CodingDialog | None:
        if not self.table.currentIndex().isValid():
            return None
        row: ToCode = row_at(self.table)
        if self.coding is not None and self.coding.isVisible():
            self.coding.close()
        self.coding = CodingDialog(self._ws, self._background, row.encounter_id, self)
        self.coding.show()
        return self.coding

    def _show(self, rows: list[ToCode]) -> None:
        self.model.set_rows(rows)
        self.status.set_tone("muted")
        self.status.setText(
            f"{len(rows)} finished visit(s) of the last {RECENT_DAYS} days still to code; "
            "Enter opens the selected one." if rows
            else f"No finished visit of the last {RECENT_DAYS} days is waiting to be coded.")
        if rows and not self.table.currentIndex().isValid():
            self.table.selectRow(0)
        self.code_button.setEnabled(bool(rows))

    def _not_read(self, exc: Exception) -> None:
        self.status.set_tone("alert")
        self.status.setText(f"The visits to code could not be read. {sentence(exc)}")

    def _heard(self, changes) -> None:
        if changes.kinds & HEARD or "notes" in changes.sections:
            self.read()
