"""The registration form: a new patient saved on the database thread, duplicates shown.

Save (Enter) runs Registration.register as one op. A refusal keeps everything typed: its
sentences are listed under the form and the fields they name are marked. When the
duplicate check holds the save back, the candidates are shown in the form; "Open this
patient" closes the form on that patient (first saying which details typed, a phone or
insurance, its record would not get), "Register as new person" saves again with the
candidates acknowledged. Typing after that hides them, since they were found for what was
typed before. Esc cancels, except while a save is under way (it would land unseen).
"""

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import Workstation
from app.clinical.patients.duplicates import Candidate
from app.clinical.patients.identifier_kinds import identifier_kinds
from app.clinical.patients.registration import Registered
from app.errors import UsageError
from app.ui.common import theme
from app.ui.common.background import Background
from app.ui.operations import registration
from app.ui.registration.candidates import CandidatesPanel
from app.ui.registration.form import RegistrationForm

TITLE = "Register patient"
REQUIRED_NOTE = "Fields marked * are required. Enter saves; Esc cancels."


class RegistrationDialog(QDialog):
    registered = Signal(object)  # the Registered answer of a save
    open_patient = Signal(object)  # a Candidate: the person was registered already

    def __init__(self, ws: Workstation, background: Background, parent: QWidget | None = None):
        super().__init__(parent)
        self._ws, self._background, self._saving = ws, background, False
        self._warned_for: str | None = None  # the candidate told what would not be saved
        self.setWindowTitle(TITLE)
        self.setAccessibleName(TITLE)
        heading = QLabel("Register a new patient")
        font = QFont(heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        heading.setFont(font)
        try:
            kinds, unreadable = identifier_kinds(ws.policy.registration.identifier_kinds_file), ""
        except UsageError as exc:  # the clinic's file: say so, register without other numbers
            kinds, unreadable = (), f"\n{exc.message} Other numbers cannot be recorded."
        self.form = RegistrationForm(with_contact=True, kinds=kinds)
        self.message = QLabel(REQUIRED_NOTE + unreadable)
        self.message.setAccessibleName("Registration message")
        # Lines, not word wrap: a wrapping label lets the layout squash the form when the
        # candidates appear (Qt's height-for-width), so each sentence has a line of its own.
        self.candidates = CandidatesPanel()
        self.candidates.hide()
        self.save = QPushButton("Save")
        self.save.setAccessibleName("Save the new patient")
        self.save.setDefault(True)
        self.cancel = QPushButton("Cancel")
        self.cancel.setAccessibleName("Cancel without saving")
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.save)
        box = QVBoxLayout(self)
        box.addWidget(heading)
        box.addWidget(self.form)
        box.addWidget(self.message)
        box.addWidget(self.candidates)
        box.addLayout(buttons)
        # On the form, not the dialog: the layout keeps the dialog's minimum, so it grows
        # when the candidates are shown.
        self.form.setMinimumWidth(self.fontMetrics().horizontalAdvance("0") * 110)
        self._say(REQUIRED_NOTE)
        self.save.clicked.connect(lambda: self._register(False))
        self.cancel.clicked.connect(self.reject)
        self.candidates.register_new.connect(lambda: self._register(True))
        self.candidates.open_patient.connect(self._open)
        for field in self.form.findChildren(QLineEdit):
            field.textEdited.connect(self._edited)
        self.form.sex.activated.connect(self._edited)
        self.form.family.setFocus()

    def _register(self, despite_candidates: bool) -> None:
        self._busy(True)
        self._say("Checking for patients registered already, then saving…")
        registration.register(self, self._background, self._ws, self.form.new_patient(),
                              despite_candidates).success(self._answered).failure(
            self._refused).run()

    def _answered(self, answer: Registered) -> None:
        self._busy(False)
        if answer.patient is None:
            self.form.mark([], [])
            self._say("Nothing is saved yet.")
            self._warned_for = None
            self.candidates.show_candidates(answer.candidates)
            return
        self.registered.emit(answer)
        self.accept()

    def _refused(self, exc: Exception) -> None:
        """Stay open with everything typed; say each mistake and mark its field."""
        self._busy(False)
        self._say(self.form.refused(exc), alert=True)

    def _open(self, chosen: Candidate) -> None:
        """Open the one registered already; what was typed that their record would not get is
        said first, and a second press opens them anyway (nothing is dropped unsaid)."""
        typed = self.form.details_typed()
        if typed and self._warned_for != chosen.patient_id:
            self._warned_for = chosen.patient_id
            listed = ", ".join(typed[:-1]) + (" and " if len(typed) > 1 else "") + typed[-1]
            self._say(f"The {listed} typed here {'are' if len(typed) > 1 else 'is'} not saved "
                      f"with {chosen.name}: press Open this patient again to open their "
                      "record anyway, and add what you typed with Edit… on their details.",
                      alert=True)
            return
        self.open_patient.emit(chosen)
        self.accept()

    def _edited(self, *_args: object) -> None:
        """The candidates were found for what was typed before: hide them."""
        if self.candidates.isVisible():
            self.candidates.hide()
            self._say(REQUIRED_NOTE)

    def _busy(self, busy: bool) -> None:
        self._saving = busy
        for button in (self.save, self.cancel, self.candidates.open, self.candidates.new):
            button.setEnabled(not busy)

    def reject(self) -> None:
        if not self._saving:
            super().reject()

    def _say(self, text: str, alert: bool = False) -> None:
        self.message.setText(text)
        color = theme.alert_color() if alert else theme.muted_color()
        self.message.setStyleSheet(f"color: {color};")
