"""How a result to review and an overdue order read in the Inbox's lists."""

from app.clinical.results.inbox import InboxItem
from app.clinical.results.overdue import OverdueOrder
from app.display_time import when_text
from app.ui.common.table_models import Column

FLAGS = {"critical": "Critical", "abnormal": "Abnormal"}
CLINIC_QUEUE = "Clinic queue"


def flag_text(item: InboxItem) -> str:
    return FLAGS.get(item.flag or "", "")


def when_resulted(item: InboxItem) -> str:
    return when_text(item.when, with_date=True, missing="undated")


def patient_text(item: InboxItem | OverdueOrder) -> str:
    return f"{item.patient} (deceased)" if getattr(item, "deceased", False) else item.patient


def filed_to(item: InboxItem) -> str:
    """The order the result answers, by name and date, or the clinic queue (an order not
    here)."""
    if not item.order_id:
        return CLINIC_QUEUE
    return item.order or "Your order"


def waited(order: OverdueOrder) -> str:
    return "1 day" if order.days == 1 else f"{order.days} days"


RESULT_COLUMNS = (
    Column("Flag", flag_text),
    Column("Patient", patient_text),
    Column("Test", lambda i: i.test),
    Column("Resulted", when_resulted),
    Column("Order", filed_to),
)
OVERDUE_COLUMNS = (
    Column("Patient", patient_text),
    Column("Test", lambda o: o.test),
    Column("Ordered", lambda o: when_text(o.ordered, with_date=True)),
    Column("Waiting", waited),
)
