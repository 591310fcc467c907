"""Claims by status with totals: how many claims were made in the period, for how much, and
how much the payers paid.

A claim is a FHIR Claim (one per coded visit, app.clinical.billing), dated by `created`;
where it stands is billing's word for it (draft, submitted, sent, paid, partly paid,
denied, cancelled), from the claim and the payers' answers to it (ClaimResponse), as
app.clinical.billing.claim_status decides it. The amount billed is the claim's `total`
(filled from the fee schedule when it is priced); money is added as Decimal, so no rounding
creeps in. A claim not yet priced is counted on a line of its own, never as zero money. A
period with no claims is a report with no rows.
"""

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import Connection, text

from app.clinical.billing.claim_status import claim_of, standing
from app.clinical.reports.table import Chart, Period, ReportTable
from fhir_common import fhir_json

CREATED = "datetime(json_extract(json, '$.created'))"
CLAIMS = text("SELECT json FROM resource WHERE type = 'Claim' AND deleted = 0 "
              f"AND {CREATED} >= :start AND {CREATED} < :end")
ANSWERS = text("SELECT json FROM resource WHERE type = 'ClaimResponse' AND deleted = 0")
ORDER = ("draft", "submitted", "sent", "partly paid", "paid", "denied", "cancelled")
NOT_PRICED = "not priced"


def claims_by_status(conn: Connection, period: Period) -> ReportTable:
    claims = [fhir_json.loads(body) for (body,) in conn.execute(CLAIMS, period.utc_bounds())]
    answers = defaultdict(list)
    if claims:
        for (body,) in conn.execute(ANSWERS):
            answer = fhir_json.loads(body)
            answers[claim_of(answer)].append(answer)
    lines: dict[tuple[str, str], list] = {}
    for claim in claims:
        where = standing(claim, answers.get(claim.get("id"), []))
        total = claim.get("total") or {}
        currency = (total.get("currency") or "currency not given") if "value" in total \
            else NOT_PRICED
        line = lines.setdefault((where.status, currency), [0, Decimal(0), Decimal(0)])
        line[0] += 1
        line[1] += Decimal(str(total.get("value", 0)))
        line[2] += where.paid or Decimal(0)
    rows = [(status, currency, count, *_money(currency, billed, paid))
            for (status, currency), (count, billed, paid) in sorted(
                lines.items(), key=lambda item: (_rank(item[0][0]), item[0][1]))]
    return ReportTable("claims-by-status", "Claims by status", period,
                       ("Status", "Currency", "Claims", "Billed", "Paid"), rows,
                       _total(rows), Chart(label=0, value=2),
                       "Claims created in the period, by where they stand, with the sum "
                       "billed and paid; a claim not yet priced is counted but adds nothing.")


def _total(rows: list[tuple]) -> tuple:
    """The bottom line; money only when every priced claim is in one currency."""
    currencies = sorted({r[1] for r in rows if r[1] != NOT_PRICED})
    one = currencies[0] if len(currencies) == 1 else ""
    billed = sum((r[3] for r in rows if r[1] == one), Decimal(0))
    paid = sum((r[4] for r in rows if r[1] == one), Decimal(0))
    return ("All claims", one, sum(r[2] for r in rows), *((billed, paid) if one else ("", "")))


def _money(currency: str, billed: Decimal, paid: Decimal) -> tuple:
    cent = Decimal("0.01")
    return ("", "") if currency == NOT_PRICED else (billed.quantize(cent), paid.quantize(cent))


def _rank(status: str) -> int:
    return ORDER.index(status) if status in ORDER else len(ORDER)
