"""Schema 9: a store made by an older Hearth finds its patients by sound and fragment after it."""

from sqlalchemy import text

from app.store.database import Database
from app.store.keys import new_data_key
from app.store.schema.migrations import MIGRATIONS, migrate
from app.store.search_text import search_terms
from fhir_common import fhir_json

MARKS = {"resourceType": "Patient", "id": "jules",
         "name": [{"family": "Marks", "given": ["Jules"]}]}
GONE = {"resourceType": "Patient", "id": "gone", "name": [{"family": "Marx"}]}


def found(database: Database, match: str) -> list[str]:
    with database.read() as conn:
        return conn.execute(text(
            "SELECT m.patient_id FROM patient_search s JOIN patient_search_row m "
            "ON m.search_rowid = s.rowid WHERE patient_search MATCH :m ORDER BY 1"), {"m": match}
        ).scalars().all()


def test_upgrading_indexes_stored_patients_for_close_matches_and_keeps_other_rows(tmp_path):
    database = Database(tmp_path / "hearth.db", new_data_key())
    migrate(database, tmp_path / "backups", MIGRATIONS[:8])
    with database.write() as conn:  # as schema 8 left them: one patient, one deleted
        for patient, deleted in ((MARKS, 0), (GONE, 1)):
            conn.execute(text("INSERT INTO resource VALUES ('Patient', :id, NULL, 'now', :j, "
                              ":deleted)"), {"id": patient["id"], "deleted": deleted,
                                             "j": fhir_json.dumps(patient).decode()})
        conn.execute(text("INSERT INTO patient_search_row (patient_id) VALUES ('jules')"))
        conn.execute(text("INSERT INTO patient_search (rowid, patient_id, names, identifiers, "
                          "telecom, birth_date) VALUES (1, 'jules', :names, '', '', '')"),
                     {"names": search_terms(MARKS)["names"]})
        conn.execute(text("INSERT INTO patient_search_row (patient_id) VALUES ('ghost')"))
        conn.execute(text("INSERT INTO patient_search (rowid, patient_id, names, identifiers, "
                          "telecom, birth_date) VALUES (2, 'ghost', 'casper', '', '', '')"))

    assert [m.number for m in migrate(database, tmp_path / "backups", MIGRATIONS[:9])] == [9]

    assert found(database, "sounds : mrks") == ["jules"]
    assert found(database, "spellings : mark") == ["jules"]
    assert found(database, "fragments : ark*") == ["jules"]
    assert found(database, "names : marks") == ["jules"]
    # a search row whose patient is not stored is kept, and found closely too
    assert found(database, "names : casper") == found(database, "sounds : kspr") == ["ghost"]
    database.close()

