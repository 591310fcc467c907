"""Schema version 2: the chart index, lookups by id alone, patient search rows by key.

Frozen once released.

patient_compartment gains the section, date, status and code of each resource (see
app.store.chart_index), so chart screens read one indexed range per section. References
written as urn:uuid in one bundle and defined in another (Synthea's hospital and
practitioner bundles) are resolved by id across types, hence resource_by_id.
"""

CHART_INDEX = (
    "ALTER TABLE patient_compartment ADD COLUMN section TEXT",
    "ALTER TABLE patient_compartment ADD COLUMN date TEXT",
    "ALTER TABLE patient_compartment ADD COLUMN status TEXT",
    "ALTER TABLE patient_compartment ADD COLUMN code TEXT",
    "CREATE INDEX compartment_by_section ON patient_compartment (patient_id, section, date)",
    "CREATE INDEX resource_by_id ON resource (id)",
    # patient_search.patient_id is UNINDEXED (FTS5 indexes text, not keys): replacing a
    # patient's row by it scans the whole index (45 ms at 100,000 patients). This maps each
    # patient to its FTS rowid, which FTS5 finds directly.
    """CREATE TABLE patient_search_row (
        search_rowid INTEGER PRIMARY KEY,
        patient_id TEXT NOT NULL UNIQUE
    )""",
    "INSERT INTO patient_search_row (search_rowid, patient_id) "
    "SELECT rowid, patient_id FROM patient_search",
)
