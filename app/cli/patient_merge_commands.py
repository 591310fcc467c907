"""`hearth patient merge`, `unmerge`, `duplicates` and `not-duplicates`: two records of one
person made one, undone while the server has not seen it, and the pairs sync flagged.

`merge KEEP_ID OTHER_ID` prints the merge's number, what moved to KEEP and what KEEP took
over from OTHER; `unmerge MERGE_ID` undoes it before sync (a command of its own, so a
script cannot undo by mistyping a flag). `duplicates` lists the pairs a pull flagged for
review; `not-duplicates REVIEW_ID --reason TEXT` closes one as two people. Bad input exits
2, a refused permission 4, as every `hearth` command.
"""

import argparse
from dataclasses import asdict

from app.cli.args import LARGEST_ID, whole_number
from app.clinical.patients.arrived_duplicates import PossibleDuplicates
from app.clinical.patients.merge import PatientMerge
from fhir_common import fhir_json


def register(actions, data: argparse.ArgumentParser, signed_in) -> None:
    """Add the commands to the `patient` group's subparsers (app.cli.patient_commands)."""
    merge = actions.add_parser("merge", parents=[data],
                               help="merge a duplicate record into the one kept")
    merge.add_argument("keep_id", metavar="KEEP_ID", help="the patient record kept")
    merge.add_argument("other_id", metavar="OTHER_ID",
                       help="the duplicate: made inactive, its chart moved to KEEP_ID")
    merge.set_defaults(run=signed_in(cmd_merge))

    unmerge = actions.add_parser("unmerge", parents=[data],
                                 help="undo a merge the server has not received yet")
    unmerge.add_argument("merge_id", metavar="MERGE_ID", type=whole_number(1, LARGEST_ID))
    unmerge.set_defaults(run=signed_in(cmd_unmerge))

    duplicates = actions.add_parser("duplicates", parents=[data],
                                    help="pairs that sync flagged as maybe one person")
    duplicates.set_defaults(run=signed_in(cmd_duplicates))

    apart = actions.add_parser("not-duplicates", parents=[data],
                               help="close a flagged pair: they are two people")
    apart.add_argument("review_id", metavar="REVIEW_ID", type=whole_number(1, LARGEST_ID))
    apart.add_argument("--reason", required=True, metavar="TEXT")
    apart.set_defaults(run=signed_in(cmd_not_duplicates))


def cmd_merge(args, ws, secrets) -> int:
    result = PatientMerge(ws.store, ws.changes).merge(ws.session, args.keep_id, args.other_id)
    if args.json:
        print(fhir_json.dumps(asdict(result)).decode())
        return 0
    moved = ", ".join(f"{n} {kind}" for kind, n in result.moved.items()) or "no records"
    print(f"Merge {result.merge_id}: {result.other_name} ({result.other_id}) merged into "
          f"{result.keep_name} ({result.keep_id}).")
    print(f"Moved to {result.keep_id}: {moved}.")
    for carried in result.carried:
        print(f"Carried over: {carried}")
    for differs in result.differs:
        print(f"Differs (kept as it was): {differs}")
    print(f"Until the next sync, `hearth patient unmerge {result.merge_id}` undoes it.")
    return 0


def cmd_unmerge(args, ws, secrets) -> int:
    result = PatientMerge(ws.store, ws.changes).undo(ws.session, args.merge_id)
    if args.json:
        print(fhir_json.dumps(asdict(result)).decode())
        return 0
    print(f"Merge {result.merge_id} undone: {result.other_id} and {result.keep_id} are two "
          f"records again; {result.restored} records restored.")
    for gone in result.gone:
        print(f"Deleted since the merge, not restored: {gone}")
    return 0


def cmd_duplicates(args, ws, secrets) -> int:
    pairs = PossibleDuplicates(ws.store).open(ws.session)
    if args.json:
        print(fhir_json.dumps([asdict(p) for p in pairs]).decode())
        return 0
    if not pairs:
        print("No possible duplicates to review.")
    for p in pairs:
        print(f"{p.review_id:>4}  {p.patient_name} ({p.patient_id}) and {p.other_name} "
              f"({p.other_id}): {p.why}")
    return 0


def cmd_not_duplicates(args, ws, secrets) -> int:
    PossibleDuplicates(ws.store).dismiss(ws.session, args.review_id, args.reason)
    print(f"Possible duplicate {args.review_id} closed: two different people.")
    return 0
