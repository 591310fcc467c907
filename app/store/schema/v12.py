"""Schema version 12: appointments found by their start time. Frozen once released.

A day's list (Today), the next free slot and every booking's clash check read the
appointments starting in a stretch of time. Without an index each read scanned every
Appointment row and parsed its JSON (about 150 ms at 27,000 appointments); this partial
index on the start instant in UTC, written exactly as those queries compare it
(app.clinical.visits.schedule.DAY_QUERY, app.clinical.visits.slots.CALENDAR_QUERY, which
name it), makes each a range seek. Building it reads every Appointment once.
"""

APPOINTMENTS_BY_START = (
    "CREATE INDEX appointment_by_start ON resource "
    "(datetime(json_extract(json, '$.start'))) WHERE type = 'Appointment'",
)
