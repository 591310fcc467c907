"""Recording a set of vital signs: one field per sign, its unit beside it, BMI as you type.

The dialog first reads who the patient is, the visit in progress (the readings are tied to
it) and the latest height on file (so a weight alone still gives a BMI), on the database
thread; Save waits for that. On Save, values no patient can have are refused with the
service's own sentence, and values outside the usual range are listed with "Save anyway":
the person at the bedside confirms them, nothing is blocked. Any edit after that asks again.
The save itself runs on the database thread; `saved` carries the Observations recorded.
"""

from datetime import datetime

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app.bootstrap import Workstation
from app.clinical.vitals import BMI, BY_KEY, HeightOnFile, bmi_of, check, number, parse
from app.errors import InvalidRecord
from app.ui.background import Background
from app.ui.chart_banner import display_name
from app.ui.chart_style import ToneLabel, scaled_font
from app.ui.messages import sentence

# Digits with at most one decimal mark (point or comma); no sign, so no negative values.
DECIMAL = QRegularExpression(r"\d{0,4}([.,]\d{0,2})?")
# (form label, the readings on that row); blood pressure is two fields on one row
ROWS = (("Blood pressure", ("systolic", "diastolic")), ("Heart rate", ("heart_rate",)),
        ("Respiratory rate", ("respiratory_rate",)), ("Temperature", ("temperature",)),
        ("SpO2", ("spo2",)), ("Weight", ("weight",)), ("Height", ("height",)))
SPOKEN_UNITS = {"mmHg": "millimetres of mercury", "/min": "per minute", "°C": "degrees Celsius",
                "%": "percent", "kg": "kilograms", "cm": "centimetres"}
CONFIRM = "If they are right, press Save anyway; otherwise correct them."


class VitalsEntry(QDialog):
    saved = Signal(object)  # the Observations recorded

    def __init__(self, ws: Workstation, background: Background, patient_id: str,
                 encounter_id: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._ws, self._background, self._patient_id = ws, background, patient_id
        self._vitals, self._encounters = ws.vitals, ws.encounters
        self._encounter_id = encounter_id
        self._height: HeightOnFile | None = None
        self._confirmed: dict[str, str] | None = None  # the readings whose warnings were shown
        self.setWindowTitle("Record vitals")
        self.setAccessibleName("Record vitals")
        self.heading = QLabel("Record vitals")
        self.heading.setAccessibleName("Whose vitals")
        self.heading.setFont(scaled_font(self, 1.3, bold=True))
        self.visit = ToneLabel("Looking for the visit in progress…", "muted", "Visit")
        self.fields: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for label, keys in ROWS:
            form.addRow(self._label(label, keys[0]), self._row(keys))
        self.bmi = QLabel("—")
        self.bmi.setAccessibleName("BMI, computed")
        self.bmi.setFont(scaled_font(self, bold=True))
        self.bmi_source = ToneLabel("", "muted", "How BMI is computed")
        self.bmi_source.setWordWrap(False)  # beside the value, on one line
        bmi = QHBoxLayout()
        bmi.addWidget(self.bmi)
        bmi.addSpacing(self.fontMetrics().horizontalAdvance("0"))
        bmi.addWidget(self.bmi_source)
        bmi.addStretch()
        form.addRow(QLabel("BMI"), bmi)
        self.message = ToneLabel("", None, "Vitals message")
        self.message.hide()
        self.save = QPushButton("Save")
        self.save.setAccessibleName("Save the vitals")
        self.save.setDefault(True)
        self.save.setEnabled(False)  # until the visit is known
        self.cancel = QPushButton("Cancel")
        self.cancel.setAccessibleName("Cancel without saving")
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.save)
        box = QVBoxLayout(self)
        box.addWidget(self.heading)
        box.addWidget(self.visit)
        box.addLayout(form)
        box.addWidget(self.message)
        box.addStretch()
        box.addLayout(buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("0") * 64)
        self.save.clicked.connect(self._save)
        self.cancel.clicked.connect(self.reject)
        for field in self.fields.values():
            field.textEdited.connect(self._edited)
        self.fields["systolic"].setFocus()
        self._show_bmi()
        vitals, encounters = self._vitals, self._encounters
        background.run(lambda: (ws.patients.get(ws.session, patient_id),
                                encounters.current_visit(ws.session, patient_id),
                                vitals.height_on_file(ws.session, patient_id)),
                       self._show_context, self._context_failed)

    def readings(self) -> dict[str, str]:
        return {key: field.text() for key, field in self.fields.items()}

    def _label(self, text: str, key: str) -> QLabel:
        label = QLabel(text)
        label.setBuddy(self._field(key))
        return label

    def _field(self, key: str) -> QLineEdit:
        if key not in self.fields:
            vital = BY_KEY[key]
            field = QLineEdit()
            field.setValidator(QRegularExpressionValidator(DECIMAL, field))
            field.setAccessibleName(f"{vital.label} in {SPOKEN_UNITS[vital.shown]}")
            field.setMaximumWidth(self.fontMetrics().horizontalAdvance("0") * 9)
            field.setAlignment(Qt.AlignmentFlag.AlignRight)
            self.fields[key] = field
        return self.fields[key]

    def _row(self, keys: tuple[str, ...]) -> QHBoxLayout:
        row = QHBoxLayout()
        for n, key in enumerate(keys):
            if n:
                row.addWidget(QLabel("/"))
            row.addWidget(self._field(key))
        unit = QLabel(BY_KEY[keys[0]].shown)
        unit.setMinimumWidth(self.fontMetrics().horizontalAdvance("mmHg  "))
        row.addWidget(unit)
        if keys == ("systolic", "diastolic"):
            row.addWidget(ToneLabel("systolic / diastolic", "muted"))
        row.addStretch()
        return row

    # -- what the dialog learns when it opens ------------------------------------------------

    def _show_context(self, context) -> None:
        if not isValid(self):
            return
        patient, visit, self._height = context
        self.heading.setText(f"Record vitals: {display_name(patient)}")
        if self._encounter_id is not None and (visit is None or visit["id"] !=
                                               self._encounter_id):
            self.visit.setText("Recorded in the visit chosen.")
        elif visit is not None:
            self._encounter_id = visit["id"]
            self.visit.setText(f"Recorded in the visit in progress since "
                               f"{_when(visit['period']['start'])}.")
        else:
            self.visit.setText("No visit in progress: these readings are recorded outside a "
                               "visit. Start the visit from Today to tie them to it.")
        self.save.setEnabled(True)
        self._show_bmi()

    def _context_failed(self, exc: Exception) -> None:
        if isValid(self):
            self.visit.set_tone("alert")
            self.visit.setText(f"Vitals cannot be recorded now. {sentence(exc)}")

    # -- typing --------------------------------------------------------------------------------

    def _edited(self) -> None:
        if self._confirmed is not None:  # what was confirmed is no longer what is typed
            self._confirmed = None
            self.save.setText("Save")
            self._say("")
        self._show_bmi()

    def _show_bmi(self) -> None:
        weight, height = self.fields["weight"].text(), self.fields["height"].text()
        try:
            values = parse({"weight": weight, "height": height})
        except InvalidRecord:
            values = {}
        if "weight" in values and "height" in values:
            self._say_bmi(bmi_of(values["weight"], values["height"]),
                          "from the weight and height above")
        elif "weight" in values and self._height is not None:
            self._say_bmi(bmi_of(values["weight"], self._height.cm),
                          f"with the height on file, {number(round(self._height.cm))} cm "
                          f"on {self._height.date[:10]}")
        else:
            self._say_bmi(None, "computed from weight and height" + (
                f" ({number(round(self._height.cm))} cm on file)" if self._height else ""))

    def _say_bmi(self, value: float | None, source: str) -> None:
        self.bmi.setText("—" if value is None else f"{number(value)} {BMI.shown}")
        self.bmi_source.setText(source)

    # -- saving --------------------------------------------------------------------------------

    def _save(self) -> None:
        readings = self.readings()
        try:
            warnings = check(readings)
        except InvalidRecord as refused:
            self._say(refused.message, alert=True)
            return
        if warnings and readings != self._confirmed:
            self._confirmed = readings
            self.save.setText("Save anyway")
            self._say("\n".join([*warnings, CONFIRM]), alert=True)
            return
        self._busy(True)
        self._say("Saving…")
        ws, vitals, patient_id, visit = self._ws, self._vitals, self._patient_id, \
            self._encounter_id
        self._background.run(lambda: vitals.record(ws.session, patient_id, readings, visit),
                             self._saved, self._refused)

    def _saved(self, observations: list[dict]) -> None:
        if isValid(self):
            self.saved.emit(observations)
            self.accept()

    def _refused(self, exc: Exception) -> None:
        if isValid(self):
            self._busy(False)
            self._say(sentence(exc), alert=True)

    def _busy(self, busy: bool) -> None:
        for widget in (*self.fields.values(), self.save):
            widget.setEnabled(not busy)

    def _say(self, text: str, alert: bool = False) -> None:
        self.message.set_tone("alert" if alert else "muted")
        self.message.setText(text)
        self.message.setVisible(bool(text))


def _when(instant: str) -> str:
    """'09:10' today, '09:10 on 23 Nov' another day."""
    moment = datetime.fromisoformat(instant).astimezone()
    return f"{moment:%H:%M}" + ("" if moment.date() == datetime.now().date()
                                else f" on {moment:%d %b}")
