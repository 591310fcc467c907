"""The patient banner: who this chart is, and what they are allergic to, always in view.

The facts and their wording come from app.clinical.chart.banner, the copy `hearth chart` prints
too. Recorded allergies are in the alert colour, in words as well, so colour is never the
only signal; an allergy recorded as free text says "(not checkable)", and the line's
accessible description says what that means. A patient record carrying a modifier Hearth
does not understand says so on a line of its own. A restricted chart (app.clinical.access)
says "Restricted record" beside the name, for everyone who opens it.
"""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from app.clinical.access.grants import is_restricted
from app.clinical.chart.banner import NOT_CHECKABLE, banner_facts
from app.clinical.chart.chart_items import ChartItem
from app.ui.chart.style import ToneLabel, scaled_font


class Banner(QFrame):
    def __init__(self):
        super().__init__()
        self.setAccessibleName("Patient banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.name = ToneLabel(name="Patient name")
        self.name.setFont(scaled_font(self, 1.4, bold=True))
        self.name.setWordWrap(False)  # "Family, Given" on one line, as a wristband reads
        self.details = ToneLabel(name="Age, sex, birth date and MRN")
        self.allergies = ToneLabel(name="Allergies")
        self.allergies.setFont(scaled_font(self, 1.1, bold=True))
        self.warning = ToneLabel(tone="alert", name="Patient record warning")
        self.warning.hide()
        self.restricted = ToneLabel("Restricted record", "alert", "Restricted record")
        self.restricted.setFont(scaled_font(self, 1.1, bold=True))
        self.restricted.setWordWrap(False)
        self.restricted.setAccessibleDescription(
            "Only the patient's care team opens this chart; anyone else breaks the glass.")
        self.restricted.hide()
        for label in (self.name, self.details, self.allergies, self.warning):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()
        top.addWidget(self.name)
        top.addWidget(self.details, 1, Qt.AlignmentFlag.AlignBaseline)
        top.addWidget(self.restricted, 0, Qt.AlignmentFlag.AlignBaseline)
        self._top = top
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(self.allergies)
        box.addWidget(self.warning)

    def show_patient(self, patient: dict, allergies: list[ChartItem]) -> None:
        facts = banner_facts(patient, allergies)
        self.name.setText(facts.name)
        self.details.setText("  ·  ".join(facts.details))
        self.allergies.setText(facts.allergies)
        self.allergies.set_tone(facts.allergy_tone)
        self.allergies.setAccessibleDescription(
            f"An allergy marked {NOT_CHECKABLE} was recorded as free text: no prescription is "
            "checked against it." if f"({NOT_CHECKABLE})" in facts.allergies else "")
        self.warning.setText(f"⚠ {facts.warning}" if facts.warning else "")
        self.warning.setVisible(facts.warning is not None)
        self.restricted.setVisible(is_restricted(patient))

    def add_action(self, button: QWidget) -> None:
        """A button about the patient record itself, at the end of the name's line."""
        self._top.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
