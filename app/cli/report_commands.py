"""`hearth report NAME --from DATE --to DATE (--pdf FILE | --csv FILE)`: a clinic report.

`hearth report list` (and `hearth report --help`) names the reports. Each mistake is one
sentence and exit 2: a report that does not exist (the sentence lists those that do), a
date that is not YYYY-MM-DD, a period that ends before it starts, no file to write.
"""

import argparse
import os
from datetime import datetime
from pathlib import Path

from app.cli.args import whole_number
from app.cli.day_sheet_command import day
from app.clinical.printing.pages import PAPERS
from app.clinical.reports.catalogue import (
    DEFAULT_UNSIGNED_DAYS,
    REPORTS,
    ClinicReports,
    Options,
    period_of,
    report_named,
)
from app.clinical.reports.report_csv import write_csv
from app.clinical.reports.report_pdf import clinic_of, write_pdf
from app.clinical.visits.day_sheet import default_paper
from app.errors import UsageError
from fhir_common import fhir_json


def register(commands, data: argparse.ArgumentParser, signed_in) -> None:
    names = "\n".join(f"  {r.name:<20} {r.about}" for r in REPORTS.values())
    report = commands.add_parser(
        "report", parents=[data], help="a clinic report (counts) as PDF or CSV",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=f"Reports (NAME):\n{names}\n\n`hearth report list` prints them too.")
    report.add_argument("name", metavar="NAME", help="a report's name, or list")
    report.add_argument("--from", dest="first", type=day, metavar="YYYY-MM-DD",
                        help="the first day counted")
    report.add_argument("--to", dest="last", type=day, metavar="YYYY-MM-DD",
                        help="the last day counted (included)")
    out = report.add_mutually_exclusive_group()
    out.add_argument("--pdf", type=Path, metavar="FILE.pdf", help="write a PDF with a chart")
    out.add_argument("--csv", type=Path, metavar="FILE.csv", help="write CSV with a header row")
    report.add_argument("--older-than", type=whole_number(0, 3650),
                        default=DEFAULT_UNSIGNED_DAYS, metavar="DAYS",
                        help="unsigned-notes: count drafts older than this "
                             "(default %(default)s days)")
    report.add_argument("--paper", choices=sorted(PAPERS), help="the PDF's paper (default: "
                        "the locale's, as for the day sheet)")
    report.add_argument("--clinic", metavar="NAME", help="the name at the top of the PDF "
                        "(default: the clinic the policy names)")
    report.set_defaults(run=_listed_or_signed_in(signed_in(cmd_report)))


def _listed_or_signed_in(run):
    """`report list` needs no store and no password; a report does."""

    def dispatch(args, env, secrets) -> int:
        return cmd_list(args) if args.name == "list" else run(args, env, secrets)

    return dispatch


def cmd_list(args) -> int:
    if args.json:
        print(fhir_json.dumps([{"name": r.name, "about": r.about}
                               for r in REPORTS.values()]).decode())
    else:
        for r in REPORTS.values():
            print(f"{r.name:<20} {r.about}")
    return 0


def cmd_report(args, ws, secrets) -> int:
    report_named(args.name)  # an unknown name is told before anything else
    if args.first is None or args.last is None:
        raise UsageError("Say which days to count: --from YYYY-MM-DD --to YYYY-MM-DD.")
    if args.pdf is None and args.csv is None:
        raise UsageError("Say where to write the report: --pdf FILE.pdf or --csv FILE.csv.")
    period = period_of(args.first, args.last)
    table = ClinicReports(ws.store).run(ws.session, args.name, period,
                                        Options(args.older_than))
    if args.csv is not None:
        path, pages = write_csv(table, args.csv), None
    else:
        path, pages = write_pdf(table, args.pdf, args.paper or default_paper(os.environ),
                                args.clinic or clinic_of(ws.store, ws.policy), ws.session.user,
                                datetime.now().astimezone())
    if args.json:
        print(fhir_json.dumps({"report": table.name, "from": period.first.isoformat(),
                               "to": period.last.isoformat(), "output": str(path),
                               "rows": len(table.rows), "pages": pages}).decode())
    else:
        on = f" on {pages} {'page' if pages == 1 else 'pages'}" if pages else ""
        print(f"Wrote {table.title.lower()} for {period.text()} to {path}: "
              f"{len(table.rows)} {'row' if len(table.rows) == 1 else 'rows'}{on}.")
    return 0
