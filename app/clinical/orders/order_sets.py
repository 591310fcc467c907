"""Order sets: clinic-editable lists of tests (and medications) ordered together, from
resources/orders/order-sets.json (format in resources/orders/README.md).

Expanding a set pends its tests for the patient in one unit of work (app.clinical.orders.
service_requests), for a physician to review and sign in the basket. Its medication lines
come back as proposals with their sig built (app.clinical.orders.sig), not saved: they are
ordered through the medication path, which runs the safety checks, never around it.
A line naming a test the catalogue lacks, or a sig that cannot be built, is left out and
named in `problems`; the rest of the set still expands.
"""

from dataclasses import dataclass
from functools import cache

from app.clinical.drugs.catalogue import load_catalogue as load_drugs
from app.clinical.orders.catalogue import CatalogueUnreadable, read_file
from app.clinical.orders.dose_limits import limit_for
from app.clinical.orders.service_requests import OrderLine, Orders
from app.clinical.orders.sig import Sig, build_sig
from app.errors import HearthError, InvalidRecord, UsageError
from app.security.roles import Permission
from app.security.session import Session

MEDICATION_FIELDS = ("rxcui", "name", "dose", "unit", "route", "frequency")


@dataclass(frozen=True)
class OrderSet:
    id: str
    name: str
    reason: str
    tests: tuple[str, ...]  # codes from the order catalogue
    medications: tuple[dict, ...]  # rxcui, name, dose, unit, route, frequency, ...


@dataclass(frozen=True)
class MedicationProposal:
    """A medication line of a set, to be ordered through the medication path."""

    rxcui: str
    name: str
    sig: Sig


@dataclass(frozen=True)
class Expanded:
    pended: list[dict]  # the ServiceRequests saved as drafts
    medications: list[MedicationProposal]  # not saved
    problems: list[str]  # lines left out, each named


@cache
def order_sets() -> dict[str, OrderSet]:
    """The clinic's sets; a set without an id or a name is refused with a sentence naming
    it (its lines could not be told apart from another set's)."""
    sets = {}
    for number, row in enumerate(read_file("order-sets.json").get("sets") or [], 1):
        if not (isinstance(row, dict) and isinstance(row.get("id"), str)
                and isinstance(row.get("name"), str)):
            raise CatalogueUnreadable(f"Order set {number} in order-sets.json has no id or no "
                                      "name; fix the file to use its order sets.")
        sets[row["id"]] = OrderSet(row["id"], row["name"], row.get("reason", row["name"]),
                                   tuple(row.get("orders", ())),
                                   tuple(row.get("medications", ())))
    return sets


def find_set(name: str) -> OrderSet:
    """A set by its id ("diabetes-annual") or name ("Diabetes annual")."""
    sets = order_sets()
    wanted = name.strip().casefold()
    for order_set in sets.values():
        if wanted in (order_set.id, order_set.name.casefold()):
            return order_set
    raise UsageError(f"There is no order set '{name.strip()}': the sets are "
                     f"{', '.join(s.name for s in sets.values())}.")


def expand(orders: Orders, session: Session, patient_id: str, name: str,
           priority: str = "routine") -> Expanded:
    """Pend the set's tests for the patient and propose its medications."""
    session.require(Permission.PEND_ORDERS)
    order_set = find_set(name)
    known = orders.catalogue.items
    problems = [f"{order_set.name}: test {code} is not in the order catalogue; it was left "
                "out." for code in order_set.tests if code not in known]
    lines = [OrderLine(code, priority, reason=order_set.reason)
             for code in order_set.tests if code in known]
    pended = orders.pend_many(session, patient_id, lines) if lines else []
    proposals = []
    for line in order_set.medications:
        try:
            proposals.append(_proposal(line))
        except HearthError as exc:
            problems.append(f"{order_set.name}: medication {line.get('name', '?')} was left "
                            f"out: {exc.message}")
    return Expanded(pended, proposals, problems)


def _proposal(line: dict) -> MedicationProposal:
    if missing := [key for key in MEDICATION_FIELDS if key not in line]:
        raise InvalidRecord(f"it has no {', '.join(missing)}.")
    drug = load_drugs().drug(line["rxcui"])
    limit = limit_for(drug.ingredients) if drug else None
    sig = build_sig(line["dose"], line["unit"], line["route"], line["frequency"],
                    line.get("duration_days"), line.get("quantity"), line.get("refills"),
                    limit)
    return MedicationProposal(line["rxcui"], drug.name if drug else line["name"], sig)
