"""`hearth amendment request|accept|deny|list`: a patient's requests to amend their record
(app.clinical.amendments.requests). A mistake is one sentence: no text, a record that is not
TYPE/ID or not in this patient's chart (exit 1), a denial without --reason, a request
decided already."""

import argparse

from app.clinical.amendments.requests import Amendment, Amendments
from app.display_time import when_text
from fhir_common import fhir_json


def register(commands, data: argparse.ArgumentParser, signed_in) -> None:
    amendment = commands.add_parser(
        "amendment", help="a patient's requests to amend their record (ONC 170.315(d)(4))"
    ).add_subparsers(dest="action", required=True, metavar="ACTION")
    request = amendment.add_parser("request", parents=[data],
                                   help="record a patient's request to amend one record")
    request.add_argument("patient_id", metavar="PATIENT_ID")
    request.add_argument("--record", required=True, metavar="TYPE/ID",
                         help="the record the patient wants amended, e.g. Condition/c1")
    request.add_argument("--text", required=True, help="what the patient asks, in their words")
    request.set_defaults(run=signed_in(cmd_request))
    for action, helped in (("accept", "accept: the amendment is appended to the record"),
                           ("deny", "deny, with the reason the patient is given")):
        decide = amendment.add_parser(action, parents=[data], help=helped)
        decide.add_argument("request_id", metavar="ID")
        decide.add_argument("--reason", help="why (required to deny; a note when accepting)")
        decide.set_defaults(run=signed_in(cmd_accept if action == "accept" else cmd_deny))
    listing = amendment.add_parser("list", parents=[data], help="a patient's requests")
    listing.add_argument("patient_id", metavar="PATIENT_ID")
    listing.set_defaults(run=signed_in(cmd_list))


def cmd_request(args, ws, secrets) -> int:
    made = Amendments(ws.store).request(ws.session, args.patient_id, args.record, args.text)
    return _said(args, made, f"Recorded amendment request {made.id} about {made.record} "
                             f"({made.record_title}).")


def cmd_accept(args, ws, secrets) -> int:
    made = Amendments(ws.store).accept(ws.session, args.request_id, args.reason)
    where = ("kept beside the record, which has no place for notes"
             if made.appended == f"Task/{made.id}" else f"appended to {made.appended}")
    return _said(args, made, f"Accepted amendment request {made.id}: {where}.")


def cmd_deny(args, ws, secrets) -> int:
    made = Amendments(ws.store).deny(ws.session, args.request_id, args.reason)
    return _said(args, made, f"Denied amendment request {made.id}; the request and the "
                             f"reason stay with {made.record}.")


def cmd_list(args, ws, secrets) -> int:
    found = Amendments(ws.store).of_patient(ws.session, args.patient_id)
    if args.json:
        print(fhir_json.dumps([a.__dict__ for a in found]).decode())
        return 0
    if not found:
        print("No amendment requests.")
    for made in found:
        print(f"{made.id}  {made.status}  {made.record} ({made.record_title}), asked "
              f"{when_text(made.requested_at, with_date=True)}: {made.text}")
        if made.reason:
            print(f"    reason: {made.reason}")
        if made.appended:
            print(f"    amendment: {made.appended}")
    return 0


def _said(args, made: Amendment, sentence: str) -> int:
    print(fhir_json.dumps(made.__dict__).decode() if args.json else sentence)
    return 0
