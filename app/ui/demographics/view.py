"""A patient's demographics tab: what the front desk and billing see instead of the chart.

Opened from Patients and Today by roles that may read demographics but not the chart. It
shows who the patient is and how to reach them (name, birth date and age, sex, MRN and
other identifiers, phones, email, address, language, emergency contact), their insurance
and their upcoming appointments, read in one audited read (operations.demographics.read).
It reads again when a change to this patient is heard (an edit here or elsewhere, a
booking, a sync), so it never shows an old version for long.

"Edit…" (EDIT_DEMOGRAPHICS only; billing reads) opens the registration form filled from the
patient (app.ui.demographics.edit_dialog); its save is a new version of the patient.
"Merge duplicate…" (the same roles) opens app.ui.merge on this patient.
"""

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import Workstation
from app.clinical.chart.banner import age_text, display_name, sex_text
from app.clinical.patients.demographics import PatientDemographics
from app.clinical.records import Changes
from app.security.roles import Permission
from app.ui.common import theme
from app.ui.common.background import Background
from app.ui.common.changes import changes_of
from app.ui.common.table_models import Column, RowsModel, row_table
from app.ui.demographics import facts
from app.ui.demographics.edit_dialog import EditDemographicsDialog
from app.ui.merge.dialog import MergeDialog
from app.ui.operations import demographics
from fhir_common.messages import sentence

READ_ONLY = "Read only: your role may see these details but not change them."
APPOINTMENT_COLUMNS = (
    Column("When", facts.when),
    Column("Type", lambda a: a.type),
    Column("With", lambda a: a.practitioner),
    Column("Status", facts.status),
)


class DemographicsView(QWidget):
    titled = Signal(str)  # the tab's title, once the patient is read

    def __init__(self, ws: Workstation, background: Background, patient_id: str,
                 changes: SignalInstance | None = None):
        super().__init__()
        self._ws, self._background, self.patient_id = ws, background, patient_id
        self.shown: PatientDemographics | None = None
        self.heading = QLabel("Reading the patient…")
        self.heading.setAccessibleName("Patient")
        font = QFont(self.heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.heading.setFont(font)
        self.edit = QPushButton("Edit…")
        self.edit.setAccessibleName("Edit the patient's demographics")
        self.edit.setEnabled(False)
        self._edits = ws.session.may(Permission.EDIT_DEMOGRAPHICS)
        self.edit.setVisible(self._edits)
        self.merge = QPushButton("Merge duplicate…")
        self.merge.setAccessibleName("Merge a duplicate record of this patient")
        self.merge.setVisible(self._edits)
        self.message = QLabel("" if self._edits else READ_ONLY)
        self.message.setAccessibleName("Demographics message")
        self.message.setWordWrap(True)
        self.values: dict[str, QLabel] = {}  # by caption: what a test or a reader finds
        self.appointments = RowsModel(APPOINTMENT_COLUMNS, parent=self)
        self.table = row_table(self.appointments, "Upcoming appointments", stretch_column=1)
        self.none_booked = QLabel("No appointments from today on.")
        self.none_booked.setAccessibleName("Upcoming appointments message")
        self.none_booked.setStyleSheet(f"color: {theme.muted_color()};")
        self.none_booked.hide()
        self._layout()
        self._say(self.message.text())
        self.edit.clicked.connect(self.open_edit)
        self.merge.clicked.connect(self.open_merge)
        changes_of(self, ws.changes, changes).connect(self.take)
        self.load()

    def _layout(self) -> None:
        person = self._group("Person", ("Name", "Birth date", "Sex", "MRN", "Other identifiers",
                                        "Language"))
        contact = self._group("Contact", ("Phone", "Email", "Address", "Emergency contact"))
        cover = self._group("Insurance", ("Insurance",))
        booked = QGroupBox("Upcoming appointments")
        booked_box = QVBoxLayout(booked)
        booked_box.addWidget(self.none_booked)
        booked_box.addWidget(self.table)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.merge)
        top.addWidget(self.edit)
        left = QVBoxLayout()
        left.addWidget(person)
        left.addWidget(cover)
        left.addStretch()
        right = QVBoxLayout()
        right.addWidget(contact)
        right.addWidget(booked, 1)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(self.message)
        box.addLayout(columns, 1)

    def _group(self, title: str, captions: tuple[str, ...]) -> QGroupBox:
        group, form = QGroupBox(title), QFormLayout()
        group.setLayout(form)
        for caption in captions:
            value = QLabel()
            value.setAccessibleName(caption)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[caption] = value
            form.addRow(caption if caption != title else "", value)
        return group

    def take(self, changes: Changes) -> None:
        """Read again when this patient (or one of their records) changed."""
        if self.patient_id in changes.patients:
            self.load()

    def load(self) -> None:
        demographics.read(self, self._background, self._ws, self.patient_id).success(
            self._show).failure(self._failed).run()

    def _show(self, read: PatientDemographics) -> None:
        self.shown, patient = read, read.patient
        name = display_name(patient)
        self.heading.setText(name)
        self.titled.emit(f"{name} (details)")
        born = patient.get("birthDate")
        shown = {
            "Name": name, "Birth date": f"{born} ({age_text(patient)})" if born else
            "Not recorded", "Sex": sex_text(patient), "MRN": read.mrn or "None assigned",
            "Other identifiers": facts.identifiers(patient, read.mrn),
            "Language": facts.language(patient), "Phone": facts.telecom(patient, "phone"),
            "Email": facts.telecom(patient, "email"), "Address": facts.addresses(patient),
            "Emergency contact": facts.contacts(patient),
            "Insurance": facts.insurance(read.coverages),
        }
        for caption, text in shown.items():
            self.values[caption].setText(text)
        self.appointments.set_rows(read.upcoming)
        self.none_booked.setVisible(not read.upcoming)
        self.edit.setEnabled(True)

    def _failed(self, exc: Exception) -> None:
        self._say(sentence(exc), alert=True)

    def open_edit(self) -> EditDemographicsDialog | None:
        if self.shown is None or not self._edits:
            return None
        dialog = EditDemographicsDialog(self._ws, self._background, self.shown.patient,
                                        self.shown.coverages, self)
        dialog.saved.connect(self._saved)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def open_merge(self) -> MergeDialog:
        """Merge a duplicate into this patient (or this one into it: the dialog's switch)."""
        dialog = MergeDialog(self._ws, self._background, self.patient_id, parent=self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _saved(self, patient: dict) -> None:
        """The change itself reaches this tab as Changes, which read it again."""
        self._say(f"Saved {display_name(patient)}: the previous version is kept in the "
                  "history.")

    def _say(self, text: str, alert: bool = False) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        color = theme.alert_color() if alert else theme.muted_color()
        self.message.setStyleSheet(f"color: {color};")
