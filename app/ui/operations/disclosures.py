"""Operations on a patient's accounting of disclosures: the list, and the list printed for
the patient (a disclosure itself)."""

from pathlib import Path

from PySide6.QtCore import QObject

from app.bootstrap import Workstation
from app.clinical.disclosures.accounting import Disclosure, Disclosures
from app.clinical.printing.printouts import Printed, PrintRequest
from app.ui.common.background import Background
from app.ui.operations import Op

SHOWN = "disclosures shown"


def listed(owner: QObject, background: Background, ws: Workstation,
           patient_id: str) -> Op[tuple[str, list[Disclosure]]]:
    """("Family, Given", the disclosures oldest first), in one audited read."""
    return Op(owner, background,
              lambda: Disclosures(ws.store).of_patient(ws.session, patient_id), SHOWN)


def print_for_patient(owner: QObject, background: Background, ws: Workstation,
                      patient_id: str, output: Path, to: str) -> Op[Printed]:
    """The list on the letterhead, written to `output`, recorded as given to `to`."""
    return Op(owner, background, lambda: ws.printouts.print(
        ws.session, PrintRequest(patient_id, "disclosures", output, to=to)))
