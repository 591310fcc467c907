"""A walk-in from the Calendar tab, in one flow: find the patient or register them (the
Register patient dialog, with its duplicate check), pick who sees them (the provider shown,
another, or whoever is free soonest today) and book a same-day Walk-in from now, the patient
already arrived (Booking.walk_in), so Today lists them waiting. A refusal (the patient
already has an appointment now, nobody is free) is said here and nothing is stored."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

from app.bootstrap import Workstation
from app.clinical.fhir.names import family_given
from app.clinical.patients.duplicates import Candidate
from app.clinical.patients.registration import Registered
from app.clinical.visits.providers import Provider
from app.clinical.visits.schedule import Appointment
from app.ui.calendar.patient_picker import PatientPicker
from app.ui.common.background import Background
from app.ui.common.theme import alert_color
from app.ui.operations import calendar as calendar_ops
from app.ui.registration.dialog import RegistrationDialog
from fhir_common.messages import sentence

SOONEST = "Whoever is free soonest today"


class WalkInDialog(QDialog):
    arrived = Signal(object)  # the walk-in Appointment, arrived

    def __init__(self, ws: Workstation, background: Background, providers: list[Provider],
                 shown: Provider | None, parent=None):
        super().__init__(parent)
        self._ws, self._background = ws, background
        self.registration: RegistrationDialog | None = None
        self.setWindowTitle("Walk-in")
        self.setAccessibleName("Walk-in")
        self.setMinimumWidth(520)
        self.picker = PatientPicker(ws, background, self)
        self.new_patient = QPushButton("&New patient…")
        self.new_patient.setAccessibleName("Register a new patient")
        self.new_patient.setAutoDefault(False)
        self.provider = QComboBox()
        self.provider.setAccessibleName("Seen by")
        for who in providers:
            self.provider.addItem(f"{who.name} ({who.user})", who.user)
        self.provider.addItem(SOONEST, None)
        if shown is not None:
            self.provider.setCurrentIndex(self.provider.findData(shown.user))
        kind = ws.booking.clinic.types.get("WALKIN")
        self.said = QLabel("Find the patient, or register them if they are new.")
        self.said.setWordWrap(True)
        self.said.setAccessibleName("Walk-in message")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.see_now = buttons.addButton("See now", QDialogButtonBox.ButtonRole.AcceptRole)
        self.see_now.setAutoDefault(False)
        form = QFormLayout()
        form.addRow("Patient", self.picker.search)
        form.addRow("", self.picker.hits)
        form.addRow("", self.new_patient)
        form.addRow("Seen by", self.provider)
        form.addRow("Type", QLabel(f"{kind.name} ({kind.minutes} min), from now, arrived"))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.said)
        layout.addWidget(buttons)
        self.picker.said.connect(self._say)
        self.new_patient.clicked.connect(self.register)
        self.see_now.clicked.connect(self.submit)
        buttons.rejected.connect(self.reject)
        self.picker.search.setFocus()

    def register(self) -> None:
        """Open Register patient over this dialog; its patient (new or found) comes back."""
        self.registration = RegistrationDialog(self._ws, self._background, self)
        self.registration.registered.connect(self._registered)
        self.registration.open_patient.connect(self._opened)
        self.registration.open()

    def submit(self) -> None:
        patient_id = self.picker.patient_id()
        if patient_id is None:
            self._say("Choose the patient first: find them, or register them as new.",
                      alert=True)
            return
        self.see_now.setEnabled(False)
        self._say("Booking the walk-in…")
        calendar_ops.walk_in(self, self._background, self._ws, patient_id,
                             self.provider.currentData()).success(self._booked).failure(
            self._refused).run()

    def _registered(self, answer: Registered) -> None:
        name = family_given(answer.patient)
        self.picker.put(answer.patient["id"], name, f"{name}   born "
                        f"{answer.patient.get('birthDate', 'unknown')}   MRN {answer.mrn or '–'}"
                        "   (just registered)")
        self._say(f"Registered {name}; choose who sees them and press See now.")

    def _opened(self, chosen: Candidate) -> None:
        self.picker.put(chosen.patient_id, chosen.name, f"{chosen.name}   born "
                        f"{chosen.birth_date or 'unknown'}   MRN {chosen.mrn or '–'}")
        self._say(f"{chosen.name} was registered already; press See now.")

    def _booked(self, made: Appointment) -> None:
        self.arrived.emit(made)
        self.accept()

    def _refused(self, exc: Exception) -> None:
        self.see_now.setEnabled(True)
        self._say(sentence(exc), alert=True)

    def _say(self, text: str, alert: bool = False) -> None:
        self.said.setStyleSheet(f"color: {alert_color()}" if alert else "")
        self.said.setText(text)
