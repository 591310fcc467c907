"""Correcting a wrong vital sign from the Vitals tab: the new value and why.

The form is filled from the stored reading, read on the database thread (RecordEditDialog:
Save waits for it and the save is checked against that version). A blood pressure panel
shows both its parts, so a correction is made to the pair; a BMI is not corrected by hand,
the form says why and offers no Save (correcting its weight or height recomputes it). The
service keeps the earlier value in the record's note and the audit trail
(app.clinical.charting.vital_corrections).
"""

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

from app.bootstrap import Workstation
from app.clinical.chart.chart_items import ChartItem
from app.clinical.charting.entries import title
from app.clinical.charting.units import quantity_unit
from app.clinical.charting.vital_corrections import BMI_CODE, code_of, parts, value_text
from app.ui.chart.entry_dialogs import RecordEditDialog
from app.ui.common.background import Background
from app.ui.operations import Op
from app.ui.operations import vitals as vitals_ops
from fhir_common import fhir_json

DECIMAL = QRegularExpression(r"\d{0,4}([.,]\d{0,2})?")


class CorrectReading(RecordEditDialog):
    """`saved` carries the corrected Observation."""

    def __init__(self, ws: Workstation, background: Background, item: ChartItem,
                 parent: QWidget | None = None):
        super().__init__(background, "reading", item, lambda dialog: vitals_ops.reading(
            dialog, background, ws, item.id), parent)
        self._ws = ws
        self.setWindowTitle("Correct reading")
        self.setAccessibleName("Correct reading")
        self.heading.setText(f"Correct reading: {item.title} on {(item.date or '')[:10]}")
        self.save.setText("Save correction")
        self.save.setAccessibleName("Save correction")
        self.was = QLabel("")
        self.was.setAccessibleName("Value recorded")
        self.form.addRow("Recorded", self.was)
        self.values: dict[str, QLineEdit] = {}
        self.reason = self.field("&Reason", QLineEdit(), "Reason")
        self.reason.setPlaceholderText("Why it was wrong, e.g. typed in lb (kept with the "
                                       "record)")

    def fill(self, record: dict) -> None:
        self.was.setText(" / ".join(value_text(p) for p in parts(record)))
        if code_of(record) == BMI_CODE:
            self.reason.setEnabled(False)
            return
        at = self.form.rowCount() - 1  # above the reason
        for part in parts(record):
            field = QLineEdit(fhir_json.number_text(part["valueQuantity"]["value"]))
            field.setValidator(QRegularExpressionValidator(DECIMAL, field))
            field.setAlignment(Qt.AlignmentFlag.AlignRight)
            field.setMaximumWidth(self.fontMetrics().horizontalAdvance("0") * 9)
            name = title(part)
            field.setAccessibleName(f"Corrected {name.lower()}")
            row = QHBoxLayout()
            row.addWidget(field)
            row.addWidget(QLabel(quantity_unit(part["valueQuantity"])))
            row.addStretch()
            caption = QLabel(name if "component" in record else "Corrected value")
            caption.setBuddy(field)
            self.form.insertRow(at, caption, row)
            at += 1
            self.values[code_of(part)] = field
        next(iter(self.values.values())).setFocus()
        next(iter(self.values.values())).selectAll()

    def _loaded(self, record: dict) -> None:
        super()._loaded(record)
        if not self.values:  # a BMI
            self.save.setEnabled(False)
            self.say("BMI is computed: correct the weight or height it came from.", alert=True)

    def operation(self) -> Op:
        return vitals_ops.correct(self, self._background, self._ws, self._item.id,
                                  {code: field.text() for code, field in self.values.items()},
                                  self.reason.text(), self.shown)
