"""Numbers a workstation hands out one after another (the MRN's local sequence).

Kept in store_meta, one row per sequence, and advanced inside the caller's transaction:
the write lock serialises registrations, so two never get the same number, and a
registration that rolls back gives its number back with everything else it wrote.
"""

from sqlalchemy import Connection

NEXT = ("INSERT INTO store_meta (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE "
        "SET value = CAST(value AS INTEGER) + 1 RETURNING CAST(value AS INTEGER)")


def next_number(conn: Connection, sequence: str) -> int:
    """The next number of `sequence` on this store, from 1."""
    return conn.exec_driver_sql(NEXT, (f"sequence:{sequence}",)).scalar_one()
