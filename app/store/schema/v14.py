"""Schema version 14: clinic reports count visits and appointments from indexes alone.
Frozen once released.

A report over a year of 100,000 visits read every Encounter row and parsed its JSON four
times (start, provider, type, patient): about 2.2 s, five times a bare count(*) of the same
rows. These partial indexes hold, for each visit that took place, its start instant in
UTC, provider, type and patient, and for each appointment its start, status and
practitioner, so the reports (app.clinical.reports, which build their queries from these
same texts) read no JSON at all. Building them reads every Encounter and Appointment once.

A visit's provider is its first participant's display, else user name, else reference;
its type the first type's text, else display, else code: Hearth writes the first of each.
"""

from app.store.schema.v13 import PRACTITIONER

VISIT_START = "datetime(json_extract(json, '$.period.start'))"
VISIT_TOOK_PLACE = (
    "type = 'Encounter' AND deleted = 0 AND coalesce(json_extract(json, '$.status'), '') "
    "NOT IN ('planned', 'cancelled', 'entered-in-error')")
VISIT_PROVIDER = (
    "coalesce(json_extract(json, '$.participant[0].individual.display'), "
    "json_extract(json, '$.participant[0].individual.identifier.value'), "
    "json_extract(json, '$.participant[0].individual.reference'), 'No provider named')")
VISIT_TYPE = ("coalesce(json_extract(json, '$.type[0].text'), "
              "json_extract(json, '$.type[0].coding[0].display'), "
              "json_extract(json, '$.type[0].coding[0].code'), 'Type not given')")
VISIT_PATIENT = "json_extract(json, '$.subject.reference')"
APPOINTMENT_START = "datetime(json_extract(json, '$.start'))"  # as schema v12 has it
APPOINTMENT_STATUS = "json_extract(json, '$.status')"
APPOINTMENT_KEPT = "type = 'Appointment' AND deleted = 0"

REPORT_INDEXES = (
    f"CREATE INDEX visit_by_start ON resource ({VISIT_START}, {VISIT_PROVIDER}, {VISIT_TYPE},"
    f" {VISIT_PATIENT}) WHERE {VISIT_TOOK_PLACE}",
    f"CREATE INDEX appointment_status_by_start ON resource ({APPOINTMENT_START}, "
    f"{APPOINTMENT_STATUS}, {PRACTITIONER}) WHERE {APPOINTMENT_KEPT}",
)
