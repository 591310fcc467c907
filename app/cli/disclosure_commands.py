"""`hearth disclosures PATIENT_ID [--pdf FILE]`: the accounting of disclosures of one
patient (app.clinical.disclosures.accounting), as lines or, with --pdf, printed on the
letterhead for the patient (that print is a disclosure too, to `--to`, "the patient" unless
said otherwise)."""

import argparse
from pathlib import Path

from app.clinical.disclosures.accounting import Disclosures
from app.clinical.printing.printouts import PrintRequest
from app.clinical.visits.day_sheet_pdf import PAPERS
from app.display_time import when_text
from fhir_common import fhir_json


def register(commands, data: argparse.ArgumentParser, signed_in) -> None:
    listing = commands.add_parser("disclosures", parents=[data],
                                  help="what was printed or exported about a patient, when, "
                                       "by whom and to whom (ONC 170.315(d)(11))")
    listing.add_argument("patient_id", metavar="PATIENT_ID")
    listing.add_argument("--pdf", type=Path, metavar="FILE.pdf",
                         help="print the list on the letterhead for the patient")
    listing.add_argument("--to", metavar="TEXT", default="the patient",
                         help="whom the printed list is for (default: the patient)")
    listing.add_argument("--paper", choices=sorted(PAPERS), help="default: the locale's")
    listing.set_defaults(run=signed_in(cmd_disclosures))


def cmd_disclosures(args, ws, secrets) -> int:
    if args.pdf is not None:
        printed = ws.printouts.print(ws.session, PrintRequest(
            args.patient_id, "disclosures", args.pdf, paper=args.paper, to=args.to))
        print(f"Wrote the accounting of disclosures of {printed.patient} to {printed.path}: "
              f"{printed.entries} {'disclosure' if printed.entries == 1 else 'disclosures'} "
              f"on {printed.pages} {'page' if printed.pages == 1 else 'pages'} "
              f"({printed.paper}).")
        return 0
    name, listed = Disclosures(ws.store).of_patient(ws.session, args.patient_id)
    if args.json:
        print(fhir_json.dumps([d.__dict__ for d in listed]).decode())
        return 0
    if not listed:
        print(f"Nothing from {name}'s record has been printed or exported here.")
        return 0
    print(f"Disclosures of {name}'s record ({len(listed)}), oldest first:")
    for d in listed:
        print(f"  {when_text(d.at, with_date=True)}  by {d.by}  to {d.to}: {d.what}")
    return 0
