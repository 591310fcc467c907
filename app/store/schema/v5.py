"""Schema version 5: patient search finds names by their parts and without foreign letters.
Frozen once released.

No table changes. The patient_search rows are written again, with the names as
app.store.search_text indexes them from now on: folded (ł, ø, æ, ß, đ, œ, þ, Greek tonos)
and split where a hyphen or apostrophe joins them ("Smythe-Jones" also as "smythe" and
"jones"), so a store made by an older Hearth finds what a new one finds. The tokenizer is
kept: it cannot fold those letters itself, and it keeps identifiers such as MRN-4711 whole.

The index is emptied in one statement and refilled a batch at a time: at 100,000 patients
about 21 s, where replacing row by row took 31 s; it runs once, after the backup. A search
row whose patient is not stored is kept as it was: a migration drops nothing it does not know.
"""

BATCH = 1000
NOT_STORED = ("SELECT rowid, patient_id, names, identifiers, telecom, birth_date "
              "FROM patient_search WHERE patient_id NOT IN "
              "(SELECT id FROM resource WHERE type = 'Patient' AND deleted = 0)")
EMPTY = "DELETE FROM patient_search"
PATIENTS_AFTER = ("SELECT id, json FROM resource WHERE type = 'Patient' AND deleted = 0 "
                  "AND id > :after ORDER BY id LIMIT :batch")
ROW_IDS = "INSERT OR IGNORE INTO patient_search_row (patient_id) VALUES (?)"
INSERT = ("INSERT INTO patient_search (rowid, patient_id, names, identifiers, telecom, "
          "birth_date) VALUES (?, ?, ?, ?, ?, ?)")
INSERT_PATIENT = ("INSERT INTO patient_search (rowid, patient_id, names, identifiers, telecom, "
                  "birth_date) VALUES ((SELECT search_rowid FROM patient_search_row "
                  "WHERE patient_id = ?), ?, ?, ?, ?, ?)")
