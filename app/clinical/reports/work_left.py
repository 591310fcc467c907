"""Work left undone: notes still unsigned after N days, results nobody has reviewed.

An unsigned note is a draft (table note_draft) begun in the period and more than N days
ago, by its author. An unreviewed result is an open review Task (app.clinical.results:
status "requested") filed in the period, by whose it is: the ordering clinician, or the
clinic queue when the order is not on this computer. Both count; neither names a patient.
"""

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, text

from app.clinical.reports.table import Chart, Period, ReportTable

STARTED = "datetime(d.created_at)"
UNSIGNED = text(
    "SELECT coalesce(u.full_name, d.author), count(*), date(min(d.created_at), 'localtime') "
    "FROM note_draft d LEFT JOIN app_user u ON u.name = d.author "
    f"WHERE {STARTED} >= :start AND {STARTED} < :end AND {STARTED} < :before "
    "GROUP BY 1 ORDER BY 2 DESC, 1")
FILED = "datetime(json_extract(json, '$.authoredOn'))"
OPEN_REVIEWS = text(
    "SELECT coalesce(json_extract(json, '$.owner.display'), "
    "json_extract(json, '$.owner.identifier.value'), json_extract(json, '$.owner.reference'), "
    "'Clinic queue'), count(*), date(min(" + FILED + "), 'localtime') FROM resource "
    "WHERE type = 'Task' AND deleted = 0 AND json_extract(json, '$.status') = 'requested' "
    "AND json_extract(json, '$.code.coding[0].code') = 'review' "
    f"AND {FILED} >= :start AND {FILED} < :end GROUP BY 1 ORDER BY 2 DESC, 1")


def unsigned_notes(conn: Connection, period: Period, older_than_days: int,
                   now: datetime | None = None) -> ReportTable:
    before = (now or datetime.now(UTC)).astimezone(UTC) - timedelta(days=older_than_days)
    rows = [tuple(r) for r in conn.execute(UNSIGNED, {
        **period.utc_bounds(), "before": before.strftime("%Y-%m-%d %H:%M:%S")})]
    return ReportTable("unsigned-notes", f"Unsigned notes older than {older_than_days} days",
                       period, ("Author", "Unsigned notes", "Oldest begun"), rows,
                       ("Total", sum(r[1] for r in rows), ""), Chart(label=0, value=1),
                       f"Drafts begun in the period and still unsigned {older_than_days} days "
                       "or more after they were begun, by author.")


def unreviewed_results(conn: Connection, period: Period) -> ReportTable:
    rows = [tuple(r) for r in conn.execute(OPEN_REVIEWS, period.utc_bounds())]
    return ReportTable("unreviewed-results", "Unreviewed results", period,
                       ("Reviewer", "Results to review", "Oldest filed"), rows,
                       ("Total", sum(r[1] for r in rows), ""), Chart(label=0, value=1),
                       "Results filed in the period whose review is still open, by the "
                       "clinician who ordered them (or the clinic queue).")
