"""Schema version 11: a double booking is a conflict a person resolves. Frozen once released.

Two workstations offline can each book the same provider at the same time; the second to
sync holds the clash as a conflict of kind "double-booking" (app.clinical.visits.
double_booking): the appointment booked here is its record, the one that came from the
server its other side. The kinds are a CHECK on conflict.kind; widening a CHECK changes no
stored row, so it is done as SQLite documents for such changes (lang_altertable.html,
"otherwise"): the table's CREATE text is edited in sqlite_schema within the migration's
transaction and the schema cookie bumped, instead of copying a table that local_change's
held_by refers to (dropping it would break that foreign key).
"""

from sqlalchemy import Connection

OLD_KINDS = "CHECK (kind IN ('edit', 'deleted', 'rejected'))"
NEW_KINDS = "CHECK (kind IN ('edit', 'deleted', 'rejected', 'double-booking'))"


def allow_double_bookings(conn: Connection) -> None:
    cookie = conn.exec_driver_sql("PRAGMA schema_version").scalar_one()
    conn.exec_driver_sql("PRAGMA writable_schema=ON")
    try:
        changed = conn.exec_driver_sql(
            "UPDATE sqlite_schema SET sql = replace(sql, ?, ?) WHERE type = 'table' "
            "AND name = 'conflict'", (OLD_KINDS, NEW_KINDS)).rowcount
        conn.exec_driver_sql(f"PRAGMA schema_version={cookie + 1:d}")
    finally:
        conn.exec_driver_sql("PRAGMA writable_schema=OFF")
    if changed != 1 or NEW_KINDS not in conn.exec_driver_sql(
            "SELECT sql FROM sqlite_schema WHERE name = 'conflict'").scalar_one():
        raise RuntimeError("The conflict table's kinds were not as schema.v3 made them.")
