"""`hearth print PATIENT_ID DOCUMENT --output FILE.pdf`: a patient's document as a PDF.

DOCUMENT is one of app.clinical.printing.printouts.NAMES; a visit's documents take --visit
ENCOUNTER_ID (without it, the latest visit). Each mistake is one sentence and exit 2, and
no file is left behind: a document that is not one, --visit on a document of the whole
chart, a patient with no visits, a file that cannot be written, a superbill of a visit not
coded yet. An unknown patient or a visit of someone else is "not found" (exit 1).
"""

import argparse
from pathlib import Path

from app.clinical.printing.pages import PAPERS
from app.clinical.printing.printouts import NAMES, PrintRequest
from fhir_common import fhir_json


def register(commands, data: argparse.ArgumentParser, signed_in) -> None:
    printing = commands.add_parser("print", parents=[data],
                                   help="print a patient's document to a PDF")
    printing.add_argument("patient_id", metavar="PATIENT_ID")
    printing.add_argument("document", choices=NAMES, metavar="DOCUMENT",
                          help=f"one of: {', '.join(NAMES)}")
    printing.add_argument("--visit", metavar="ENCOUNTER_ID", help="the visit of an "
                          "after-visit-summary, visit-note or superbill (default: the latest "
                          "visit; for a superbill, the latest coded visit)")
    printing.add_argument("--output", required=True, type=Path, metavar="FILE.pdf")
    printing.add_argument("--paper", choices=sorted(PAPERS), help="default: the locale's "
                          "(Letter in the US, Canada, Mexico and a few more; A4 elsewhere)")
    printing.add_argument("--to", metavar="TEXT", help="whom the document is for (\"the "
                          "patient\", a clinic, a lawyer): kept in the disclosure's audit row "
                          "and shown by `hearth disclosures`")
    printing.set_defaults(run=signed_in(cmd_print))


def cmd_print(args, ws, secrets) -> int:
    printed = ws.printouts.print(ws.session, PrintRequest(args.patient_id, args.document,
                                                       args.output, args.visit, args.paper,
                                                       args.to))
    if args.json:
        print(fhir_json.dumps({"output": str(printed.path), "document": args.document,
                               "entries": printed.entries, "pages": printed.pages,
                               "paper": printed.paper}).decode())
    else:
        print(f"Wrote the {printed.title.lower()} of {printed.patient} to {printed.path}: "
              f"{printed.entries} {'entry' if printed.entries == 1 else 'entries'} on "
              f"{printed.pages} {'page' if printed.pages == 1 else 'pages'} ({printed.paper}).")
    return 0
