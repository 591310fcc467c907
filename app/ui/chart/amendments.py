"""The chart's Amendments tab: the patient's requests to amend their record, each with the
record it is about, what was asked, and what became of it (accepted: where the amendment
was appended; denied: the reason), ONC 170.315(d)(4).

Nurses and physicians record a request (EDIT_CHART); a physician accepts or denies it
(SIGN_NOTES); the buttons follow the service's permissions. The list is read when first
shown and again whenever a Task of this patient is saved (this workstation's or sync's).
"""

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.bootstrap import Workstation
from app.clinical.amendments.requests import Amendment
from app.clinical.records import Changes
from app.display_time import when_text
from app.security.roles import Permission
from app.ui.chart.amendment_dialogs import DecisionDialog, RequestDialog
from app.ui.chart.style import ToneLabel
from app.ui.common.background import Background
from app.ui.common.table_models import Column, RowsModel, row_at, row_table
from app.ui.operations import amendments
from fhir_common.messages import sentence


def _outcome(a: Amendment) -> str:
    if a.status == "denied":
        return f"Reason: {a.reason}"
    if a.status == "accepted":
        if a.appended == a.record:
            return "Appended to the record as a note"
        return ("Kept with the record (it has no place for notes)"
                if a.appended == f"Task/{a.id}" else "Appended as an addendum to the note")
    return "Waiting for a physician's decision"


COLUMNS = (Column("Asked", lambda a: when_text(a.requested_at, with_date=True)),
           Column("Record", lambda a: a.record_title),
           Column("The patient asks", lambda a: a.text),
           Column("Status", lambda a: a.status.capitalize()),
           Column("Outcome", _outcome))


class AmendmentsTab(QWidget):
    def __init__(self, ws: Workstation, background: Background, patient_id: str,
                 patient: str):
        super().__init__()
        self._ws, self._background = ws, background
        self._patient_id, self._patient = patient_id, patient
        self.read = False
        self.status = ToneLabel("Reading the amendment requests…", "muted",
                                "Amendment requests status")
        self.model = RowsModel(COLUMNS, flagged=lambda a: a.status == "requested")
        self.table = row_table(self.model, "Amendment requests", 2)
        self.history = ToneLabel("", "muted", "What happened to the selected request")
        self.history.setWordWrap(True)
        self.ask = QPushButton("Record &request…")
        self.accept = QPushButton("&Accept…")
        self.deny = QPushButton("&Deny…")
        buttons = QHBoxLayout()
        buttons.addWidget(self.ask)
        buttons.addStretch()
        for button, needs in ((self.ask, Permission.EDIT_CHART),
                              (self.accept, Permission.SIGN_NOTES),
                              (self.deny, Permission.SIGN_NOTES)):
            button.setAccessibleName(button.text().replace("&", "").rstrip("…"))
            button.setVisible(ws.session.may(needs))
            if button is not self.ask:
                buttons.addWidget(button)
        box = QVBoxLayout(self)
        box.addWidget(self.status)
        box.addWidget(self.table, 1)
        box.addWidget(self.history)
        box.addLayout(buttons)
        self.ask.clicked.connect(self._record_request)
        self.accept.clicked.connect(lambda: self._decide(accept=True))
        self.deny.clicked.connect(lambda: self._decide(accept=False))
        self.table.selectionModel().currentRowChanged.connect(self._selected)
        self._selected()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's API)
        super().showEvent(event)
        if not self.read:
            self.load()

    def take(self, changes: Changes) -> None:
        """Read again when a request of this patient was saved, once the list is shown."""
        if self.read and self._patient_id in changes.patients and "Task" in changes.kinds:
            self.load()

    def load(self) -> None:
        self.read = True
        amendments.listed(self, self._background, self._ws, self._patient_id).success(
            self._show).failure(self._fail).run()

    def selected(self) -> Amendment | None:
        return row_at(self.table)

    def request_dialog(self) -> RequestDialog:
        return RequestDialog(self._ws, self._background, self._patient_id, self._patient, self)

    def decision_dialog(self, accept: bool) -> DecisionDialog | None:
        chosen = self.selected()
        return None if chosen is None else DecisionDialog(self._ws, self._background, chosen,
                                                          accept, self)

    def _record_request(self) -> None:
        self.request_dialog().open()

    def _decide(self, accept: bool) -> None:
        if dialog := self.decision_dialog(accept):
            dialog.open()

    def _show(self, found: list[Amendment]) -> None:
        self.model.set_rows(found)
        waiting = sum(a.status == "requested" for a in found)
        self.status.set_tone("muted")
        noun = "request" if len(found) == 1 else "requests"
        self.status.setText(f"{len(found)} amendment {noun}, {waiting} waiting for a "
                            "decision." if found else "The patient has asked for no "
                                                      "amendments.")
        self._selected()

    def _selected(self, *_: object) -> None:
        chosen = self.selected()
        open_one = chosen is not None and chosen.status == "requested"
        self.accept.setEnabled(open_one)
        self.deny.setEnabled(open_one)
        self.history.setText("\n".join((f"The patient asks: “{chosen.text}”",
                                        *chosen.history)) if chosen else "")

    def _fail(self, exc: Exception) -> None:
        self.status.set_tone("alert")
        self.status.setText(sentence(exc))
