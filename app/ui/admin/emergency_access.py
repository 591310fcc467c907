"""The Admin tab's Emergency access section: the auditor's review queue of every
break-the-glass (app.clinical.access.review, the service `hearth emergency-access` uses).

Each row is one emergency access: when, who, which patient (by name for the auditor and
roles that read demographics, else the patient's id), the reason
given, how long the access lasted and where it stands (a decided one with the auditor's
note). Those awaiting review come first;
"Show reviewed too" lists the decided ones under them. The auditor marks the chosen one
Reviewed, or Escalated with a note saying why (the note is needed to escalate); nothing
else can be changed here. The list is read again whenever an emergency access is written:
here, by break-the-glass on this computer, or by sync bringing one from another.
"""

from datetime import datetime

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import Workstation
from app.clinical.access.review import EmergencyAccess
from app.display_time import when_text
from app.ui.common import theme
from app.ui.common.background import Background
from app.ui.common.table_models import Column, RowsModel, row_at, row_table
from app.ui.operations import emergency_access
from fhir_common.messages import sentence

HEARD = "Task"
AWAITING = "awaiting review"


def lasted(access: EmergencyAccess) -> str:
    """"4 hours, until 14:00 on 04 Dec 2026" (or the end alone if the start is unreadable)."""
    until = f"until {when_text(access.end, with_date=True, missing='?')}"
    try:
        minutes = int((datetime.fromisoformat(access.end)
                       - datetime.fromisoformat(access.start)).total_seconds() // 60)
    except ValueError:
        return until
    length = f"{minutes // 60} hours" if minutes % 60 == 0 else f"{minutes} minutes"
    return f"{length}, {until}"


def standing(access: EmergencyAccess) -> str:
    """"Awaiting review", or the decision with the auditor's note ("Reviewed: ...")."""
    if access.outcome == AWAITING or not access.notes:
        return access.outcome.capitalize()
    return access.notes[-1]


COLUMNS = (
    Column("Status", standing),
    Column("When", lambda a: when_text(a.start, with_date=True, missing="?")),
    Column("Clinician", lambda a: a.clinician),
    Column("Patient", lambda a: a.patient),
    Column("Reason", lambda a: a.reason),
    Column("Access lasted", lasted),
)


class EmergencyAccessSection(QWidget):
    def __init__(self, ws: Workstation, background: Background, changed: SignalInstance):
        super().__init__()
        self.setAccessibleName("Emergency access")
        self._ws, self._background = ws, background
        heading = QLabel("Emergency access review")
        heading.setStyleSheet("font-size: 16pt; font-weight: 600;")
        about = QLabel("Every time a clinician broke the glass into a restricted chart, on any "
                       "workstation once it has synced. Mark each Reviewed, or Escalated with a "
                       "note saying why.")
        about.setWordWrap(True)
        about.setStyleSheet(f"color: {theme.muted_color()};")
        self.show_done = QCheckBox("&Show reviewed too")
        self.model = RowsModel(COLUMNS, lambda a: a.outcome == AWAITING, self)
        self.table = row_table(self.model, "Emergency accesses", stretch_column=4)
        self.note = QPlainTextEdit()
        self.note.setAccessibleName("Review note")
        self.note.setPlaceholderText("Note (needed to escalate)")
        self.note.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.reviewed = QPushButton("Mark &reviewed")
        self.escalated = QPushButton("&Escalate")
        self.status = QLabel("Reading the emergency accesses…")
        self.status.setAccessibleName("Emergency access status")
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.reviewed)
        buttons.addWidget(self.escalated)
        box = QVBoxLayout(self)
        for widget in (heading, about, self.show_done):
            box.addWidget(widget)
        box.addWidget(self.table, 1)
        box.addWidget(self.note)
        box.addLayout(buttons)
        self.setFocusProxy(self.table)
        self._said: str | None = None  # a decision's answer, kept over the next read
        self.show_done.toggled.connect(lambda _on: self.read())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._enable())
        self.reviewed.clicked.connect(lambda: self.decide("reviewed"))
        self.escalated.clicked.connect(lambda: self.decide("escalated"))
        changed.connect(lambda changes: HEARD in changes.kinds and self.read())
        self._enable()
        self.read()

    def read(self) -> None:
        emergency_access.listed(self, self._background, self._ws, self.show_done.isChecked(
        )).success(self.show_accesses).failure(lambda exc: self._say(sentence(exc), True)).run()

    def show_accesses(self, accesses: list[EmergencyAccess]) -> None:
        kept = row_at(self.table)
        self.model.set_rows(accesses)
        rows = [row_at(self.table, r) for r in range(self.table.model().rowCount())]
        at = next((r for r, a in enumerate(rows) if kept and a.task_id == kept.task_id), 0)
        if rows:
            self.table.selectRow(at)
        waiting = sum(a.outcome == AWAITING for a in accesses)
        counted = ("No emergency access awaits review." if not waiting else
                   "1 emergency access awaits review." if waiting == 1 else
                   f"{waiting} emergency accesses await review.")
        said, self._said = self._said, None
        self._say(f"{said} {counted}" if said else counted)
        self._enable()

    def decide(self, outcome: str) -> None:
        access: EmergencyAccess | None = row_at(self.table)
        if access is None:
            self._say("Choose the emergency access first.", alert=True)
            return
        note = self.note.toPlainText()
        if outcome == "escalated" and not note.strip():
            self._say("Say why you escalate this emergency access (a note is needed).",
                      alert=True)
            self.note.setFocus()
            return
        self._enable(busy=True)
        emergency_access.decide(self, self._background, self._ws, access.task_id, outcome,
                                note).success(lambda _: self._decided(access, outcome)).failure(
            self._not_done).run()

    def _decided(self, access: EmergencyAccess, outcome: str) -> None:
        self.note.clear()
        self._said = f"{access.clinician}'s access to {access.patient}: {outcome}."
        self.read()

    def _not_done(self, exc: Exception) -> None:
        self._say(sentence(exc), alert=True)
        self._enable()

    def _say(self, text: str, alert: bool = False) -> None:
        self.status.setStyleSheet(f"color: {theme.alert_color()};" if alert else "")
        self.status.setText(text)

    def _enable(self, busy: bool = False) -> None:
        access: EmergencyAccess | None = row_at(self.table)
        open_one = not busy and access is not None and access.outcome == AWAITING
        self.reviewed.setEnabled(open_one)
        self.escalated.setEnabled(open_one)
        self.note.setEnabled(open_one)
