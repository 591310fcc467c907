"""Editing a patient's demographics: the registration form, filled from the stored patient.

Save (Enter) runs one op (Demographics.edit: the patient through Patients.update, a new
version with the audit naming what changed, and the insurance card, a Coverage of its own,
changed, added or ended in the same unit of work). A refusal keeps everything typed and
marks the fields it names, as the registration form does. Esc cancels, except while saving.
"""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.bootstrap import Workstation
from app.clinical.chart.banner import display_name
from app.clinical.patients.demographics import form_of
from app.clinical.patients.insurance import insurance_of, shown_coverage
from app.ui.common import theme
from app.ui.common.background import Background
from app.ui.operations import demographics
from app.ui.registration.form import RegistrationForm

NOTE = "Fields marked * are required. Enter saves; Esc cancels. The old version is kept."


class EditDemographicsDialog(QDialog):
    saved = Signal(dict)  # the patient as saved

    def __init__(self, ws: Workstation, background: Background, patient: dict,
                 coverages: list[dict], parent: QWidget | None = None):
        super().__init__(parent)
        self._ws, self._background, self._patient = ws, background, patient
        self._coverage = shown_coverage(coverages)
        self._saving = False
        title = f"Edit {display_name(patient)}"
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.form = RegistrationForm()
        self._fill()
        self.message = QLabel()
        self.message.setAccessibleName("Edit message")
        self.save = QPushButton("Save")
        self.save.setAccessibleName("Save the changed demographics")
        self.save.setDefault(True)
        self.cancel = QPushButton("Cancel")
        self.cancel.setAccessibleName("Cancel without saving")
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.save)
        box = QVBoxLayout(self)
        box.addWidget(self.form)
        box.addWidget(self.message)
        box.addLayout(buttons)
        self.form.setMinimumWidth(self.fontMetrics().horizontalAdvance("0") * 110)
        self._say(NOTE)
        self.save.clicked.connect(self._save)
        self.cancel.clicked.connect(self.reject)
        self.form.phone.setFocus()

    def _fill(self) -> None:
        shown = form_of(self._patient)
        form = self.form
        for field, text in ((form.family, shown.family), (form.given, shown.given),
                            (form.birth_date, shown.birth_date), (form.phone, shown.phone),
                            (form.email, shown.email), (form.language, shown.language)):
            field.setText(text)
        form.sex.setCurrentIndex(max(0, form.sex.findData(shown.sex)))
        if address := shown.address:
            form.street.setText(", ".join(address.lines))
            for field, text in ((form.city, address.city), (form.state, address.state),
                                (form.postal_code, address.postal_code),
                                (form.country, address.country)):
                field.setText(text)
        if card := insurance_of(self._coverage):
            form.show_insurance(card)

    def _save(self) -> None:
        self._busy(True)
        self._say("Saving…")
        demographics.edit(self, self._background, self._ws, self._patient,
                          self.form.new_patient(), self._coverage).success(self._saved).failure(
            self._refused).run()

    def _saved(self, patient: dict) -> None:
        self._busy(False)
        self.saved.emit(patient)
        self.accept()

    def _refused(self, exc: Exception) -> None:
        """Stay open with everything typed; say each mistake and mark its field."""
        self._busy(False)
        self._say(self.form.refused(exc), alert=True)

    def _busy(self, busy: bool) -> None:
        self._saving = busy
        self.save.setEnabled(not busy)
        self.cancel.setEnabled(not busy)

    def reject(self) -> None:
        if not self._saving:
            super().reject()

    def _say(self, text: str, alert: bool = False) -> None:
        self.message.setText(text)
        color = theme.alert_color() if alert else theme.muted_color()
        self.message.setStyleSheet(f"color: {color};")
