"""Schema version 9: patients found by sound, by a near spelling and by a fragment of a name.
Frozen once released.

patient_search gains three columns (app.store.close_text): sounds (each name word's
Metaphone key), spellings (each word with one letter left out) and fragments (each word's
endings). FTS5 cannot add a column, so the table is made again, with the same tokenizer
and prefix indexes, and filled from the stored patients a batch at a time, after the
backup: at 100,000 patients about as long as schema 5's rewrite of the same index. Rows
keep their rowids (patient_search_row still maps each patient to its row). A row whose
patient is not stored is kept, its close columns made from its names: a migration drops
nothing it does not know.
"""

from sqlalchemy import Connection

from app.store.close_text import close_columns, close_terms
from app.store.search_text import search_terms
from fhir_common import fhir_json

BATCH = 1000
NOT_STORED = ("SELECT rowid, patient_id, names, identifiers, telecom, birth_date "
              "FROM patient_search WHERE patient_id NOT IN "
              "(SELECT id FROM resource WHERE type = 'Patient' AND deleted = 0)")
CREATE = """CREATE VIRTUAL TABLE patient_search USING fts5 (
    patient_id UNINDEXED,
    names,
    identifiers,
    telecom,
    birth_date,
    sounds,
    spellings,
    fragments,
    tokenize = "unicode61 remove_diacritics 2 tokenchars '-'",
    prefix = '1 2 3'
)"""
PATIENTS_AFTER = ("SELECT id, json FROM resource WHERE type = 'Patient' AND deleted = 0 "
                  "AND id > :after ORDER BY id LIMIT :batch")
ROW_IDS = "INSERT OR IGNORE INTO patient_search_row (patient_id) VALUES (?)"
COLUMNS = "patient_id, names, identifiers, telecom, birth_date, sounds, spellings, fragments"
INSERT = f"INSERT INTO patient_search (rowid, {COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
INSERT_PATIENT = (f"INSERT INTO patient_search (rowid, {COLUMNS}) VALUES ((SELECT search_rowid "
                  "FROM patient_search_row WHERE patient_id = ?), ?, ?, ?, ?, ?, ?, ?, ?)")


def add_close_search(conn: Connection) -> None:
    """Make patient_search again with the close columns and index every stored patient."""
    kept = [tuple(row) for row in conn.exec_driver_sql(NOT_STORED)]
    conn.exec_driver_sql("DROP TABLE patient_search")
    conn.exec_driver_sql(CREATE)
    if kept:
        conn.exec_driver_sql(INSERT, [(*row, *close_columns(row[2].split()).values())
                                      for row in kept])
    after = ""
    while batch := conn.exec_driver_sql(PATIENTS_AFTER, {"after": after, "batch": BATCH}).all():
        conn.exec_driver_sql(ROW_IDS, [(pid,) for pid, _ in batch])
        patients = [(pid, fhir_json.loads(body)) for pid, body in batch]
        conn.exec_driver_sql(INSERT_PATIENT, [
            (pid, pid, *search_terms(p).values(), *close_terms(p).values())
            for pid, p in patients])
        after = batch[-1][0]
