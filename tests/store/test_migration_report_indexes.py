"""Schema 14: a store upgraded from 13 counts its visits and appointments from the reports'
indexes, and counts the ones it held before the upgrade."""

from datetime import date, datetime, time

import orjson
from sqlalchemy import text

from app.clinical.reports.no_shows import BY_PROVIDER, no_show_rate
from app.clinical.reports.table import Period
from app.clinical.reports.visits import VISITS_BY_DAY, visits_per_day
from app.store.database import Database
from app.store.keys import new_data_key
from app.store.schema.migrations import MIGRATIONS, migrate, schema_version

ROW = ("INSERT INTO resource (type, id, json, deleted, last_updated) VALUES "
       "(:type, :id, :json, 0, 'now')")
DAY = date(2024, 6, 3)  # past: its appointments were due
NOON = datetime.combine(DAY, time(12)).astimezone().isoformat()  # noon here


def visit(status: str) -> str:
    return orjson.dumps({"resourceType": "Encounter", "status": status, "type": [
        {"text": "Check-up visit"}], "subject": {"reference": "Patient/p1"},
        "participant": [{"individual": {"display": "Wei Chen"}}],
        "period": {"start": NOON}}).decode()


def appointment(status: str) -> str:
    return orjson.dumps({"resourceType": "Appointment", "status": status,
                         "start": NOON, "participant": [
                             {"actor": {"reference": "Practitioner/doc"}}]}).decode()


def test_an_upgraded_store_counts_from_the_report_indexes(tmp_path):
    database = Database(tmp_path / "hearth.db", new_data_key())
    migrate(database, tmp_path / "backups", [m for m in MIGRATIONS if m.number <= 13])
    with database.write() as conn:
        for rid, kind, body in (("v1", "Encounter", visit("finished")),
                                ("v2", "Encounter", visit("cancelled")),
                                ("a1", "Appointment", appointment("noshow")),
                                ("a2", "Appointment", appointment("fulfilled"))):
            conn.execute(text(ROW), {"type": kind, "id": rid, "json": body})
    migrate(database, tmp_path / "backups")
    assert schema_version(database) >= 14
    period = Period(DAY, DAY)
    with database.read() as conn:
        plans = {name: " ".join(str(row[-1]) for row in conn.execute(
                     text(f"EXPLAIN QUERY PLAN {query.text}"),
                     {**period.utc_bounds(), "shift": "+0 minutes"}))
                 for name, query in (("visits", VISITS_BY_DAY), ("no-shows", BY_PROVIDER))}
        visits = visits_per_day(conn, period)
        no_shows = no_show_rate(conn, period)
    database.close()
    assert "USING INDEX visit_by_start" in plans["visits"]
    assert "USING INDEX appointment_status_by_start" in plans["no-shows"]
    assert visits.total[-1] == 1  # the cancelled visit is not counted
    assert no_shows.total[1:3] == (2, 1)
