"""Print…: one of a patient's documents as a PDF, from the chart (Ctrl+P), from a claim's
details or from the coding dialog (those two preset to the superbill of their visit).

The dialog asks what `hearth print` takes: the document (in words), the visit for a visit's
documents (latest first), the paper (the locale's, as `hearth print` and the day sheet pick
it), whom the copy is for (kept in the disclosure's audit row) and the file, suggested in
Documents as patient, document and date. What is offered comes from
app.clinical.printing.choices, which says in a sentence why anything is not. Printing runs
on the database thread through the one printing service (an audited export read, the file
whole or not at all); a refusal is its sentence in the dialog and nothing is written. Once
printed, the dialog says where the file is and, on a desktop, offers to open it; it stays
open for another copy.
"""

import os
from datetime import date
from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import Workstation
from app.clinical.disclosures.recipient import LONGEST
from app.clinical.printing.choices import DocumentChoice, PrintChoices, VisitChoice, file_name
from app.clinical.printing.printouts import DOCUMENTS, Printed, PrintRequest
from app.clinical.visits.day_sheet import default_paper
from app.ui.common import theme
from app.ui.common.background import Background
from app.ui.common.folders import documents_folder
from app.ui.operations import printouts
from fhir_common.messages import sentence

PAPER_NAMES = {"a4": "A4", "letter": "US Letter"}
NO_DESKTOP = ("offscreen", "minimal")  # Qt platforms with no desktop to open a file on


def can_open_files() -> bool:
    """Whether this session has a desktop that opens a PDF (not a headless platform)."""
    return QGuiApplication.platformName() not in NO_DESKTOP


class PrintDialog(QDialog):
    printed = Signal(object)  # Printed

    def __init__(self, ws: Workstation, background: Background, patient_id: str,
                 document: str | None = None, visit: str | None = None,
                 parent: QWidget | None = None):
        """`document` and `visit`: what to preset (the superbill of a claim's visit)."""
        super().__init__(parent)
        self._ws, self._background, self.patient_id = ws, background, patient_id
        self._preset = (document, visit)
        self.choices: PrintChoices | None = None
        self.last: Printed | None = None  # what was printed last, to open
        self._suggested = ""
        self.setWindowTitle("Print")
        self.setAccessibleName("Print a document of the patient")
        self.setMinimumWidth(620)
        self.heading = QLabel("Reading what can be printed…")
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-weight: 600;")
        self.document = self._combo("Document")
        self.visit = self._combo("Visit")
        self.paper = self._combo("Paper")
        for code, name in PAPER_NAMES.items():
            self.paper.addItem(name, code)
        self.paper.setCurrentIndex(self.paper.findData(default_paper(os.environ)))
        self.recipient = QLineEdit()
        self.recipient.setAccessibleName("Recipient")
        self.recipient.setMaxLength(LONGEST)
        self.recipient.setPlaceholderText("Who the copy is for, e.g. the patient (optional)")
        self.path = QLineEdit()
        self.path.setAccessibleName("Save to")
        self.browse = QPushButton("C&hoose…")
        self.browse.setAutoDefault(False)
        self.not_offered = QLabel()
        self.not_offered.setAccessibleName("Not offered")
        self.not_offered.setWordWrap(True)
        self.not_offered.setStyleSheet(f"color: {theme.muted_color()};")
        self.not_offered.hide()
        self.message = QLabel("The PDF is written where you choose; print it from there.")
        self.message.setAccessibleName("Print message")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = buttons.addButton("&Open PDF", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.setAccessibleName("Open the PDF printed")
        self.open_button.hide()
        self.print_button = buttons.addButton("&Print", QDialogButtonBox.ButtonRole.AcceptRole)
        self.print_button.setDefault(True)
        self.print_button.setEnabled(False)  # until the choices are read
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(self.browse)
        form = QFormLayout()
        for label, field in (("&Document", self.document), ("&Visit", self.visit),
                             ("P&aper", self.paper), ("&Recipient", self.recipient)):
            caption = QLabel(label)
            caption.setBuddy(field)
            form.addRow(caption, field)
        caption = QLabel("&Save to")
        caption.setBuddy(self.path)
        form.addRow(caption, where)
        box = QVBoxLayout(self)
        box.addWidget(self.heading)
        box.addLayout(form)
        box.addWidget(self.not_offered)
        box.addWidget(self.message)
        box.addWidget(buttons)
        self.document.currentIndexChanged.connect(lambda _i: self._document_chosen())
        self.visit.currentIndexChanged.connect(lambda _i: self._suggest())
        self.browse.clicked.connect(self.choose_file)
        self.print_button.clicked.connect(self.submit)
        self.open_button.clicked.connect(self.open_printed)
        buttons.rejected.connect(self.reject)
        printouts.choices(self, background, ws, patient_id).success(self._offer).failure(
            self._not_read).run()

    def chosen(self) -> DocumentChoice | None:
        name = self.document.currentData()
        return next((d for d in self.choices.documents if d.name == name), None) \
            if self.choices else None

    def chosen_visit(self) -> VisitChoice | None:
        encounter_id = self.visit.currentData()
        return next((v for v in self.choices.visits if v.encounter_id == encounter_id), None) \
            if self.choices else None

    def choose(self, document: str, visit: str | None = None) -> None:
        """Choose `document` (a name `hearth print` takes) and, for a visit's, `visit`."""
        self.document.setCurrentIndex(self.document.findData(document))
        if visit is not None:
            self.visit.setCurrentIndex(self.visit.findData(visit))

    def choose_file(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(self, "Save the PDF", self.path.text(),
                                                "PDF (*.pdf)")
        if chosen:
            self.path.setText(chosen)

    def submit(self) -> None:
        document = self.chosen()
        if document is None or not self.print_button.isEnabled():
            return
        visit = self.chosen_visit()
        if document.of_a_visit and visit is None:
            self._say(f"Choose the visit whose {document.label.lower()} to print.", alert=True)
            return
        text = self.path.text().strip()
        if not text:
            self._say(f"Say where to save the {document.label.lower()}: a file name ending in "
                      ".pdf.", alert=True)
            return
        output = Path(text).expanduser()
        if output.suffix.lower() != ".pdf":
            output = output.with_name(output.name + ".pdf")
        request = PrintRequest(self.patient_id, document.name, output,
                               visit.encounter_id if document.of_a_visit else None,
                               self.paper.currentData(), self.recipient.text().strip() or None)
        self.print_button.setEnabled(False)
        self.open_button.hide()
        self._say(f"Printing the {document.label.lower()}…", alert=False)
        printouts.print_document(self, self._background, self._ws, request).success(
            lambda printed: self._printed(printed, request.to)).failure(self._refused).run()

    def open_printed(self) -> None:
        if self.last is not None and not QDesktopServices.openUrl(
                QUrl.fromLocalFile(str(self.last.path))):
            self._say(f"No application opened the PDF; it is saved at {self.last.path}.",
                      alert=True)

    def _offer(self, choices: PrintChoices) -> None:
        self.choices = choices
        self.heading.setText(f"Print a document of {choices.patient}")
        if choices.not_offered:
            self.not_offered.setText("\n".join(choices.not_offered))
            self.not_offered.show()
        for document in choices.documents:
            self.document.addItem(document.label, document.name)
        if not choices.documents:
            self._say(f"Nothing can be printed for {choices.patient} here.", alert=True)
            return
        document, visit = self._preset
        if document is not None:
            if not any(d.name == document for d in choices.documents):
                self._say(f"The {DOCUMENTS[document].TITLE.lower()} is not offered for "
                          f"{choices.patient}; see why above.", alert=True)
            else:
                self.choose(document, visit)
                if visit is not None and self.visit.currentData() != visit:
                    self._say(f"Encounter/{visit} is not among the visits offered for the "
                              f"{self.chosen().label.lower()}: choose one of those listed.",
                              alert=True)
        self._document_chosen()
        self.print_button.setEnabled(True)

    def _document_chosen(self) -> None:
        """Offer the chosen document's visits (none for a document of the whole chart)."""
        document = self.chosen()
        if document is None:
            return
        wanted = self.visit.currentData()
        self.visit.blockSignals(True)
        self.visit.clear()
        for visit in self.choices.visits_for(document.name):
            self.visit.addItem(visit.label, visit.encounter_id)
        if wanted is not None and (kept := self.visit.findData(wanted)) >= 0:
            self.visit.setCurrentIndex(kept)
        self.visit.blockSignals(False)
        self.visit.setEnabled(document.of_a_visit)
        self.visit.setToolTip("" if document.of_a_visit else
                              f"The {document.label.lower()} covers the whole chart.")
        self._suggest()

    def _suggest(self) -> None:
        """Name the file after the patient, document and date (the visit's, for a visit's
        document), unless a name of the user's own is typed there."""
        document, visit = self.chosen(), self.chosen_visit()
        if document is None or self.path.text() not in ("", self._suggested):
            return
        start = visit.start if document.of_a_visit and visit is not None else None
        day = date.fromisoformat(start[:10]) if start else date.today()
        self._suggested = str(documents_folder()
                              / file_name(self.choices.patient, document.name, day))
        self.path.setText(self._suggested)

    def _printed(self, printed: Printed, to: str | None) -> None:
        self.last = printed
        entries = f"{printed.entries} {'entry' if printed.entries == 1 else 'entries'}"
        pages = f"{printed.pages} {'page' if printed.pages == 1 else 'pages'}"
        given = f" Recorded as given to {to}." if to else ""
        opened = (" Open it to print it." if can_open_files()
                  else " Print it from there.")
        self._say(f"Saved the {printed.title.lower()} of {printed.patient} to {printed.path} "
                  f"({entries} on {pages}, {PAPER_NAMES[printed.paper]}).{given}{opened}",
                  alert=False)
        self.open_button.setVisible(can_open_files())
        self.print_button.setEnabled(True)
        self.printed.emit(printed)

    def _refused(self, exc: Exception) -> None:
        self.print_button.setEnabled(True)
        self._say(sentence(exc), alert=True)

    def _not_read(self, exc: Exception) -> None:
        self.heading.setText("What can be printed could not be read.")
        self._say(sentence(exc), alert=True)

    def _say(self, text: str, alert: bool) -> None:
        self.message.setStyleSheet(f"color: {theme.alert_color()};" if alert else "")
        self.message.setText(text)

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        return combo
