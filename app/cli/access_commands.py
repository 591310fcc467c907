"""Restricted charts from the command line (issue 17):

  hearth chart restrict PATIENT_ID / hearth chart unrestrict PATIENT_ID
  hearth break-glass PATIENT_ID --reason REASON [--note WORDS]
  hearth emergency-access list [--all]
  hearth emergency-access review TASK_ID --outcome reviewed|escalated [--note WORDS]

Breaking the glass re-uses the password the command was just signed in with (asked for each
command, so it is re-entered). Each mistake is one sentence, exit 2.
"""

import argparse

from app.clinical.access.break_glass import BreakGlass
from app.clinical.access.restricted import Restriction
from app.clinical.access.review import OUTCOMES, EmergencyReview
from app.display_time import when_text
from app.errors import UsageError
from fhir_common import fhir_json

RESTRICT = ("restrict", "unrestrict")


def register(commands, data: argparse.ArgumentParser, signed_in) -> None:
    _extend_chart(commands.choices["chart"], signed_in)
    glass = commands.add_parser(
        "break-glass", parents=[data],
        help="open a restricted chart in an emergency (a reason; reviewed by the auditor)")
    glass.add_argument("patient_id", metavar="PATIENT_ID")
    glass.add_argument("--reason", default="", help="one of the policy's reasons, e.g. "
                       "'Emergency care'")
    glass.add_argument("--note", default="", help="why, in your words (needed for Other)")
    glass.set_defaults(run=signed_in(cmd_break_glass))
    access = commands.add_parser(
        "emergency-access", help="the auditor's review of emergency accesses").add_subparsers(
        dest="access_action", required=True, metavar="list|review")
    listed = access.add_parser("list", parents=[data], help="emergency accesses to review")
    listed.add_argument("--all", action="store_true", help="those reviewed already too")
    listed.set_defaults(run=signed_in(cmd_list))
    review = access.add_parser("review", parents=[data], help="mark one reviewed or escalated")
    review.add_argument("task_id", metavar="ID")
    review.add_argument("--outcome", required=True, choices=OUTCOMES)
    review.add_argument("--note", default="", help="what the review found")
    review.set_defaults(run=signed_in(cmd_review))


def _extend_chart(chart: argparse.ArgumentParser, signed_in) -> None:
    """`hearth chart restrict ID` beside `hearth chart ID`: a second word after `chart`."""
    chart.add_argument("restricted_id", nargs="?", metavar="PATIENT_ID (after restrict or "
                       "unrestrict)", help=argparse.SUPPRESS)
    show = chart.get_default("run")
    marked = signed_in(cmd_restrict)

    def dispatch(args, env, secrets) -> int:
        if args.patient_id in RESTRICT:
            if not args.restricted_id:
                raise UsageError(f"Say whose chart: hearth chart {args.patient_id} PATIENT_ID.")
            return marked(args, env, secrets)
        if args.restricted_id:
            raise UsageError("hearth chart takes one PATIENT_ID (or: chart restrict|unrestrict "
                             "PATIENT_ID).")
        return show(args, env, secrets)

    chart.set_defaults(run=dispatch)


def cmd_restrict(args, ws, secrets) -> int:
    restrict = args.patient_id == "restrict"
    pid = args.restricted_id
    changed = Restriction(ws.store, ws.policy.access, ws.changes).set(ws.session, pid, restrict)
    state = "restricted" if restrict else "not restricted"
    said = (f"The chart of patient {pid} is now {state}." if changed else
            f"The chart of patient {pid} was {state} already; nothing changed.")
    if restrict:
        said += " Only the care team opens it; anyone else must break the glass."
    print(fhir_json.dumps({"patient": pid, "restricted": restrict, "changed": changed}).decode()
          if args.json else said)
    return 0


def cmd_break_glass(args, ws, secrets) -> int:
    grant = BreakGlass(ws.store, ws.policy, ws.changes).open(
        ws.session, args.patient_id, args.reason, args.note, args.acting_password)
    print(fhir_json.dumps({"task": grant.task_id, "start": grant.start.isoformat(),
                           "end": grant.end.isoformat()}).decode() if args.json else
          f"Emergency access to the chart of patient {args.patient_id} until "
          f"{when_text(grant.end)}. It is recorded and an auditor will review it "
          f"(emergency access {grant.task_id}).")
    return 0


def cmd_list(args, ws, secrets) -> int:
    found = EmergencyReview(ws.store).list(ws.session, include_done=args.all)
    if args.json:
        print(fhir_json.dumps([a.__dict__ for a in found]).decode())
    elif not found:
        print("No emergency access is waiting for review.")
    for a in [] if args.json else found:
        print(f"{a.task_id}  {when_text(a.start)} to {when_text(a.end)}  {a.clinician}  "
              f"{a.patient}  {a.reason}  [{a.outcome}]")
    return 0


def cmd_review(args, ws, secrets) -> int:
    EmergencyReview(ws.store, ws.changes).decide(ws.session, args.task_id, args.outcome,
                                                 args.note)
    print(f"Emergency access {args.task_id} marked {args.outcome}.")
    return 0
