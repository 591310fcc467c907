"""Schema 12: appointments are found by start time through an index, on a store upgraded
from 11 as on a new one, and the day's list and the calendar read it by range."""

from sqlalchemy import text

from app.clinical.visits.schedule import DAY_QUERY
from app.clinical.visits.slots import CALENDAR_QUERY
from app.store.database import Database
from app.store.keys import new_data_key
from app.store.schema.migrations import MIGRATIONS, migrate, schema_version

APPOINTMENT = ("INSERT INTO resource (type, id, json, deleted, last_updated) VALUES "
               "('Appointment', :id, :json, 0, 'now')")


def test_an_upgraded_store_finds_its_appointments_by_a_range_of_the_start_index(tmp_path):
    database = Database(tmp_path / "hearth.db", new_data_key())
    migrate(database, tmp_path / "backups", [m for m in MIGRATIONS if m.number <= 11])
    with database.write() as conn:
        conn.execute(text(APPOINTMENT), {"id": "a1", "json": (
            '{"resourceType": "Appointment", "status": "booked", '
            '"start": "2031-06-02T09:00:00+02:00", "end": "2031-06-02T09:15:00+02:00"}')})
    migrate(database, tmp_path / "backups")
    assert schema_version(database) >= 12
    with database.read() as conn:
        for query, values in ((DAY_QUERY, {}), (CALENDAR_QUERY, {})):
            window = {"since": "2031-06-02 06:00:00", "until": "2031-06-02 08:00:00", **values}
            plan = " ".join(str(row[-1]) for row in conn.execute(
                text(f"EXPLAIN QUERY PLAN {query.text}"), window))
            assert "USING INDEX appointment_by_start" in plan
            assert [row[0] for row in conn.execute(query, window)] == ["a1"]  # 07:00 UTC
    database.close()
