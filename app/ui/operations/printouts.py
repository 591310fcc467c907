"""Operations of Print…: what a patient's documents offer (one audited read), and a document
printed to a PDF by the service `hearth print` uses (one audited export read, recorded as a
disclosure with its recipient; the file whole or not at all)."""

from PySide6.QtCore import QObject

from app.bootstrap import Workstation
from app.clinical.printing.choices import PrintChoices, PrintChoicesReader
from app.clinical.printing.printouts import Printed, PrintRequest
from app.ui.common.background import Background
from app.ui.operations import Op

CHOICES_READ = "print choices read"


def choices(owner: QObject, background: Background, ws: Workstation,
            patient_id: str) -> Op[PrintChoices]:
    """The documents and visits this user may print for the patient, and why not the rest."""
    return Op(owner, background,
              lambda: PrintChoicesReader(ws.store).offered(ws.session, patient_id),
              CHOICES_READ)


def print_document(owner: QObject, background: Background, ws: Workstation,
                   request: PrintRequest) -> Op[Printed]:
    return Op(owner, background, lambda: ws.printouts.print(ws.session, request))
