"""How the Claims tab says a claim: its columns, the statuses it filters by, and a claim's
standing in billing's words.

A draft is "ready" when Submit would take it now (its visit's notes signed, a diagnosis,
every line pointing at one, a rendering provider, a fee for every line: app.clinical.billing.
claims), else "draft" with the reasons, so billing sees at a glance which claims can go and
why the others cannot. Claims another system made ("imported") are left out of the default
filter, Hearth's claims: they are not billed from here.
"""

from decimal import Decimal

from app.clinical.billing.claim_status import IMPORTED, Standing
from app.clinical.billing.claims import ClaimRow
from app.errors import HearthError
from app.ui.common.table_models import Column
from fhir_common.messages import sentence

HEARTHS = "hearth's"  # the default filter: every claim coded here, none imported
FILTERS = (("Hearth's claims", HEARTHS), ("Ready", "ready"), ("Draft, not ready", "draft"),
           ("Submitted", "submitted"), ("Sent in an 837P", "sent"), ("Paid", "paid"),
           ("Partly paid", "partly paid"), ("Denied", "denied"), ("Cancelled", "cancelled"),
           ("Imported", IMPORTED), ("All claims", None))


def shown_status(row: ClaimRow) -> str:
    """The row's status as filtered: "ready" for a draft Submit would take, else its own."""
    return "ready" if row.status == "draft" and row.not_ready is None else row.status


def shown_by(row: ClaimRow, wanted: str | None) -> bool:
    """Whether the filter `wanted` (FILTERS' data) shows the row."""
    if wanted == HEARTHS:
        return row.status != IMPORTED
    return wanted is None or shown_status(row) == wanted


def status_text(row: ClaimRow) -> str:
    """The Status cell: "denied: <the payer's reason>", "draft: it has no diagnosis"."""
    status = shown_status(row)
    if status == "denied" and row.reason:
        return f"denied: {row.reason}"
    if status == "draft" and row.not_ready:
        return f"draft: {row.not_ready}"
    return status


def said(exc: Exception) -> str:
    """What a refusal says: the service's own sentence (its title would only repeat that
    nothing was done), else the sentence for the unexpected."""
    return exc.message if isinstance(exc, HearthError) else sentence(exc)


def money(total: Decimal | None, currency: str) -> str:
    return "not priced" if total is None else f"{total:,.2f} {currency}"


def standing_words(now: Standing) -> str:
    """ "paid 70.00", "denied (Not a covered service)", "submitted"."""
    if now.paid is not None:
        return f"{now.status} {now.paid:,.2f}"
    return f"{now.status} ({now.reason})" if now.reason else now.status


COLUMNS = (Column("Patient", lambda row: row.patient or row.patient_id),
           Column("Visit date", lambda row: row.visit_date or "no date"),
           Column("Payer", lambda row: row.payer or "Self-pay"),
           Column("Total", lambda row: money(row.total, row.currency)),
           Column("Claim", lambda row: row.claim_id),
           Column("Status", status_text))
