"""`hearth orders ...`: a patient's lab, imaging and medication orders from the command line.

`orders list PATIENT_ID` shows the current orders (pended, active, on hold) with status,
what, when and who; `orders show ORDER_ID` one order in full. `orders pend`, `orders set`,
`orders sign` and `orders cancel` order from a script as the chart does: pended orders wait
in the basket until a physician signs them. `orders print PATIENT_ID --output FILE.pdf` writes
the signed lab and imaging orders as a requisition, or with `--kind prescription` the signed
medication orders as a prescription (app.clinical.orders.order_prints): every current one,
unless `--today` (only those signed today) or `--order ID` (repeatable: only those).
`orders prescribe` orders a medication (app.cli.prescription_commands). Every ordering
command is refused while the safety packs are unsound unless given --acknowledge-pack
(app.cli.safety_commands).
"""

import argparse
import sys
from pathlib import Path

import orjson

from app.cli import prescription_commands
from app.cli.safety_commands import add_acknowledge, require_acknowledged
from app.clinical.orders.order_list import OrderRow, current_orders, one_order
from app.clinical.orders.order_prints import KINDS, PrintRequest
from app.clinical.orders.order_sets import expand
from app.clinical.orders.service_requests import PRIORITIES, OrderLine, Orders
from app.clinical.printing.pages import PAPERS
from app.clinical.records import Records
from app.display_time import when_text
from app.security.roles import Permission
from fhir_common import fhir_json


def register(commands, data: argparse.ArgumentParser, signed_in) -> None:
    orders = commands.add_parser("orders", help="lab, imaging and medication orders"
                                 ).add_subparsers(title="orders commands", metavar="ACTION",
                                                  required=True)
    listing = orders.add_parser("list", parents=[data], help="a patient's current orders")
    listing.add_argument("patient_id", metavar="PATIENT_ID")
    listing.set_defaults(run=signed_in(cmd_list))

    show = orders.add_parser("show", parents=[data], help="one order in full")
    show.add_argument("order_id", metavar="ORDER_ID")
    show.set_defaults(run=signed_in(cmd_show))

    pend = orders.add_parser("pend", parents=[data], help="pend tests for a physician to sign")
    pend.add_argument("patient_id", metavar="PATIENT_ID")
    pend.add_argument("tests", nargs="+", metavar="TEST", help="a LOINC code, imaging code "
                      "or name from the order catalogue")
    pend.add_argument("--priority", choices=PRIORITIES, default="routine")
    pend.add_argument("--reason", help="why, in words")
    pend.add_argument("--note", help="specimen or study notes")
    add_acknowledge(pend)
    pend.set_defaults(run=signed_in(cmd_pend))

    order_set = orders.add_parser("set", parents=[data], help="pend an order set's tests")
    order_set.add_argument("patient_id", metavar="PATIENT_ID")
    order_set.add_argument("name", metavar="SET", help="e.g. \"Diabetes annual\"")
    add_acknowledge(order_set)
    order_set.set_defaults(run=signed_in(cmd_set))

    sign = orders.add_parser("sign", parents=[data], help="sign every pended order of a "
                             "patient (physicians)")
    sign.add_argument("patient_id", metavar="PATIENT_ID")
    sign.add_argument("--override", metavar="REASON", help="your reason to sign despite new "
                      "safety alerts found as a pended medication is signed")
    add_acknowledge(sign)
    sign.set_defaults(run=signed_in(cmd_sign))

    cancel = orders.add_parser("cancel", parents=[data], help="cancel an order, saying why")
    cancel.add_argument("order_id", metavar="ORDER_ID")
    cancel.add_argument("--reason", required=True)
    cancel.set_defaults(run=signed_in(cmd_cancel))

    printing = orders.add_parser("print", parents=[data], help="print a patient's signed "
                                 "orders: a lab requisition or a prescription, as a PDF")
    printing.add_argument("patient_id", metavar="PATIENT_ID")
    printing.add_argument("--output", required=True, type=Path, metavar="FILE.pdf")
    printing.add_argument("--kind", choices=sorted(KINDS), default="lab",
                          help="lab: lab and imaging requisition (default); prescription")
    printing.add_argument("--paper", choices=sorted(PAPERS), help="default: the locale's "
                          "(Letter in the US, Canada, Mexico and a few more; A4 elsewhere)")
    chosen = printing.add_mutually_exclusive_group()
    chosen.add_argument("--today", action="store_true", help="only the orders signed today "
                        "(default: every current signed order)")
    chosen.add_argument("--order", action="append", metavar="ORDER_ID", dest="order_ids",
                        help="only this order; repeat for more")
    printing.set_defaults(run=signed_in(cmd_print))
    prescription_commands.register(orders, data, signed_in)


def cmd_list(args, ws, secrets) -> int:
    rows = current_orders(Records(ws.store, ws.changes), ws.session, args.patient_id)
    if args.json:
        print(fhir_json.dumps([_as_json(r) for r in rows]).decode())
        return 0
    if not rows:
        print("No current orders.")
    for row in rows:
        urgent = f" {row.priority.upper()}" if row.priority not in (None, "routine") else ""
        print(f"{row.status.upper():8} {row.kind:12}{urgent} {row.what}")
        print(f"         {when_text(row.when, with_date=True, missing='no date')} by "
              f"{row.who or 'unknown'}; id {row.id}")
    return 0


def cmd_show(args, ws, secrets) -> int:
    order = one_order(Records(ws.store, ws.changes), ws.session, args.order_id)
    print(fhir_json.dumps(order, option=orjson.OPT_INDENT_2).decode())
    return 0


def cmd_pend(args, ws, secrets) -> int:
    lines = [OrderLine(test, args.priority, args.reason, note=args.note) for test in args.tests]
    require_acknowledged(args, ws, "Nothing was pended", Permission.PEND_ORDERS)
    orders = _orders(ws)
    return _pended(args, orders.pend_many(ws.session, args.patient_id, lines))


def cmd_set(args, ws, secrets) -> int:
    require_acknowledged(args, ws, "Nothing was pended", Permission.PEND_ORDERS)
    expanded = expand(_orders(ws), ws.session, args.patient_id, args.name)
    if args.json:
        print(fhir_json.dumps({
            "pended": [_brief(o) for o in expanded.pended],
            "medications": [{"rxcui": m.rxcui, "name": m.name, "sig": m.sig.words,
                             "warnings": list(m.sig.warnings)} for m in expanded.medications],
            "problems": expanded.problems}).decode())
        return 0
    _pended(args, expanded.pended)
    for proposal in expanded.medications:
        print(f"PROPOSED (not ordered) {proposal.name} (RxNorm {proposal.rxcui}): "
              f"{proposal.sig.words}")
        for warning in proposal.sig.warnings:
            print(f"  WARNING: {warning}")
    for problem in expanded.problems:
        print(f"LEFT OUT: {problem}")
    return 0


def cmd_sign(args, ws, secrets) -> int:
    require_acknowledged(args, ws, "Nothing was signed", Permission.SIGN_ORDERS)
    signed = ws.orders.sign_basket(ws.session, args.patient_id, args.override,
                                   args.acknowledge_pack)
    if args.json:
        print(fhir_json.dumps([_brief(o) for o in signed]).decode())
        return 0
    print(f"Signed {len(signed)} order(s): " + ", ".join(_what(o) for o in signed) + ".")
    return 0


def cmd_cancel(args, ws, secrets) -> int:
    order = Orders(ws.store, ws.changes).cancel(ws.session, args.order_id, args.reason)
    print(fhir_json.dumps(_brief(order)).decode() if args.json
          else f"Cancelled {order['code']['text']}: {args.reason.strip()}.")
    return 0


def cmd_print(args, ws, secrets) -> int:
    printed = ws.order_prints.print(
        ws.session, PrintRequest(args.patient_id, args.output, args.kind, args.paper,
                                 "today" if args.today else tuple(args.order_ids or ())
                                 or "current"))
    if args.json:
        print(fhir_json.dumps({"output": str(printed.path), "orders": printed.orders,
                               "pages": printed.pages, "paper": printed.paper}).decode())
        return 0
    paper = "requisition" if args.kind == "lab" else "prescription"
    print(f"Wrote the {paper} to {printed.path}: {printed.orders} signed "
          f"{'order' if printed.orders == 1 else 'orders'} on {printed.pages} "
          f"{'page' if printed.pages == 1 else 'pages'} ({printed.paper}).")
    return 0


def _orders(ws) -> Orders:
    """The orders service; rows its catalogue left out are said on stderr, never hidden."""
    orders = Orders(ws.store, ws.changes)
    catalogue = orders.catalogue
    for problem in catalogue.problems:
        print(f"WARNING: {catalogue.name} version {catalogue.version}: {problem}",
              file=sys.stderr)
    return orders


def _pended(args, pended: list[dict]) -> int:
    if args.json:
        print(fhir_json.dumps([_brief(o) for o in pended]).decode())
        return 0
    for order in pended:
        print(f"PENDED {order['code']['text']} ({order['priority']}); id {order['id']}")
    return 0


def _brief(order: dict) -> dict:
    return {"id": order["id"], "status": order["status"], "what": _what(order),
            "priority": order.get("priority")}


def _what(order: dict) -> str:
    """The test, or the drug of a medication order."""
    return (order.get("code") or order.get("medicationCodeableConcept") or {}).get(
        "text", "an order")


def _as_json(row: OrderRow) -> dict:
    return {"id": row.id, "kind": row.kind, "status": row.status, "what": row.what,
            "when": row.when, "who": row.who, "priority": row.priority}
