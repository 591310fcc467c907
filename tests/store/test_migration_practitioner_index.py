"""Schema 13: a provider's booked times are read from an index by practitioner and start,
on a store upgraded from 12 as on a new one, and only the times that hold a provider."""

from datetime import UTC, datetime

import orjson
from sqlalchemy import bindparam, text

from app.clinical.visits.slots import BUSY_QUERY, busy
from app.store.database import Database
from app.store.keys import new_data_key
from app.store.schema.migrations import MIGRATIONS, migrate, schema_version

APPOINTMENT = ("INSERT INTO resource (type, id, json, deleted, last_updated) VALUES "
               "('Appointment', :id, :json, 0, 'now')")


def appointment(status: str, start: str, practitioner: str = "Practitioner/doc") -> str:
    # the room first: the practitioner need not be the second participant
    return orjson.dumps({
        "resourceType": "Appointment", "status": status, "start": start,
        "end": start.replace(":00:00", ":30:00"),
        "participant": [{"actor": {"reference": ref}} for ref in (
            "Location/room-1", "Patient/p1", practitioner)]}).decode()


def test_an_upgraded_store_reads_a_providers_booked_times_from_the_index(tmp_path):
    database = Database(tmp_path / "hearth.db", new_data_key())
    migrate(database, tmp_path / "backups", [m for m in MIGRATIONS if m.number <= 12])
    with database.write() as conn:
        for rid, body in (("a1", appointment("booked", "2031-06-02T09:00:00+02:00")),
                          ("a2", appointment("cancelled", "2031-06-02T10:00:00+02:00")),
                          ("a3", appointment("booked", "2031-06-02T11:00:00+02:00",
                                             "Practitioner/other"))):
            conn.execute(text(APPOINTMENT), {"id": rid, "json": body})
    migrate(database, tmp_path / "backups")
    assert schema_version(database) >= 13
    day = (datetime(2031, 6, 2, tzinfo=UTC), datetime(2031, 6, 3, tzinfo=UTC))
    with database.read() as conn:
        plan = " ".join(str(row[-1]) for row in conn.execute(
            text(f"EXPLAIN QUERY PLAN {BUSY_QUERY.text}").bindparams(
                bindparam("practitioners", expanding=True)),
            {"practitioners": ["Practitioner/doc"], "since": "2031-06-02 00:00:00",
             "until": "2031-06-03 00:00:00"}))
        assert "USING INDEX appointment_by_practitioner" in plan
        taken = busy(conn, ["Practitioner/doc"], *day)
    database.close()
    seven = int(datetime(2031, 6, 2, 7, tzinfo=UTC).timestamp())  # 09:00 at +02:00
    assert list(taken) == ["Practitioner/doc"]  # the cancelled time and the other's are not
    assert (taken["Practitioner/doc"].starts, taken["Practitioner/doc"].reach) == (
        [seven], [seven + 30 * 60])
