"""The forms of the Amendments tab: record a patient's request about one record, and
accept or deny it (app.clinical.amendments.requests). Both save on the database thread and
stay open with the service's sentence on a refusal (no text, a denial without a reason)."""

from PySide6.QtWidgets import QComboBox, QPlainTextEdit, QWidget

from app.bootstrap import Workstation
from app.clinical.amendments.requests import Amendment
from app.ui.chart.entry_dialogs import EntryDialog
from app.ui.chart.style import ToneLabel
from app.ui.common.background import Background
from app.ui.operations import Op, amendments


def _text_box(dialog: EntryDialog, lines: int) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setFixedHeight(dialog.fontMetrics().height() * lines)
    return box


class RequestDialog(EntryDialog):
    """Which record, and what the patient asks, in their words."""

    def __init__(self, ws: Workstation, background: Background, patient_id: str,
                 patient: str, parent: QWidget | None = None):
        super().__init__(background, "Amendment request",
                         f"Record {patient}'s request to amend their record", "Record request",
                         parent)
        self._ws, self._patient_id = ws, patient_id
        self.record = self.field("&Record", QComboBox(), "The record the patient asks to amend")
        self.words = self.field("&Request", _text_box(self, 5), "What the patient asks")
        self.words.setPlaceholderText("What the patient asks to be changed, in their words")
        self.setMinimumHeight(self.fontMetrics().height() * 18)
        self.save.setEnabled(False)  # until the records are read
        self.say("Reading the chart's records…")
        amendments.choices(self, background, ws, patient_id).success(self._offer).failure(
            lambda exc: self._refused(exc)).run()

    def _offer(self, found: list[tuple[str, str]]) -> None:
        for reference, label in found:
            self.record.addItem(label, reference)
        self.save.setEnabled(True)
        self.say("")

    def operation(self) -> Op[Amendment] | None:
        return amendments.request(self, self._background, self._ws, self._patient_id,
                                  self.record.currentData() or "", self.words.toPlainText())


class DecisionDialog(EntryDialog):
    """Accept (the amendment appended to the record) or deny (with the reason the patient
    is given in writing)."""

    def __init__(self, ws: Workstation, background: Background, request: Amendment,
                 accept: bool, parent: QWidget | None = None):
        verb = "Accept" if accept else "Deny"
        super().__init__(background, f"{verb} amendment request",
                         f"{verb} the request about {request.record_title}",
                         f"{verb} request", parent)
        self._ws, self._request, self._accept = ws, request, accept
        asked = ToneLabel(f"The patient asks: “{request.text}”", None, "The patient's request")
        asked.setWordWrap(True)
        self.form.addRow(asked)
        self.form.addRow(ToneLabel(
            "Accepting appends it to the record; what the record said is kept." if accept
            else "The request and your reason stay with the record; the patient is told the "
                 "reason in writing.", "muted", "What this does"))
        self.reason = self.field("&Note" if accept else "&Reason", _text_box(self, 4),
                                 "Note, optional" if accept else "Reason for the denial")
        self.setMinimumHeight(self.fontMetrics().height() * 18)

    def operation(self) -> Op[Amendment] | None:
        return amendments.decide(self, self._background, self._ws, self._request.id,
                                 self._accept, self.reason.toPlainText())
