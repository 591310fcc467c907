"""The clinic's fee schedule: what it charges for each code, per payer, as FHIR R4
ChargeItemDefinition records (one per code, a priceComponent per payer or "default").

The admin keeps it (EDIT_FEE_SCHEDULE) through the write path, so it syncs to the clinic's
other computers like any record; billing reads it to price claims (app.clinical.billing.
claims). Amounts are money: they are Decimals here and written to the record with the
digits they were given ("75.50" stays "75.50"), never as binary floats.

CSV (columns code, system, description, payer, amount, currency; `system` is "cpt",
"hcpcs" or the code system's URL): an import sets the fee of each good row, in one unit of
work, and names each malformed row with what was wrong, leaving it out; an export writes
every fee back in the same columns, so a file can be exported, edited and imported again.
"""

import csv
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import Connection, text

from app.clinical.records import ChangeFeed, Records, Work
from app.errors import UsageError
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store
from fhir_common import fhir_json
from fhir_common.fhir_json import ExactDecimal

CPT = "http://www.ama-assn.org/go/cpt"
HCPCS = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
SYSTEMS = {"cpt": CPT, "hcpcs": HCPCS}  # what a CSV may write for each
PAYER_SYSTEM = "urn:hearth:payer"  # priceComponent.code: whose price this is
DEFAULT_PAYER = "default"  # the price when the payer has none of its own
COLUMNS = ("code", "system", "description", "payer", "amount", "currency")
CODE = re.compile(r"[A-Za-z0-9]{1,10}")
CURRENCY = re.compile(r"[A-Z]{3}")
CENT = Decimal("0.01")
FEES = text("SELECT json FROM resource WHERE type = 'ChargeItemDefinition' AND deleted = 0 "
            "ORDER BY id")


@dataclass(frozen=True)
class Fee:
    code: str
    system: str  # the code system's URL
    description: str
    payer: str  # the payer's name as on the patient's insurance card, or "default"
    amount: Decimal
    currency: str = "USD"


@dataclass(frozen=True)
class FeeImport:
    loaded: int  # fees set
    problems: list[str]  # one sentence per row left out, naming the row


class FeeSchedule:
    def __init__(self, store: Store, feed: ChangeFeed | None = None):
        self._records = Records(store, feed)

    def set_fees(self, session: Session, fees: Iterable[Fee]) -> int:
        """Set each fee (a payer's price for a code replaces its old one), in one unit of
        work; returns how many were set."""
        fees = list(fees)
        with self._records.write(session, Permission.EDIT_FEE_SCHEDULE) as work:
            _save_fees(work, fees)
        return len(fees)

    def import_csv(self, session: Session, path: Path) -> FeeImport:
        """Set the fees of a CSV file's good rows; each malformed row is named and left out."""
        fees, problems = read_csv(path)
        loaded = self.set_fees(session, fees) if fees else 0
        return FeeImport(loaded, problems)

    def fees(self, session: Session) -> list[Fee]:
        """Every fee, by code then payer (the default first). Open to every signed-in user:
        prices are the clinic's, not a patient's."""
        with self._records.listing(session) as work:
            return all_fees(work.conn)

    def remove_fee(self, session: Session, fee: Fee) -> None:
        """Take one payer's price for a code off the schedule. The code's record is kept as a
        new version (its history still shows the price); with no price left it is retired,
        never deleted, so claims priced with it can still be traced to it."""
        with self._records.write(session, Permission.EDIT_FEE_SCHEDULE) as work:
            record = work.get("ChargeItemDefinition", fee_id(fee.system, fee.code))
            kept = [f for f in _fees_of(record or {}) if f.payer.casefold() != fee.payer.casefold()]
            if record is None or len(kept) == len(_fees_of(record)):
                raise UsageError(f"The schedule has no {fee.payer} fee for {fee.code}; nothing "
                                 "was removed.")
            if kept:
                record["propertyGroup"] = [{"priceComponent": [_component(f) for f in kept]}]
            else:
                record.pop("propertyGroup", None)
                record["status"] = "retired"
            work.save(record, "update", f"fee schedule: {fee.code}, {fee.payer} removed"
                      + ("" if kept else "; code retired"))

    def export_csv(self, session: Session, path: Path) -> int:
        """Write every fee to `path` in the import's columns; returns how many rows."""
        fees = self.fees(session)
        partial = path.with_name(path.name + ".partial")
        with partial.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            for fee in fees:
                writer.writerow([fee.code, _system_word(fee.system), fee.description,
                                 fee.payer, str(fee.amount), fee.currency])
        partial.replace(path)
        return len(fees)


def fee_of(conn: Connection, system: str, code: str, payer: str | None) -> Fee | None:
    """The price of a code for a payer (matched by name, case aside), else its default;
    None when the schedule has no price for the code."""
    record = fhir_json.loads(body) if (body := conn.execute(
        text("SELECT json FROM resource WHERE type = 'ChargeItemDefinition' AND id = :id "
             "AND deleted = 0"), {"id": fee_id(system, code)}).scalar()) else None
    if record is None:
        return None
    prices = {fee.payer.casefold(): fee for fee in _fees_of(record)}
    return prices.get((payer or DEFAULT_PAYER).casefold()) or prices.get(DEFAULT_PAYER)


def all_fees(conn: Connection) -> list[Fee]:
    fees = [fee for (body,) in conn.execute(FEES) for fee in _fees_of(fhir_json.loads(body))]
    return sorted(fees, key=lambda f: (f.code, f.system, f.payer != DEFAULT_PAYER, f.payer))


def fee_id(system: str, code: str) -> str:
    """The ChargeItemDefinition's id: one per code, readable ("fee-hcpcs-G0438")."""
    if system in SYSTEMS.values():
        return f"fee-{_system_word(system)}-{code}"
    return f"fee-{hashlib.sha256(system.encode('utf-8')).hexdigest()[:10]}-{code}"


def read_csv(path: Path) -> tuple[list[Fee], list[str]]:
    """The fees of a CSV file and a sentence for each row that is not one."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as source:
            rows = list(csv.reader(source))
    except OSError as exc:
        raise UsageError(f"Cannot read the fee schedule {path}: {exc.strerror}.") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not a UTF-8 text file; save the CSV as UTF-8.") from None
    if not rows or [c.strip().lower() for c in rows[0]] != list(COLUMNS):
        raise UsageError(f"{path} must start with the header row {','.join(COLUMNS)}.")
    fees, problems = [], []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            fees.append(fee_of_row(row))
        except ValueError as exc:
            problems.append(f"Row {number}: {exc}; left out.")
    return fees, problems


def fee_of_row(row: list[str]) -> Fee:
    """One CSV row as a Fee, or ValueError saying what is wrong with it."""
    if len(row) != len(COLUMNS):
        raise ValueError(f"it has {len(row)} columns, not the {len(COLUMNS)} of the header")
    code, system, description, payer, amount, currency = (cell.strip() for cell in row)
    if not CODE.fullmatch(code):
        raise ValueError(f"the code {code!r} must be 1 to 10 letters and digits")
    system = SYSTEMS.get(system.lower(), system)
    if system not in SYSTEMS.values() and not system.startswith(("http://", "https://",
                                                                  "urn:")):
        raise ValueError(f"the system {system!r} must be cpt, hcpcs or a code system URL")
    try:
        money = Decimal(amount)
    except InvalidOperation:
        raise ValueError(f"the amount {amount!r} is not a number") from None
    if not money.is_finite() or money < 0 or money.as_tuple().exponent < -2:
        raise ValueError(f"the amount {amount!r} must be zero or more, with at most 2 "
                         "decimal places")
    if not CURRENCY.fullmatch(currency):
        raise ValueError(f"the currency {currency!r} must be a 3-letter code such as USD")
    return Fee(code, system, description, payer or DEFAULT_PAYER, money, currency)


def _save_fees(work: Work, fees: list[Fee]) -> None:
    by_code: dict[str, list[Fee]] = {}
    for fee in fees:
        by_code.setdefault(fee_id(fee.system, fee.code), []).append(fee)
    for record_id, changes in by_code.items():
        stored = work.get("ChargeItemDefinition", record_id)
        record = stored or _new_record(record_id, changes[0])
        record["status"] = "active"  # a retired code priced again is back on the schedule
        prices = {f.payer.casefold(): f for f in _fees_of(record)}
        prices |= {f.payer.casefold(): f for f in changes}  # the last row of a payer wins
        described = changes[-1].description or record.get("title", "")
        if described:
            record["title"] = described
            record["code"]["coding"][0]["display"] = described
        record["propertyGroup"] = [{"priceComponent": [
            _component(f) for f in sorted(prices.values(),
                                          key=lambda f: (f.payer != DEFAULT_PAYER, f.payer))]}]
        work.save(record, "update" if stored else "create", f"fee schedule: {changes[0].code}, "
                  + ", ".join(f"{f.payer} {f.amount} {f.currency}" for f in changes))


def _new_record(record_id: str, fee: Fee) -> dict:
    return {"resourceType": "ChargeItemDefinition", "id": record_id,
            "url": f"urn:hearth:fee-schedule:{record_id}", "status": "active",
            "code": {"coding": [{"system": fee.system, "code": fee.code}]}}


def _component(fee: Fee) -> dict:
    return {"type": "base",
            "code": {"coding": [{"system": PAYER_SYSTEM, "code": fee.payer}]},
            "amount": {"value": ExactDecimal(str(fee.amount)), "currency": fee.currency}}


def _fees_of(record: dict) -> list[Fee]:
    coding = record.get("code", {}).get("coding", [{}])[0]
    found = []
    for group in record.get("propertyGroup", []):
        for component in group.get("priceComponent", []):
            amount = component.get("amount", {})
            if "value" not in amount:
                continue
            payer = next((c.get("code") for c in component.get("code", {}).get("coding", [])
                          if c.get("system") == PAYER_SYSTEM), DEFAULT_PAYER)
            found.append(Fee(coding.get("code", ""), coding.get("system", ""),
                             record.get("title", coding.get("display", "")), payer,
                             money_of(amount["value"]), amount.get("currency", "USD")))
    return found


def money_of(value: int | float) -> Decimal:
    """A FHIR decimal as money: the digits it was written with, in cents at least (some
    servers send 75.50 back as 75.5; the amount is the same, and it reads as 75.50)."""
    amount = Decimal(fhir_json.number_text(value))
    return amount.quantize(CENT) if amount.as_tuple().exponent > -2 else amount


def _system_word(system: str) -> str:
    return next((word for word, url in SYSTEMS.items() if url == system), system)
