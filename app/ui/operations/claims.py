"""Operations of billing's Claims tab: the claims list, submitting the chosen claims, a
payer's answer recorded by hand or imported from a ClaimResponse file, one claim's details
and the X12 837P export. Each is the service `hearth claims` uses
(app.clinical.billing.claims, x12_837), so the screen and the command line agree."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QObject

from app.bootstrap import Workstation
from app.clinical.billing.claim_details import ClaimDetails, ClaimReader
from app.clinical.billing.claim_status import Standing
from app.clinical.billing.claims import ClaimRow, Claims
from app.clinical.billing.x12_837 import Batch, export_837
from app.clinical.records import Records
from app.errors import HearthError, UsageError
from app.ui.common.background import Background
from app.ui.operations import Op
from fhir_common import fhir_json

CLAIMS_READ = "claims read"
DETAILS_READ = "claim details read"


@dataclass(frozen=True)
class Submitted:
    sent: list[str]  # claim ids now submitted
    refused: list[str]  # one sentence per claim not submitted, saying why


def rows(owner: QObject, background: Background, ws: Workstation) -> Op[list[ClaimRow]]:
    """Every claim with its patient, payer, total and where it stands; one audited read."""
    return Op(owner, background, lambda: Claims(ws.store).rows(ws.session), CLAIMS_READ)


def submit(owner: QObject, background: Background, ws: Workstation,
           claim_ids: list[str]) -> Op[Submitted]:
    """Submit each claim in its own unit of work: a claim not ready to bill is refused with
    its sentence and changes nothing, and never stops the others."""
    def work() -> Submitted:
        sent, refused = [], []
        for claim_id in claim_ids:
            try:
                Claims(ws.store, ws.changes).submit(ws.session, claim_id)
                sent.append(claim_id)
            except HearthError as err:
                refused.append(err.message)
        return Submitted(sent, refused)
    return Op(owner, background, work)


def record(owner: QObject, background: Background, ws: Workstation, claim_id: str,
           status: str, amount: Decimal | None, reason: str | None) -> Op[Standing]:
    """The payer's answer as a person read it (paid with an amount, denied with a reason)."""
    return Op(owner, background, lambda: Claims(ws.store, ws.changes).record(
        ws.session, claim_id, status, amount, reason))


def import_response(owner: QObject, background: Background, ws: Workstation,
                    path: Path) -> Op[Standing]:
    """The payer's FHIR ClaimResponse in `path`, stored as it came."""
    def work() -> Standing:
        try:
            answer = fhir_json.loads(path.read_bytes())
        except OSError as exc:
            raise UsageError(f"Cannot read {path}: {exc.strerror}.") from None
        except fhir_json.JSONDecodeError:
            raise UsageError(f"{path.name} is not JSON: choose a FHIR ClaimResponse file."
                             ) from None
        return Claims(ws.store, ws.changes).import_response(ws.session, answer)
    return Op(owner, background, work)


def details(owner: QObject, background: Background, ws: Workstation,
            claim_id: str) -> Op[ClaimDetails]:
    """One claim's diagnoses, lines and charges, as its superbill shows them."""
    return Op(owner, background, lambda: ClaimReader(ws.store, ws.policy.billing).details(
        ws.session, claim_id), DETAILS_READ)


def export(owner: QObject, background: Background, ws: Workstation, since: date,
           output: Path) -> Op[Batch]:
    """Submitted claims of visits since `since` as one 837P file at `output`."""
    return Op(owner, background, lambda: export_837(
        Records(ws.store, ws.changes), ws.session, since, ws.policy.billing, output,
        datetime.now()))
