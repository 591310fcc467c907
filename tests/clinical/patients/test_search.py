"""Patient search as a clinician types it: prefixes, every term narrows, never an error."""

import pytest
from sqlalchemy import text

from app.clinical.patients.search import (
    BROAD,
    PatientHit,
    PatientSearch,
    match_expression,
    typed_terms,
)
from app.clinical.records import Records
from app.errors import PermissionDenied
from app.security.roles import Permission
from app.store.database import Database
from app.store.keys import new_data_key
from app.store.schema.migrations import MIGRATIONS, migrate
from fhir_common import fhir_json
from tests.conftest import sign_in

ANN = {"resourceType": "Patient", "id": "ann",
       "name": [{"use": "official", "family": "Álvarez", "given": ["Ann", "Marie"]}],
       "birthDate": "1980-03-14", "gender": "female",
       "identifier": [{"system": "urn:ssn", "value": "999-12-3456"},
                      {"type": {"coding": [{"code": "MR"}]}, "system": "urn:mrn",
                       "value": "MRN-4711"}],
       "telecom": [{"system": "email", "value": "ann@example.org"},
                   {"system": "phone", "value": "(555) 123-4567"}]}
BOB = {"resourceType": "Patient", "id": "bob",
       "name": [{"family": "Annan", "given": ["Bob", "Lee", "Roy"]}],
       "birthDate": "1975-01-02", "identifier": [{"value": "MRN-9000"}, {"value": "P-123"}],
       "telecom": [{"system": "phone", "value": "555-987-6543"}]}
PAT = {"resourceType": "Patient", "id": "pat", "name": [{"family": "O'Brien", "given": ["Pat"]}]}
# Names from many alphabets: (id, family, given)
WORLD = [("ada", "Smythe-Jones", "Ada"), ("jan", "Łukasiewicz", "Jan"),
         ("eleni", "Παπαδοπούλου", "Ελένη"), ("jorg", "Weiß", "Jörg"),
         ("duro", "Đorđević", "Đuro"), ("adam", "Œhlenschläger", "Adam"),
         ("gudrun", "Þórsdóttir", "Guðrún"), ("soren", "Ødegård", "Sæbjørn")]


@pytest.fixture
def desk(admin, env, store_dir):
    ws = sign_in(admin, env, store_dir, "frank", "front-desk")
    for patient in (ANN, BOB, PAT):
        ws.patients.register(ws.session, patient)
    return ws


@pytest.fixture
def find(desk):
    search = PatientSearch(desk.store)
    return lambda typed, **kw: [hit.patient_id for hit in search.search(desk.session, typed, **kw)]


def query_rows(ws):
    with ws.store.read() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT user, patient, entity, detail FROM audit WHERE action = 'query' ORDER BY seq"))]


def test_a_hit_carries_what_the_patient_list_shows(desk):
    [hit] = PatientSearch(desk.store).search(desk.session, "alvarez")
    assert hit == PatientHit("ann", "Álvarez, Ann Marie", "1980-03-14", "female", "MRN-4711",
                             "(555) 123-4567")


@pytest.mark.parametrize("typed, found", [
    ("alv", ["ann"]), ("Álv", ["ann"]), ("ALVAREZ", ["ann"]), ("ma", ["ann"]),
    ("O'Brien", ["pat"]), ("o'b", ["pat"]),
])
def test_names_match_by_prefix_ignoring_accents_and_case(find, typed, found):
    assert find(typed) == found


def test_every_term_must_match(find):
    assert find("ann alv") == ["ann"]
    assert find("ALV ann") == ["ann"]
    assert find("ann bob") == ["bob"]
    assert find("ann zz") == []


@pytest.mark.parametrize("typed, found", [
    ("MRN-47", ["ann"]), ("mrn-9", ["bob"]), ("999-12", ["ann"]),
    ("1980-03-14", ["ann"]), ("1980-03", ["ann"]), ("03/14/1980", ["ann"]),
    ("3/14/1980", ["ann"]), ("19800314", ["ann"]), ("14/03/1980", []),
    ("5551234567", ["ann"]), ("555-123", ["ann"]), ("(555) 123-4567", ["ann"]), ("555", []),
])
def test_identifiers_birth_dates_and_phones(find, typed, found):
    assert find(typed) == found


def test_a_family_name_hit_ranks_before_a_given_name_hit(find):
    # Ann's shorter record scores higher in bm25 and Álvarez sorts before Annan, yet Bob
    # Annan's family name is what was typed.
    assert find("ann") == ["bob", "ann"]


def test_a_broad_search_ranks_its_first_stored_matches_family_names_first(desk, find):
    # More patients match "ann" than a search ranks: only the BROAD stored first are
    # ranked, and Bob Annan among them comes before the Annies. Cy Annan, stored last, is
    # found once the family name narrows the search.
    with Records(desk.store).write(desk.session, Permission.EDIT_DEMOGRAPHICS) as work:
        for n in range(BROAD):
            work.save({"resourceType": "Patient", "id": f"annie{n}",
                       "name": [{"family": "Zeller", "given": ["Annie"]}]}, "create")
        work.save({"resourceType": "Patient", "id": "cy",
                   "name": [{"family": "Annan", "given": ["Cy"]}]}, "create")
    found = find("ann")
    assert found[0] == "bob" and len(found) == 20 and "cy" not in found
    assert set(find("annan")) == {"cy", "bob"}


def test_the_limit_is_respected(desk, find):
    for n in range(5):
        desk.patients.register(desk.session, {**BOB, "id": f"bob{n}"})
    assert len(find("annan", limit=3)) == 3
    assert len(find("annan")) == 6


@pytest.mark.parametrize("typed", ["alv (", '"alv"', "alv*", "(alv)", "alv -", "alv ^"])
def test_stray_punctuation_and_operators_do_not_get_in_the_way(find, typed):
    assert find(typed) == ["ann"]


@pytest.mark.parametrize("typed", [
    '"', "(", ")", "*", "-", "'", "ann (", 'alv"', "alv*", "NEAR(ann alv)", "ann AND", "OR",
    "NOT ann", "{names}: ann", "ann:", "^ann", "*ann*", "\\", "ann + -", "a\x00lv",
    "a\ud800lv", "ａｌｖ", "漢字", " ".join(["ann"] * 10),
])
def test_punctuation_and_operators_are_only_text(find, typed):
    assert set(find(typed)) <= {"ann", "bob", "pat"}


@pytest.mark.parametrize("typed", ["", "   ", "\t\n", "()", '""'])
def test_nothing_typed_finds_nothing_and_audits_nothing(desk, find, typed):
    before = query_rows(desk)
    assert find(typed) == []
    assert query_rows(desk) == before


def test_billing_may_search_an_admin_may_not(admin, env, store_dir, desk):
    billing = sign_in(admin, env, store_dir, "bill", "billing")
    assert PatientSearch(billing.store).search(billing.session, "alv")[0].patient_id == "ann"
    with pytest.raises(PermissionDenied, match="admin and may not read patient"):
        PatientSearch(admin.store).search(admin.session, "alv")


def test_each_search_leaves_one_audit_row_naming_the_text_and_the_patients_shown(desk, find):
    before = query_rows(desk)
    shown = find("ann")
    find("zz")
    assert query_rows(desk)[len(before):] == [
        ("frank", None, "Patient", f"patient search 'ann': 2 hits: {', '.join(shown)}"),
        ("frank", None, "Patient", "patient search 'zz': 0 hits")]


def test_a_renamed_patient_is_found_by_the_new_name_only(desk, find):
    read = desk.patients.get(desk.session, "ann")
    desk.patients.update(desk.session, {**read, "name": [{"family": "Brennan", "given": ["Ann"]}]})
    assert find("bren")[0] == "ann"  # then O'Brien, "spelled like “bren”"
    assert find("alv") == []


@pytest.fixture
def find_world(desk, find):
    for pid, family, given in WORLD:
        desk.patients.register(desk.session, {"resourceType": "Patient", "id": pid,
                                              "name": [{"family": family, "given": [given]}]})
    return find


@pytest.mark.parametrize("typed, found", [
    ("jones", ["ada"]), ("smythe", ["ada"]), ("Smythe-Jones", ["ada"]), ("smythejones", ["ada"]),
    ("smythe-jo", ["ada"]), ("ada jones", ["ada"]),
    ("obrien", ["pat"]), ("brien", ["pat"]), ("O’Brien", ["pat"]), ("pat obr", ["pat"]),
])
def test_hyphenated_and_apostrophe_names_are_found_by_each_part_and_whole(find_world, typed,
                                                                          found):
    assert find_world(typed) == found


@pytest.mark.parametrize("typed, found", [
    ("lukasiewicz", ["jan"]), ("Łukasiewicz", ["jan"]), ("luka", ["jan"]),
    ("παπαδοπουλου", ["eleni"]), ("ελενη παπ", ["eleni"]), ("Ελένη", ["eleni"]),
    ("weiss", ["jorg"]), ("jorg", ["jorg"]), ("dordevic duro", ["duro"]),
    ("oehlenschlager", ["adam"]), ("thorsdottir gudrun", ["gudrun"]),
    ("odegard", ["soren"]), ("saebjorn", ["soren"]),
])
def test_letters_of_their_own_and_greek_tonos_are_folded(find_world, typed, found):
    assert find_world(typed) == found


def test_a_family_part_ranks_before_a_given_name(desk, find_world):
    desk.patients.register(desk.session, {"resourceType": "Patient", "id": "jones-given",
                                          "name": [{"family": "Abbot", "given": ["Jones"]}]})
    assert find_world("jones") == ["ada", "jones-given"]


def test_a_store_indexed_by_an_older_hearth_finds_name_parts_after_upgrading(tmp_path):
    database = Database(tmp_path / "hearth.db", new_data_key())
    migrate(database, tmp_path / "backups", MIGRATIONS[:4])
    patient = {"resourceType": "Patient", "id": "ada",
               "name": [{"family": "Smythe-Jones", "given": ["Łucja"]}]}
    with database.write() as conn:  # as schema 4 indexed it: the hyphenated name one token
        conn.execute(text("INSERT INTO resource VALUES ('Patient', 'ada', NULL, 'now', :j, 0)"),
                     {"j": fhir_json.dumps(patient).decode()})
        conn.execute(text("INSERT INTO patient_search_row (patient_id) VALUES ('ada')"))
        conn.execute(text("INSERT INTO patient_search (rowid, patient_id, names, identifiers, "
                          "telecom, birth_date) VALUES (1, 'ada', 'Łucja Smythe-Jones', '', "
                          "'', '')"))
    migrate(database, tmp_path / "backups")
    with database.read() as conn:
        found = conn.execute(text("SELECT patient_id FROM patient_search WHERE patient_search "
                                  "MATCH :m"), {"m": match_expression(typed_terms("jones lucja"))})
        assert found.scalars().all() == ["ada"]
    database.close()


def test_a_patient_record_with_a_modifier_says_so_in_the_hit(desk):
    url = "http://example.org/fhir/StructureDefinition/identity-unconfirmed"
    desk.patients.register(desk.session, {**BOB, "id": "bob2",
                                          "modifierExtension": [{"url": url}]})
    warnings = {h.patient_id: h.warning for h in PatientSearch(desk.store).search(
        desk.session, "annan")}
    assert warnings == {"bob": None, "bob2": (
        f"This record carries a modifier Hearth does not understand: {url}.")}
