"""What can be done to a booked appointment from the week: check the patient in (on the
day, while it is booked: the patient is here), cancel it (a reason is asked, kept on the
appointment), mark it not attended, or move it (the view then asks for the new cell). The
view runs the chosen write; this dialog only asks."""

from datetime import date

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from app.clinical.visits.schedule import Appointment
from app.clinical.visits.week import STATUS_TEXT
from app.ui.common.theme import alert_color

CHECK_IN, CANCEL, NO_SHOW, MOVE = "check-in", "cancel", "no-show", "move"


class AppointmentDialog(QDialog):
    def __init__(self, appointment: Appointment, parent=None):
        super().__init__(parent)
        self.appointment, self.choice = appointment, None
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
            CANCEL: buttons.addButton("Cancel appointment", QDialogButtonBox.ButtonRole.ActionRole),
            NO_SHOW: buttons.addButton("No-show", QDialogButtonBox.ButtonRole.ActionRole),
            MOVE: buttons.addButton("Move…", QDialogButtonBox.ButtonRole.ActionRole)}
        for choice, button in self.buttons.items():
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, c=choice: self.choose(c))
        today = appointment.start.date() == date.today()
        self.buttons[CHECK_IN].setEnabled(today and appointment.status == "booked")
        self.buttons[CHECK_IN].setToolTip("" if today else "Patients are checked in on the day "
                                          "of their appointment.")
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Reason for cancelling", self.reason)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addLayout(form)
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
