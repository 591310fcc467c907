"""`hearth fees ...` and `hearth claims ...`: the fee schedule and claims from the command
line, for billing and the admin.

`fees import FILE` sets the fees of a CSV (code, system, description, payer, amount,
currency) and names each row left out; `fees export FILE` writes them back; `fees list
[--json]` shows them. `claims list [--json]` shows every claim with patient, visit date,
status (READY for a draft `submit` would take; IMPORTED for a claim another system made),
total, payer (self-pay when the patient pays) and, for a draft, why it is not ready;
`claims submit CLAIM_ID` prices a coded visit and submits it, or says why it is not ready
to bill; `claims status CLAIM_ID paid|denied ...` records the payer's answer by hand,
`claims import-response FILE` stores the payer's FHIR ClaimResponse; `claims export-837
--since YYYY-MM-DD --output FILE` writes the submitted claims as an X12 837P.
"""

import argparse
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from app.clinical.billing.claim_status import HAND_RECORDED
from app.clinical.billing.claims import Claims
from app.clinical.billing.fees import FeeSchedule
from app.clinical.billing.x12_837 import export_837
from app.clinical.records import Records
from app.errors import UsageError
from fhir_common import fhir_json


def register(commands, data: argparse.ArgumentParser, signed_in) -> None:
    fees = commands.add_parser("fees", help="the fee schedule").add_subparsers(
        title="fees commands", metavar="ACTION", required=True)
    load = fees.add_parser("import", parents=[data], help="set fees from a CSV file (admin)")
    load.add_argument("file", type=Path, metavar="FILE")
    load.set_defaults(run=signed_in(cmd_fees_import))
    save = fees.add_parser("export", parents=[data], help="write the fees to a CSV file")
    save.add_argument("file", type=Path, metavar="FILE")
    save.set_defaults(run=signed_in(cmd_fees_export))
    fees.add_parser("list", parents=[data], help="every fee, by code and payer").set_defaults(
        run=signed_in(cmd_fees_list))

    claims = commands.add_parser("claims", help="claims from coded visits").add_subparsers(
        title="claims commands", metavar="ACTION", required=True)
    claims.add_parser("list", parents=[data], help="every claim: patient, visit date, "
                      "status, total, payer").set_defaults(run=signed_in(cmd_list))
    submit = claims.add_parser("submit", parents=[data], help="price a coded visit and "
                               "submit it (billing)")
    submit.add_argument("claim_id", metavar="CLAIM_ID")
    submit.set_defaults(run=signed_in(cmd_submit))
    status = claims.add_parser("status", parents=[data], help="record what the payer did")
    status.add_argument("claim_id", metavar="CLAIM_ID")
    status.add_argument("status", choices=HAND_RECORDED)
    status.add_argument("--amount", type=_money, help="what was paid, e.g. 70.00")
    status.add_argument("--reason", help="why it was denied, as the payer said")
    status.set_defaults(run=signed_in(cmd_status))
    answer = claims.add_parser("import-response", parents=[data],
                               help="store a payer's FHIR ClaimResponse (JSON file)")
    answer.add_argument("file", type=Path, metavar="FILE")
    answer.set_defaults(run=signed_in(cmd_import_response))
    x12 = claims.add_parser("export-837", parents=[data], help="write submitted claims as an "
                            "X12 837P file for the clearinghouse")
    x12.add_argument("--since", required=True, type=_day, metavar="YYYY-MM-DD",
                     help="claims of visits on or after this day")
    x12.add_argument("--output", required=True, type=Path, metavar="FILE")
    x12.set_defaults(run=signed_in(cmd_export_837))


def cmd_fees_import(args, ws, secrets) -> int:
    loaded = FeeSchedule(ws.store, ws.changes).import_csv(ws.session, args.file)
    for problem in loaded.problems:
        print(problem)
    print(f"Set {loaded.loaded} fee(s) from {args.file}"
          + (f"; {len(loaded.problems)} row(s) left out." if loaded.problems else "."))
    return 1 if loaded.problems else 0


def cmd_fees_export(args, ws, secrets) -> int:
    count = FeeSchedule(ws.store, ws.changes).export_csv(ws.session, args.file)
    print(f"Wrote {count} fee(s) to {args.file}.")
    return 0


def cmd_fees_list(args, ws, secrets) -> int:
    fees = FeeSchedule(ws.store, ws.changes).fees(ws.session)
    if args.json:
        print(fhir_json.dumps([{"code": f.code, "system": f.system,
                                "description": f.description, "payer": f.payer,
                                "amount": str(f.amount), "currency": f.currency}
                               for f in fees]).decode())
        return 0
    if not fees:
        print("The fee schedule is empty: import one with hearth fees import FILE.")
    for fee in fees:
        print(f"{fee.code:8} {fee.payer:20} {fee.amount:>10} {fee.currency}  {fee.description}")
    return 0


def cmd_list(args, ws, secrets) -> int:
    rows = Claims(ws.store, ws.changes).rows(ws.session)
    if args.json:
        print(fhir_json.dumps([{
            "claim": r.claim_id, "patient": {"id": r.patient_id, "name": r.patient},
            "visit_date": r.visit_date, "status": r.status,
            "total": None if r.total is None else str(r.total), "currency": r.currency,
            "reason": r.reason, "payer": r.payer, "not_ready": r.not_ready}
            for r in rows]).decode())
        return 0
    if not rows:
        print("No claims yet: a coded visit becomes one.")
    for row in rows:
        total = "not priced" if row.total is None else f"{row.total} {row.currency}"
        why = f" ({row.reason})" if row.status == "denied" and row.reason else \
            f" (not ready: {row.not_ready})" if row.not_ready else ""
        status = "ready" if row.status == "draft" and not row.not_ready else row.status
        print(f"{row.visit_date or 'no date':10} {status.upper():12}{total:>16}  "
              f"{row.patient or row.patient_id}; {row.payer or 'self-pay'}; "
              f"claim {row.claim_id}{why}")
    return 0


def cmd_submit(args, ws, secrets) -> int:
    claim = Claims(ws.store, ws.changes).submit(ws.session, args.claim_id)
    print(f"Submitted claim {args.claim_id}: total {claim['total']['value']} "
          f"{claim['total']['currency']}.")
    return 0


def cmd_status(args, ws, secrets) -> int:
    now = Claims(ws.store, ws.changes).record(ws.session, args.claim_id, args.status,
                                               args.amount, args.reason)
    detail = f": {now.paid}" if now.paid is not None else f": {now.reason}" if now.reason \
        else ""
    print(f"Claim {args.claim_id} is {now.status}{detail}.")
    return 0


def cmd_import_response(args, ws, secrets) -> int:
    try:
        answer = fhir_json.loads(args.file.read_bytes())
    except OSError as exc:
        raise UsageError(f"Cannot read {args.file}: {exc.strerror}.") from None
    except fhir_json.JSONDecodeError:
        raise UsageError(f"{args.file} is not JSON: give a FHIR ClaimResponse file.") from None
    now = Claims(ws.store, ws.changes).import_response(ws.session, answer)
    print(f"Stored the payer's answer: the claim is {now.status}"
          + (f" ({now.reason})." if now.reason else "."))
    return 0


def cmd_export_837(args, ws, secrets) -> int:
    batch = export_837(Records(ws.store, ws.changes), ws.session, args.since,
                       ws.policy.billing, args.output, datetime.now())
    for sentence in batch.notes:
        print(sentence)
    print(f"Wrote {len(batch.claims)} claim(s) to {args.output} (interchange "
          f"{batch.control_number:09d}).")
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: write YYYY-MM-DD") from None


def _money(text: str) -> Decimal:
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"'{text}' is not an amount such as 70.00") from None
    if not amount.is_finite() or amount < 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be an amount of zero or more")
    return amount
