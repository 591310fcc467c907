"""A report as CSV: a header row, one row per line of the report, then its total line.

Written to a temporary file beside the one asked for and renamed over it when complete (as
the day sheet is), so a spreadsheet never opens half a report. UTF-8 with a byte-order mark,
which spreadsheet programs need to read accented names as typed.
"""

import csv
import os
from pathlib import Path

from app.clinical.reports.table import ReportTable
from app.clinical.visits.day_sheet import _start_file


def write_csv(table: ReportTable, output: Path) -> Path:
    output = output.expanduser().absolute()
    partial = _start_file(output, "the report", f"{table.name}.csv")
    try:
        with open(partial, "w", newline="", encoding="utf-8-sig") as out:
            writer = csv.writer(out)
            writer.writerow(table.columns)
            writer.writerows(table.rows)
            if table.total is not None:
                writer.writerow(table.total)
        os.replace(partial, output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return output
