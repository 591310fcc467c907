"""Recording a set of vital signs: one field per sign, its unit beside it, BMI as you type.

The dialog first reads who the patient is, the visit in progress (the readings are tied to
it) and the latest height on file (so a weight alone still gives a BMI), in one read on the
database thread; Save waits for that. On Save, values no patient can have are refused with the
service's own sentence, and values outside the usual range or far from the patient's previous
reading (the change check, with the limits of the clinic's policy) are listed with "Save
anyway": the person at the bedside confirms them, nothing is blocked. Any edit after that asks
again.

Temperature, weight and height are typed in the clinic's units (policy vitals.units: metric,
or °F, lb and oz, ft and in) and each can be switched on its own row; beside a value typed
the other system's reading is shown ("98.6 °F = 37.0 °C"), and the service stores the metric
value with what was typed.
The save itself runs on the database thread; `saved` carries the Observations recorded.
It is an EntryDialog: the same Save, busy state and refusal as every other form over the chart.
"""

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from app.bootstrap import Workstation
from app.clinical.chart.banner import display_name
from app.clinical.charting.units import ENTRY_UNITS, EntryUnit, from_stored, shown
from app.clinical.charting.vital_changes import Previous
from app.clinical.charting.vitals import (
    BMI,
    BY_KEY,
    EntryContext,
    HeightOnFile,
    Typed,
    bmi_of,
    check,
    number,
    parse,
)
from app.display_time import when_text
from app.errors import InvalidRecord
from app.ui.chart.entry_dialogs import EntryDialog
from app.ui.chart.style import ToneLabel, scaled_font
from app.ui.common.background import Background
from app.ui.operations import Op
from app.ui.operations import vitals as vitals_ops
from fhir_common.messages import sentence

# Digits with at most one decimal mark (point or comma); no sign, so no negative values.
DECIMAL = QRegularExpression(r"\d{0,4}([.,]\d{0,2})?")
# (form label, the readings on that row); blood pressure is two fields on one row
ROWS = (("Blood pressure", ("systolic", "diastolic")), ("Heart rate", ("heart_rate",)),
        ("Respiratory rate", ("respiratory_rate",)), ("Temperature", ("temperature",)),
        ("SpO2", ("spo2",)), ("Weight", ("weight",)), ("Height", ("height",)))
SPOKEN_UNITS = {"mmHg": "millimetres of mercury", "/min": "per minute", "°C": "degrees Celsius",
                "%": "percent", "kg": "kilograms", "cm": "centimetres",
                "°F": "degrees Fahrenheit", "lb": "pounds", "oz": "ounces", "ft": "feet",
                "in": "inches"}
CONFIRM = "If they are right, press Save anyway; otherwise correct them."


class VitalsEntry(EntryDialog):
    """`saved` carries the Observations recorded."""

    def __init__(self, ws: Workstation, background: Background, patient_id: str,
                 encounter_id: str | None = None, parent: QWidget | None = None):
        super().__init__(background, "Record vitals", "Record vitals", "Save", parent)
        self._ws, self._patient_id = ws, patient_id
        self._encounter_id = encounter_id
        self._height: HeightOnFile | None = None
        self._previous: dict[str, Previous] = {}
        self._system = ws.policy.vitals.units
        self._confirmed: dict[str, str] | None = None  # the readings whose warnings were shown
        self.heading.setAccessibleName("Whose vitals")
        self.visit = ToneLabel("Looking for the visit in progress…", "muted", "Visit")
        self.box.insertWidget(1, self.visit)
        self.fields: dict[str, QLineEdit] = {}
        self.units: dict[str, QComboBox] = {}  # the unit switch of temperature, weight, height
        self.minor: dict[str, QLineEdit] = {}  # the inches or ounces, shown with ft or lb
        self._minor_unit: dict[str, QLabel] = {}
        self.converted: dict[str, QLabel] = {}  # "98.6 °F = 37.0 °C"
        form = self.form
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
        self.message.setAccessibleName("Vitals message")
        self.save.setAccessibleName("Save the vitals")
        self.save.setEnabled(False)  # until the visit is known
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("0") * 64)
        for field in (*self.fields.values(), *self.minor.values()):
            field.textEdited.connect(self._edited)
        for key, switch in self.units.items():
            switch.currentIndexChanged.connect(lambda _n, key=key: self._switched(key))
            self._switched(key)
        self.fields["systolic"].setFocus()
        self._show_bmi()
        vitals_ops.entry_context(self, background, ws, patient_id).success(
            self._show_context).failure(self._context_failed).run()

    def readings(self) -> dict[str, str | Typed]:
        """What is typed, by reading key; a reading in a unit other than the stored one is
        `Typed` (the service converts it)."""
        readings: dict[str, str | Typed] = {}
        for key, field in self.fields.items():
            unit = self.unit(key)
            readings[key] = field.text() if unit is None or unit.code == unit.stored else \
                Typed(unit.code, field.text(), self.minor[key].text() if unit.minor else "")
        return readings

    def unit(self, key: str) -> EntryUnit | None:
        """The unit chosen for a reading with a switch; None for one unit everywhere."""
        return self.units[key].currentData() if key in self.units else None

    def set_unit(self, key: str, system: str) -> None:
        """Switch a row to the metric or US unit (as its unit list does)."""
        switch = self.units[key]
        switch.setCurrentIndex(next(n for n in range(switch.count())
                                    if switch.itemData(n).system == system))

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
        if keys[0] in ENTRY_UNITS:
            self._unit_switch(row, keys[0])
            return row
        unit = QLabel(BY_KEY[keys[0]].shown)
        unit.setMinimumWidth(self.fontMetrics().horizontalAdvance("mmHg  "))
        row.addWidget(unit)
        if keys == ("systolic", "diastolic"):
            row.addWidget(ToneLabel("systolic / diastolic", "muted"))
        row.addStretch()
        return row

    def _unit_switch(self, row: QHBoxLayout, key: str) -> None:
        """The unit list after the value, then the inches or ounces when ft or lb is chosen,
        then the reading in the other system."""
        label = BY_KEY[key].label
        switch = QComboBox()
        switch.setAccessibleName(f"{label} unit")
        for unit in ENTRY_UNITS[key]:
            switch.addItem(shown(unit.code), unit)
        switch.setCurrentIndex(next(n for n, u in enumerate(ENTRY_UNITS[key])
                                    if u.system == self._system))
        row.addWidget(switch)
        self.units[key] = switch
        if minor_code := next((u.minor for u in ENTRY_UNITS[key] if u.minor), None):
            minor = QLineEdit()
            minor.setValidator(QRegularExpressionValidator(DECIMAL, minor))
            minor.setAccessibleName(f"{label}, {SPOKEN_UNITS[shown(minor_code)]}")
            minor.setMaximumWidth(self.fontMetrics().horizontalAdvance("0") * 6)
            minor.setAlignment(Qt.AlignmentFlag.AlignRight)
            self.minor[key], self._minor_unit[key] = minor, QLabel(shown(minor_code))
            row.addWidget(minor)
            row.addWidget(self._minor_unit[key])
        self.converted[key] = ToneLabel("", "muted", f"{label} in the other units")
        self.converted[key].setWordWrap(False)  # one line beside the value
        row.addWidget(self.converted[key])
        row.addStretch()

    def _switched(self, key: str) -> None:
        unit = self.unit(key)
        self.fields[key].setAccessibleName(
            f"{BY_KEY[key].label} in {SPOKEN_UNITS[shown(unit.code)]}")
        if key in self.minor:
            self.minor[key].setVisible(unit.minor is not None)
            self._minor_unit[key].setVisible(unit.minor is not None)
        self._edited()

    def _show_converted(self) -> None:
        """Beside each switched reading typed, the same in the other system."""
        readings = self.readings()
        for key, label in self.converted.items():
            unit, typed, text = self.unit(key), readings[key], ""
            try:
                value = parse({key: typed}).get(key)
            except InvalidRecord:
                value = None
            if value is not None and isinstance(typed, Typed):
                minor = f" {typed.minor} {shown(unit.minor)}" if typed.minor.strip() else ""
                text = (f"{typed.major or 0} {shown(unit.code)}{minor} = {number(value)} "
                        f"{shown(unit.stored)}")
            elif value is not None:
                other = next(u for u in ENTRY_UNITS[key] if u is not unit)
                text = f"= {from_stored(other, value)}"
            label.setText(text)

    # -- what the dialog learns when it opens ------------------------------------------------

    def _show_context(self, context: EntryContext) -> None:
        patient, visit, self._height = context.patient, context.visit, context.height
        self._previous = context.previous
        self.heading.setText(f"Record vitals: {display_name(patient)}")
        if self._encounter_id is not None and (visit is None or visit["id"] !=
                                               self._encounter_id):
            self.visit.setText("Recorded in the visit chosen.")
        elif visit is not None:
            self._encounter_id = visit["id"]
            self.visit.setText(f"Recorded in the visit in progress since "
                               f"{when_text(visit['period']['start'])}.")
        else:
            self.visit.setText("No visit in progress: these readings are recorded outside a "
                               "visit. Start the visit from Today to tie them to it.")
        self.save.setEnabled(True)
        self._show_bmi()

    def _context_failed(self, exc: Exception) -> None:
        self.visit.set_tone("alert")
        self.visit.setText(f"Vitals cannot be recorded now. {sentence(exc)}")

    # -- typing --------------------------------------------------------------------------------

    def _edited(self) -> None:
        if self._confirmed is not None:  # what was confirmed is no longer what is typed
            self._confirmed = None
            self.save.setText("Save")
            self.say("")
        self._show_bmi()
        self._show_converted()

    def _show_bmi(self) -> None:
        readings = self.readings()
        try:
            values = parse({"weight": readings["weight"], "height": readings["height"]})
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

    def operation(self) -> Op | None:
        """Refused values say why; unusual ones are listed once, for Save anyway."""
        readings = self.readings()
        try:
            warnings = check(readings, self._previous, self._ws.policy.vitals)
        except InvalidRecord as refused:
            self.say(refused.message, alert=True)
            return None
        if warnings and readings != self._confirmed:
            self._confirmed = readings
            self.save.setText("Save anyway")
            self.say("\n".join([*warnings, CONFIRM]), alert=True)
            return None
        return vitals_ops.record(self, self._background, self._ws, self._patient_id, readings,
                                 self._encounter_id)

    def _busy(self, busy: bool) -> None:
        super()._busy(busy)
        for field in (*self.fields.values(), *self.minor.values(), *self.units.values()):
            field.setEnabled(not busy)
