"""Deciding a double booking: the two appointments side by side, then one decision.

Two workstations booked the same provider at the same time offline; this one synced second
and holds the clash (app.clinical.visits.double_booking). Keeping one version of a record
means nothing here, since they are two records: the person keeps both as an overbooking
(with a reason), moves the one booked here to a time they pick, or cancels either one (with
a reason). The decision goes to DoubleBookings.resolve on the database thread; a refusal (a
time that is booked too or has passed, someone decided first) is shown in the dialog in the
service's sentence and nothing is stored, so the person can choose again.
"""

from datetime import datetime

from PySide6.QtCore import QDateTime, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import Workstation
from app.clinical.sync.conflicts import Conflict
from app.clinical.visits.double_booking import Decision, Side
from app.clinical.visits.week import STATUS_TEXT
from app.ui.common import theme
from app.ui.common.background import Background
from app.ui.operations import sync as sync_ops
from fhir_common.messages import sentence

CHOICES = (  # (decision, what the person reads)
    ("overbook", "Keep both (overbook), with a reason"),
    ("move", "Move the one booked here to"),
    ("cancel-here", "Cancel the one booked here, with a reason"),
    ("cancel-other", "Cancel the one booked on the other workstation, with a reason"),
)
SAY_WHY = ("Say why: an overbooking or a cancellation keeps its reason on the appointment, "
           "for both workstations to see.")


class DoubleBookingDialog(QDialog):
    resolved = Signal(str)  # what was done, as a sentence

    def __init__(self, ws: Workstation, background: Background, conflict: Conflict,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._ws, self._background, self.conflict = ws, background, conflict
        self.setWindowTitle("Resolve double booking")
        self.setAccessibleName("Resolve double booking")
        self.setMinimumWidth(820)
        self.summary = conflict.reference  # who and when, once both appointments are read
        self.heading = QLabel("Reading both appointments…")
        self.heading.setAccessibleName("Double booking")
        self.heading.setStyleSheet("font-size: 14pt; font-weight: 600;")
        self.heading.setWordWrap(True)
        self.here, self.other = (QFormLayout(), QFormLayout())
        sides = QHBoxLayout()
        for title, form in (("Booked here (this workstation)", self.here),
                            ("Booked on another workstation", self.other)):
            box = QGroupBox(title)
            box.setAccessibleName(title)
            box.setLayout(form)
            sides.addWidget(box)
        self.choice = QButtonGroup(self)
        self.options = {}
        for decision, text in CHOICES:
            self.options[decision] = QRadioButton(text)
            self.options[decision].setAccessibleName(text)
            self.choice.addButton(self.options[decision])
        self.options["overbook"].setChecked(True)
        self.move_to = QDateTimeEdit(calendarPopup=True)
        self.move_to.setDisplayFormat("ddd dd MMM yyyy HH:mm")
        self.move_to.setAccessibleName("Move to")
        self.reason = QLineEdit(placeholderText="Reason, e.g. urgent, or patient rebooked")
        self.reason.setAccessibleName("Reason")
        self.message = QLabel()
        self.message.setAccessibleName("Double booking message")
        self.message.setWordWrap(True)
        self.decide = _button("Save decision")
        later = _button("Decide later")
        self.decide.setEnabled(False)  # until both appointments are shown
        self.decide.clicked.connect(self._submit)
        later.clicked.connect(self.reject)
        self.choice.buttonToggled.connect(lambda *_: self._fit_fields())
        box = QVBoxLayout(self)
        box.addWidget(self.heading)
        box.addLayout(sides)
        box.addWidget(QLabel("Decide:"))
        for decision, _ in CHOICES:
            if decision == "move":
                box.addLayout(_row(self.options[decision], self.move_to))
            else:
                box.addWidget(self.options[decision])
        box.addLayout(_row(QLabel("Reason:"), self.reason))
        box.addWidget(self.message)
        box.addLayout(_row(self.decide, later))
        self._fit_fields()
        sync_ops.double_booking(self, background, ws, conflict.id).success(
            self._show).failure(self._refused).run()

    def _show(self, sides: tuple[Side, Side]) -> None:
        here, other = sides
        overlap = _moment(max(here.start, other.start))  # where they overlap
        self.summary = f"{here.provider} at {overlap}"
        self.heading.setText(f"{here.provider} is booked twice at {overlap}")
        for form, side in ((self.here, here), (self.other, other)):
            for label, value in (("Time", _span(side)), ("Patient", side.patient),
                                 ("Provider", side.provider), ("Type", side.kind),
                                 ("Status", STATUS_TEXT.get(side.status, side.status))):
                shown = QLabel(value)
                shown.setAccessibleName(f"{label} ({'here' if side.booked_here else 'other'})")
                form.addRow(label, shown)
        self.move_to.setDateTime(QDateTime(here.start.replace(tzinfo=None)))
        self.decide.setEnabled(True)

    def _fit_fields(self) -> None:
        moving = self.options["move"].isChecked()
        self.move_to.setEnabled(moving)
        self.reason.setEnabled(not moving)

    def _submit(self) -> None:
        action = next(d for d, button in self.options.items() if button.isChecked())
        if action == "move":
            decision = Decision("move", start=self.move_to.dateTime().toPython().astimezone())
        elif not self.reason.text().strip():
            self._say(SAY_WHY, alert=True)
            self.reason.setFocus()
            return
        else:
            decision = Decision(action, self.reason.text().strip())
        self.decide.setEnabled(False)
        self._say("Saving your decision…")
        sync_ops.decide_double_booking(self, self._background, self._ws, self.conflict.id,
                                       decision).success(self._decided).failure(
            self._refused).run()

    def _decided(self, done: str) -> None:
        self.resolved.emit(done)
        self.accept()

    def _refused(self, exc: Exception) -> None:
        self.decide.setEnabled(True)
        self._say(sentence(exc), alert=True)

    def _say(self, text: str, alert: bool = False) -> None:
        self.message.setText(text)
        color = theme.alert_color() if alert else theme.muted_color()
        self.message.setStyleSheet(f"color: {color};")


def _moment(when: datetime) -> str:
    return f"{when:%H:%M on %a %d %b %Y}"


def _span(side: Side) -> str:
    return _moment(side.start).replace(" on", f"–{side.end:%H:%M} on", 1) if side.end else (
        _moment(side.start))


def _button(text: str) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(text)
    button.setAutoDefault(False)  # Enter must never decide: a decision is a click
    return button


def _row(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget)
    row.addStretch()
    return row
