"""Operations of the Medications tab's Renew, Change and Discontinue, and of the detail pane
that shows the safety alerts a medication or allergy took part in."""

from PySide6.QtCore import QObject

from app.clinical.chart.record_alerts import ShownAlert
from app.clinical.charting.medications import Started
from app.clinical.orders.dose_limits import DoseLimit
from app.clinical.orders.sig import Sig
from app.ui.common.background import Background
from app.ui.operations import Op
from app.ui.operations.entries import RECORD, Services

ALERTS_SHOWN = "safety alerts shown"  # the detail pane shows the newest record asked for


def load_order(owner: QObject, background: Background, s: Services,
               request_id: str) -> Op[tuple[dict, DoseLimit | None]]:
    """The order as stored (its read audited) and its drug's dose limit, for the change
    form."""
    def load() -> tuple[dict, DoseLimit | None]:
        order = s.medications.current(s.session, request_id)
        return order, s.medication_changes.dose_limit(order)

    return Op(owner, background, load, RECORD)


def renew(owner: QObject, background: Background, s: Services, request_id: str,
          override: str | None, acknowledged: bool) -> Op[Started]:
    """Refused (SafetyAlerts, AcknowledgementNeeded) as a new order is, until overridden."""
    return Op(owner, background, lambda: s.medication_changes.renew(
        s.session, request_id, override, acknowledged))


def change(owner: QObject, background: Background, s: Services, request_id: str,
           sig: Sig, override: str | None, acknowledged: bool) -> Op[Started]:
    return Op(owner, background, lambda: s.medication_changes.change(
        s.session, request_id, sig, override=override, acknowledged=acknowledged))


def alerts(owner: QObject, background: Background, s: Services,
           reference: str) -> Op[tuple[ShownAlert, ...]]:
    """One audited read; a newer selection wins."""
    return Op(owner, background, lambda: s.record_alerts.read(
        s.session, s.patient_id, reference), ALERTS_SHOWN)
