"""Operations of the Admin tab's fee schedule: read it, set or remove one fee, import and
export the CSV.

Each is the FeeSchedule service `hearth fees` uses (app.clinical.billing.fees), run on the
database thread, so the screen and the command line set, check and write fees the same way
(EDIT_FEE_SCHEDULE for every change, through the write path).
"""

from pathlib import Path

from PySide6.QtCore import QObject

from app.bootstrap import Workstation
from app.clinical.billing.fees import Fee, FeeImport, FeeSchedule
from app.ui.common.background import Background
from app.ui.operations import Op

READ = "fee schedule"  # the newest read answers


def read(owner: QObject, background: Background, ws: Workstation) -> Op[list[Fee]]:
    """Every fee, by code then payer (the default first)."""
    return Op(owner, background, lambda: FeeSchedule(ws.store).fees(ws.session), READ)


def set_fee(owner: QObject, background: Background, ws: Workstation, fee: Fee) -> Op[int]:
    """Set one payer's price for a code (a new fee, or a new amount for one shown)."""
    return Op(owner, background,
              lambda: FeeSchedule(ws.store, ws.changes).set_fees(ws.session, [fee]))


def remove(owner: QObject, background: Background, ws: Workstation, fee: Fee) -> Op[None]:
    """Take one payer's price off the schedule (the code retired when none is left)."""
    return Op(owner, background,
              lambda: FeeSchedule(ws.store, ws.changes).remove_fee(ws.session, fee))


def import_csv(owner: QObject, background: Background, ws: Workstation,
               path: Path) -> Op[FeeImport]:
    """Set the fees of a CSV's good rows; the answer names each row left out."""
    return Op(owner, background,
              lambda: FeeSchedule(ws.store, ws.changes).import_csv(ws.session, path))


def export_csv(owner: QObject, background: Background, ws: Workstation,
               path: Path) -> Op[int]:
    """Write every fee to `path` in the import's columns; the answer is how many rows."""
    return Op(owner, background, lambda: FeeSchedule(ws.store).export_csv(ws.session, path))
