"""Operations on a patient's orders, as the chart's Orders tab and its dialogs run them: the
current orders and the basket (each read in one audited read), pending a test or an order
set, signing the basket, cancelling with a reason, and printing signed orders."""

from pathlib import Path

from PySide6.QtCore import QObject

from app.bootstrap import Workstation
from app.clinical.orders import order_sets
from app.clinical.orders.order_list import OrderRow, every_order
from app.clinical.orders.order_prints import OrdersPrinted, PrintRequest
from app.clinical.orders.service_requests import OrderLine, PendedOrder
from app.clinical.records import Records
from app.ui.common.background import Background
from app.ui.operations import Op

LISTED = "orders listed"
BASKET = "basket read"


def listed(owner: QObject, background: Background, ws: Workstation,
           patient_id: str) -> Op[list[OrderRow]]:
    """Every order of the patient, newest first; a newer read wins."""
    return Op(owner, background,
              lambda: every_order(Records(ws.store), ws.session, patient_id), LISTED)


def basket(owner: QObject, background: Background, ws: Workstation,
           patient_id: str) -> Op[list[PendedOrder]]:
    """The pended orders with the alerts stored for medication drafts; a newer read wins."""
    return Op(owner, background, lambda: ws.orders.review(ws.session, patient_id), BASKET)


def pend(owner: QObject, background: Background, ws: Workstation, patient_id: str,
         line: OrderLine) -> Op[dict]:
    return Op(owner, background, lambda: ws.orders.pend(ws.session, patient_id, line))


def pend_set(owner: QObject, background: Background, ws: Workstation, patient_id: str,
             set_name: str, priority: str) -> Op[order_sets.Expanded]:
    """The set's tests pended together; its medication lines come back as proposals."""
    return Op(owner, background, lambda: order_sets.expand(ws.orders, ws.session, patient_id,
                                                           set_name, priority))


def sign(owner: QObject, background: Background, ws: Workstation, order_ids: list[str],
         override: str | None = None, acknowledged: bool = False) -> Op[list[dict]]:
    """Exactly the orders the signer reviewed, in one unit of work: all signed or none;
    medication drafts checked again, `override` the signer's reason for new alerts."""
    return Op(owner, background, lambda: ws.orders.sign(ws.session, order_ids, override,
                                                        acknowledged))


def cancel(owner: QObject, background: Background, ws: Workstation, order_id: str,
           reason: str) -> Op[dict]:
    return Op(owner, background, lambda: ws.orders.cancel(ws.session, order_id, reason))


def print_orders(owner: QObject, background: Background, ws: Workstation, patient_id: str,
                 kind: str, output: Path, which: str = "current") -> Op[OrdersPrinted]:
    """A requisition ("lab") or prescription PDF of the signed orders, written whole:
    `which` "current" (all) or "today" (signed today)."""
    return Op(owner, background, lambda: ws.order_prints.print(
        ws.session, PrintRequest(patient_id, output, kind, which=which)))
