"""Code a finished visit: its diagnoses, service lines, place of service and rendering
provider, saved as the visit's draft FHIR Claim (app.clinical.billing.coding).

The dialog reads the visit's coding as it opens (one audited read: the claim if coded,
the diagnoses proposed from the visit, what keeps it from billing), and stays open after
Save, so the coder sees at once what still blocks billing: each sentence in the alert tone
until none is left, then "Ready to bill". A refusal (a bad modifier, a pointer to no
diagnosis) is the service's sentence, and what was typed stays. Keyboard: every field has
an Alt+letter, Ctrl+S saves, Esc closes; Enter in a search field adds what it found, never
saves. Once the visit has its claim, "Print superbill…" opens Print… preset to it.
"""

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import Workstation
from app.clinical.billing import codes
from app.clinical.billing.codes import CodingRefused
from app.clinical.billing.coding import DEFAULT_PLACE, CodedVisit, Coding
from app.display_time import when_text
from app.ui.chart.billing.diagnoses import DiagnosisPicker
from app.ui.chart.billing.service_lines import ServiceLines
from app.ui.chart.style import ToneLabel, scaled_font
from app.ui.common.background import Background
from app.ui.operations import billing
from app.ui.printing.print_dialog import PrintDialog
from fhir_common.messages import sentence

READY = "Ready to bill."


def readiness_text(coded: CodedVisit) -> str:
    """What keeps the visit from billing, one sentence a line; "Ready to bill." when
    nothing does."""
    if coded.ready:
        return READY
    return "Not ready to bill:\n" + "\n".join(f"• {block}" for block in coded.blocks)


def visit_title(visit: dict, patient: str) -> str:
    """ "Code visit: Boateng, Kofi, born 1961-04-17 · Office visit · 09:10 on 02 Mar 2026 ·
    finished"."""
    kind = next((t.get("text") for t in visit.get("type", []) if t.get("text")), "Visit")
    start = (visit.get("period") or {}).get("start")
    when = when_text(start, with_date=True) if start else "start not recorded"
    return f"Code visit: {patient} · {kind} · {when} · {visit.get('status', 'no status')}"


class CodingDialog(QDialog):
    """One visit's coding; saves through operations.billing.code."""

    def __init__(self, ws: Workstation, background: Background, encounter_id: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._ws, self._background, self.encounter_id = ws, background, encounter_id
        self.coded: CodedVisit | None = None
        self.printing: PrintDialog | None = None  # while open
        self.setWindowTitle("Code visit")
        self.setAccessibleName("Code visit")
        self.resize(1040, 860)
        self.heading = QLabel("Reading the visit's coding…")
        self.heading.setAccessibleName("Visit being coded")
        self.heading.setFont(scaled_font(self, 1.2, bold=True))
        self.heading.setWordWrap(True)
        self.diagnoses = DiagnosisPicker(background)
        self.lines = ServiceLines(ws, background)
        self.place = QComboBox()
        self.place.setAccessibleName("Place of service")
        for code, name in codes.places().items():
            self.place.addItem(f"{code} {name}", code)
        self.place.setCurrentIndex(self.place.findData(DEFAULT_PLACE))
        self.provider = QLineEdit()
        self.provider.setAccessibleName("Rendering provider")
        self.provider.setPlaceholderText("A physician's user name; empty: you, if you are a "
                                         "physician, else the visit's physician")
        self.payer = ToneLabel("", "muted", "Who the claim bills")
        self.readiness = ToneLabel("", "muted", "Ready to bill")
        self.readiness.setFont(scaled_font(self, bold=True))
        self.message = ToneLabel("", "alert", "Coding message")
        self.message.hide()
        self.save = QPushButton("Sa&ve coding")
        self.save.setAccessibleName("Save coding")
        self.save.setToolTip("Save the visit's claim as coded (Ctrl+S)")
        self.save.clicked.connect(self.save_coding)
        self.save.setEnabled(False)  # until the visit is read
        close = QPushButton("&Close")
        close.setAccessibleName("Close")
        close.clicked.connect(self.reject)
        self.print_button = QPushButton("Print s&uperbill…")
        self.print_button.setAccessibleName("Print this visit's superbill")
        self.print_button.setToolTip("The superbill of this visit as last saved")
        self.print_button.setEnabled(False)  # until the visit has its claim
        self.print_button.clicked.connect(self.print_superbill)
        for button in (self.save, close, self.print_button):
            button.setAutoDefault(False)  # Enter in a search field adds, never saves
        QShortcut(QKeySequence.StandardKey.Save, self, self.save_coding)
        form = QFormLayout()
        for label, field in (("&Place of service", self.place),
                             ("Rendering provi&der", self.provider)):
            caption = QLabel(label)
            caption.setBuddy(field)
            form.addRow(caption, field)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(close)
        buttons.addWidget(self.save)
        box = QVBoxLayout(self)
        box.addWidget(self.heading)
        box.addWidget(self.diagnoses, 3)
        box.addWidget(self.lines, 3)
        box.addLayout(form)
        box.addWidget(self.payer)
        box.addWidget(self.readiness)
        box.addLayout(buttons)
        self.diagnoses.query.setFocus()
        billing.show(self, background, ws, encounter_id).success(self._read).failure(
            self._not_read).run()

    def save_coding(self) -> None:
        if not self.save.isEnabled():
            return
        try:
            coding = Coding(self.diagnoses.codes(), self.lines.lines(),
                            self.place.currentData(), self.provider.text().strip() or None)
        except CodingRefused as refused:  # a line's numbers could not be read
            self._refused(refused)
            return
        self.save.setEnabled(False)
        self._say("Saving…", alert=False)
        billing.code(self, self._background, self._ws, self.encounter_id, coding).success(
            self._saved).failure(self._refused).run()

    def print_superbill(self) -> PrintDialog | None:
        """Print… over this dialog, preset to this visit's superbill (once coded)."""
        if self.coded is None or self.coded.claim is None:
            return None
        if self.printing is not None and self.printing.isVisible():
            self.printing.close()
        self.printing = PrintDialog(self._ws, self._background, self.coded.patient_id,
                                    "superbill", self.encounter_id, self)
        self.printing.show()
        return self.printing

    def _read(self, shown: tuple[CodedVisit, str]) -> None:
        coded, patient = shown
        self.heading.setText(visit_title(coded.visit, patient))
        self.diagnoses.show_coded(coded)
        self.lines.show_claim(coded.claim)
        if coded.claim:
            self._show_claim_fields(coded.claim)
        self._show_state(coded)
        self.save.setEnabled(True)

    def _show_claim_fields(self, claim: dict) -> None:
        places = [i["locationCodeableConcept"]["coding"][0]["code"]
                  for i in claim.get("item", []) if i.get("locationCodeableConcept")]
        if places and (found := self.place.findData(places[0])) >= 0:
            self.place.setCurrentIndex(found)
        self.provider.setText((claim.get("provider", {}).get("identifier") or {})
                              .get("value", ""))

    def _show_state(self, coded: CodedVisit) -> None:
        self.coded = coded
        self.print_button.setEnabled(coded.claim is not None)
        self.payer.setText(coded.payer or "")
        self.payer.setVisible(bool(coded.payer))
        self.readiness.set_tone("muted" if coded.ready else "alert")
        self.readiness.setText(readiness_text(coded))

    def _saved(self, coded: CodedVisit) -> None:
        self._show_state(coded)
        self._say("Coding saved as the visit's draft claim.", alert=False)
        self.save.setEnabled(True)

    def _refused(self, exc: Exception) -> None:
        self._say(sentence(exc), alert=True)
        self.save.setEnabled(self.coded is not None)

    def _not_read(self, exc: Exception) -> None:
        self.heading.setText("This visit's coding could not be read.")
        self._say(sentence(exc), alert=True)

    def _say(self, text: str, alert: bool) -> None:
        self.message.set_tone("alert" if alert else "muted")
        self.message.setText(text)
        self.message.setWordWrap(True)
        self.message.show()
