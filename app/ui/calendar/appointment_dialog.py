"""What can be done to a booked appointment from the week: check the patient in (on the
day, while it is booked: the patient is here) or out (on the day, once arrived: they leave),
cancel it (a reason is asked, kept on the appointment), mark it not attended (once its time
has come), or move it (the view then asks for the new cell). For an appointment of a weekly
series, Cancel and Move ask whether they change only this one or this and the following
ones, with how many (told by `in_series` once the view has asked). The view runs the chosen
write; this dialog only asks."""

from datetime import datetime

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.clinical.visits.schedule import Appointment
from app.clinical.visits.week import STATUS_TEXT
from app.ui.common.theme import alert_color

CHECK_IN, CHECK_OUT, CANCEL, NO_SHOW, MOVE = (
    "check-in", "check-out", "cancel", "no-show", "move")


class AppointmentDialog(QDialog):
    def __init__(self, appointment: Appointment, parent=None, now: datetime | None = None):
        """`now`: the booking service's clock, so the buttons offered are the ones it
        allows (the wall clock when not given)."""
        super().__init__(parent)
        now = (now or datetime.now()).astimezone()
        self.appointment, self.choice = appointment, None
        self.only_this = QRadioButton("Only this one", checked=True)
        self.and_following = QRadioButton("This and following")
        self.series = QWidget()  # shown for an appointment of a series (in_series)
        which = QHBoxLayout(self.series)
        which.setContentsMargins(0, 0, 0, 0)
        which.addWidget(QLabel("Cancel or move:"))
        which.addWidget(self.only_this)
        which.addWidget(self.and_following)
        which.addStretch()
        self.series.hide()
        self.setWindowTitle("Appointment")
        self.setAccessibleName("Appointment")
        end = f"–{appointment.end:%H:%M}" if appointment.end else ""
        summary = QLabel(f"<b>{appointment.patient_name}</b><br>"
                         f"{appointment.start:%a %d %b %Y, %H:%M}{end} with "
                         f"{appointment.practitioner}<br>{appointment.type} · "
                         f"{STATUS_TEXT.get(appointment.status, appointment.status)}")
        self.reason = QLineEdit(placeholderText="e.g. patient called to cancel")
        self.reason.setAccessibleName("Reason for cancelling")
        self.said = QLabel()
        self.said.setAccessibleName("Appointment message")
        self.said.setStyleSheet(f"color: {alert_color()}")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons = {
            CHECK_IN: buttons.addButton("Check in", QDialogButtonBox.ButtonRole.ActionRole),
            CHECK_OUT: buttons.addButton("Check out", QDialogButtonBox.ButtonRole.ActionRole),
            CANCEL: buttons.addButton("Cancel appointment", QDialogButtonBox.ButtonRole.ActionRole),
            NO_SHOW: buttons.addButton("No-show", QDialogButtonBox.ButtonRole.ActionRole),
            MOVE: buttons.addButton("Move…", QDialogButtonBox.ButtonRole.ActionRole)}
        for choice, button in self.buttons.items():
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, c=choice: self.choose(c))
        today = appointment.start.astimezone().date() == now.date()
        self.buttons[CHECK_IN].setEnabled(today and appointment.status == "booked")
        self.buttons[CHECK_IN].setToolTip("" if today else "Patients are checked in on the day "
                                          "of their appointment.")
        self.buttons[CHECK_OUT].setEnabled(today and appointment.status in ("arrived",
                                                                            "checked-in"))
        self.buttons[CHECK_OUT].setToolTip("Once the patient has arrived, on the day: they "
                                           "leave and the appointment is over.")
        come = appointment.start <= now
        self.buttons[NO_SHOW].setEnabled(come and appointment.status == "booked")
        self.buttons[NO_SHOW].setToolTip("A booked appointment whose time has come and the "
                                         "patient did not." if come else "Still to come: mark a "
                                         "no-show once its time has come.")
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Reason for cancelling", self.reason)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addLayout(form)
        layout.addWidget(self.series)
        layout.addWidget(self.said)
        layout.addWidget(buttons)

    def choose(self, choice: str) -> None:
        if choice == CANCEL and not self.reason.text().strip():
            self.said.setText("Say why it is cancelled (e.g. patient called), then press "
                              "Cancel appointment again.")
            self.reason.setFocus()
            return
        self.choice = choice
        self.accept()

    def in_series(self, count: int) -> None:
        """The view's answer: `count` appointments of a series from this one on (0: none)."""
        if count > 1:
            self.and_following.setText(f"This and following ({count} appointments)")
            self.series.show()

    @property
    def following(self) -> bool:
        """Cancel or Move applies to this one and the later ones of its series."""
        return not self.series.isHidden() and self.and_following.isChecked()
