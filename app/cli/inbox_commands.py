"""`hearth inbox`: the signed-in clinician's results to review, and `hearth inbox ack`.

`inbox` lists the open items, newest first (a physician also sees the clinic queue: results
whose order is not on this computer), each with patient, test, flag, when and the matched
order; `--json` prints them as a list. `inbox ack TASK_ID [--note TEXT]` marks one reviewed;
`inbox overdue` lists the clinician's active orders with no result after the policy's days.
"""

import argparse

from app.clinical.access.gate import withheld_sentence
from app.clinical.results.inbox import Inbox, InboxItem
from app.clinical.results.overdue import OverdueOrders
from app.display_time import when_text
from fhir_common import fhir_json


def register(commands, data: argparse.ArgumentParser, signed_in) -> None:
    inbox = commands.add_parser("inbox", parents=[data], help="results to review")
    inbox.set_defaults(run=signed_in(cmd_inbox))
    actions = inbox.add_subparsers(title="inbox commands", metavar="ACTION")
    ack = actions.add_parser("ack", parents=[data], help="mark a result reviewed")
    ack.add_argument("task_id", metavar="TASK_ID")
    ack.add_argument("--note", help="a note kept with the acknowledgement")
    ack.set_defaults(run=signed_in(cmd_ack))
    overdue = actions.add_parser("overdue", parents=[data],
                                 help="your orders still waiting for a result")
    overdue.set_defaults(run=signed_in(cmd_overdue))


def cmd_inbox(args, ws, secrets) -> int:
    items = Inbox(ws.store, ws.changes).open_items(ws.session)
    if args.json:
        print(fhir_json.dumps([_as_json(i) for i in items]).decode())
        return 0
    if not items and not items.withheld:
        print("No results to review.")
    for item in items:
        flag = f" {item.flag.upper()}" if item.flag else ""
        order = f"order {item.order_id}" if item.order_id else "no order here: clinic queue"
        print(f"{item.patient}{' (deceased)' if item.deceased else ''}: {item.test}{flag}")
        print(f"    {when_text(item.when, with_date=True, missing='no date')}; {order}; "
              f"id {item.task_id}")
    if items.withheld:
        print(withheld_sentence(items.withheld))
    return 0


def cmd_ack(args, ws, secrets) -> int:
    task = Inbox(ws.store, ws.changes).acknowledge(ws.session, args.task_id, args.note)
    print(f"Acknowledged: {task.get('description', 'result')}.")
    return 0


def cmd_overdue(args, ws, secrets) -> int:
    days = ws.policy.results.overdue_days
    orders = OverdueOrders(ws.store, days, ws.changes).mine(ws.session)
    if args.json:
        print(fhir_json.dumps([o.__dict__ for o in orders]).decode())
        return 0
    if not orders and not orders.withheld:
        print(f"No order of yours has waited more than {days} days for a result.")
    for order in orders:
        print(f"{order.test}: ordered {when_text(order.ordered, with_date=True)}, "
              f"{order.days} days without a result; patient {order.patient_id}, "
              f"order {order.order_id}")
    if orders.withheld:
        print(withheld_sentence(orders.withheld))
    return 0


def _as_json(item: InboxItem) -> dict:
    return {"task": item.task_id, "patient": {"id": item.patient_id, "name": item.patient,
                                               "deceased": item.deceased},
            "test": item.test, "flag": item.flag, "when": item.when, "order": item.order_id,
            "result": item.result, "notes": list(item.notes)}
