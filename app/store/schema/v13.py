"""Schema version 13: the time each provider is booked, found by practitioner and start.
Frozen once released.

The next free time of a provider read every appointment of everyone in the stretch searched
(by appointment_by_start, schema v12) and kept those mentioning the provider: at twenty
providers booked out for eight weeks, 27,500 records parsed, about 50 ms named and 110 ms
for any provider. This partial index holds, for each appointment that occupies time, its
practitioner and its start and end instants in UTC, so a provider's booked times are one
range seek read from the index alone (about 1 ms for eight weeks).

The practitioner is the first `"reference":"Practitioner/..."` in the record's compact JSON
(an expression SQLite can index; a participant list cannot be), which is the participant's
for every appointment Hearth books. Should an imported record name another practitioner
first, the free-time search may offer a time that booking's own check (which reads every
appointment at that time) then refuses: nothing is ever double booked through it. The
queries that use the index (app.clinical.visits.slots) are built from these same texts.
"""

AT = "instr(json, '\"reference\":\"Practitioner/')"
PRACTITIONER = (f"CASE WHEN {AT} > 0 THEN substr(json, {AT} + 13, "
                f"instr(substr(json, {AT} + 13), '\"') - 1) END")  # "Practitioner/<id>"
START = "datetime(json_extract(json, '$.start'))"
END = "datetime(json_extract(json, '$.end'))"
HOLDS_TIME = ("type = 'Appointment' AND deleted = 0 AND json_extract(json, '$.status') NOT IN"
              " ('cancelled', 'noshow', 'entered-in-error', 'waitlist')")

APPOINTMENTS_BY_PRACTITIONER = (
    f"CREATE INDEX appointment_by_practitioner ON resource ({PRACTITIONER}, {START}, {END})"
    f" WHERE {HOLDS_TIME}",
)
