"""`hearth schedule day-sheet`: the day's appointments as a PDF for the front desk to print.

Its own module beside the booking commands (app.cli.schedule_commands adds it to the
`schedule` group). Each mistake is one sentence and exit 2: a date that is not a date, an
unknown provider, a file that cannot be written (nothing is left behind).
"""

import argparse
from datetime import date
from pathlib import Path

from app.clinical.printing.pages import PAPERS
from app.clinical.visits.day_sheet import DaySheet, DaySheetRequest
from app.errors import NotFound, UsageError
from fhir_common import fhir_json


def register(schedule, data: argparse.ArgumentParser, signed_in) -> None:
    sheet = schedule.add_parser("day-sheet", parents=[data],
                                help="print a day's appointments to a PDF")
    sheet.add_argument("--date", required=True, type=day, metavar="YYYY-MM-DD")
    sheet.add_argument("--provider", metavar="USER", help="one provider's day: a Hearth user, "
                       "a practitioner's name or id (default: the whole clinic)")
    sheet.add_argument("--output", required=True, type=Path, metavar="FILE.pdf")
    sheet.add_argument("--paper", choices=sorted(PAPERS), help="default: the locale's (Letter "
                       "in the US, Canada, Mexico and a few more; A4 elsewhere)")
    sheet.add_argument("--clinic", metavar="NAME", help="the name at the top (default: the "
                       "policy's sync.organization, if stored, else billing.organization_name)")
    sheet.set_defaults(run=signed_in(cmd_day_sheet))


def day(text: str) -> date:
    """An argument type: a calendar date written YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date: write it as YYYY-MM-DD, e.g. 2026-03-02") from None


def cmd_day_sheet(args, ws, secrets) -> int:
    sheet = DaySheet(ws.store, ws.policy.sync.organization, ws.policy.billing)
    request = DaySheetRequest(args.date, args.output, args.provider, args.paper, args.clinic)
    try:
        printed = sheet.print(ws.session, request)
    except NotFound as err:  # an unknown provider is a mistake in the command
        raise UsageError(err.message) from err
    if args.json:
        print(fhir_json.dumps({"output": str(printed.path), "appointments": printed.appointments,
                               "pages": printed.pages, "paper": printed.paper}).decode())
    else:
        print(f"Wrote the day sheet of {args.date.isoformat()} to {printed.path}: "
              f"{printed.appointments} "
              f"{'appointment' if printed.appointments == 1 else 'appointments'} on "
              f"{printed.pages} "
              f"{'page' if printed.pages == 1 else 'pages'} ({printed.paper}).")
    return 0
