"""Close matches: a patient found by a fragment, a slip, the sound of a name, a year of birth."""

import pytest
from sqlalchemy import text

from app.clinical.patients.search import PatientSearch
from app.errors import UsageError
from tests.conftest import sign_in

# (id, family, given, birth date)
PEOPLE = [("jules", "Marks", "Jules", "1975-06-02"), ("rita", "Marks", "Rita", "1980-01-30"),
          ("karl", "Marx", "Karl", "1948-05-05"), ("dora", "Demarks", "Dora", "1990-09-09"),
          ("will", "Smith", "Will", "1968-09-25"), ("john", "Jones", "John", "1975-12-31"),
          ("jon", "Abbot", "Jonathan", "2001-02-03"), ("ob", "O Brien", "Pat", "1955-03-03"),
          ("ob2", "OBrien", "Sean", "1961-07-07"), ("cl", "Clarkson", "Kelly", "2010-10-10")]


@pytest.fixture
def desk(admin, env, store_dir):
    ws = sign_in(admin, env, store_dir, "frank", "front-desk")
    for pid, family, given, born in PEOPLE:
        ws.patients.register(ws.session, {"resourceType": "Patient", "id": pid, "birthDate": born,
                                          "name": [{"family": family, "given": [given]}]})
    return ws


@pytest.fixture
def search(desk):
    return lambda typed, **kw: PatientSearch(desk.store).search(desk.session, typed, **kw)


@pytest.fixture
def find(search):
    return lambda typed, **kw: [hit.patient_id for hit in search(typed, **kw)]


@pytest.mark.parametrize("typed, found", [
    ("arks", ["cl", "dora", "jules", "rita"]),  # inside Clarkson, Demarks, Marks
    ("markz", ["jules", "rita", "karl"]),  # one letter off Marks; sounds like Marks and Marx
    ("smyth", ["will"]), ("smiht", ["will"]),
    ("obrien", ["ob2", "ob"]), ("O'Brien", ["ob2", "ob"]),
    ("jhon", ["john"]),
])
def test_a_fragment_a_slip_or_the_sound_of_a_name_finds_the_patient(find, typed, found):
    assert sorted(find(typed)) == sorted(found)


def test_a_year_of_birth_finds_those_born_that_year(find):
    assert sorted(find("1975")) == ["john", "jules"]
    assert find("1975 marks") == ["jules"]
    assert find("1899") == [] and find("2999") == []


def test_jon_finds_john_and_jonathan_by_prefix(search):
    hits = search("jon")
    assert {hit.patient_id for hit in hits} >= {"john", "jon"}
    assert all(hit.match is None for hit in hits if hit.patient_id in {"john", "jon"})


def test_exact_hits_rank_first_then_sounds_like_then_fragments(search):
    hits = search("marks")
    found = [hit.patient_id for hit in hits]
    assert sorted(found[:2]) == ["jules", "rita"] and found[2:] == ["karl", "dora"]
    assert [hit.match for hit in hits] == [None, None, "sounds like “marks”",
                                           "name contains “marks”"]


def test_a_close_match_never_pushes_out_an_exact_one(find):
    assert sorted(find("marks", limit=2)) == ["jules", "rita"]


def test_each_close_match_says_how_it_was_found(search):
    [hit] = search("smiht")
    assert (hit.name, hit.match) == ("Smith, Will", "spelled like “smiht”")
    assert [h.match for h in search("will smyth")] == ["sounds like “smyth”"]


def test_identifiers_and_dates_are_never_matched_closely(desk, find):
    desk.patients.register(desk.session, {"resourceType": "Patient", "id": "m",
                                          "name": [{"family": "Ng"}],
                                          "identifier": [{"value": "MRN-4711"}]})
    assert find("MRN-4711") == ["m"]
    assert find("MRN-4712") == [] and find("1975-06-03") == []


def test_a_renamed_patient_is_no_longer_found_closely_by_the_old_name(desk, find):
    read = desk.patients.get(desk.session, "karl")
    desk.patients.update(desk.session, {**read, "name": [{"family": "Engels", "given": ["Karl"]}]})
    assert sorted(find("markz")) == ["jules", "rita"]
    assert find("engles") == ["karl"]


@pytest.mark.parametrize("typed", ["'", "--", "()", '"', "*"])
def test_punctuation_alone_still_finds_nothing_and_audits_nothing(desk, find, typed):
    def queries():
        with desk.store.read() as conn:
            return conn.execute(text("SELECT count(*) FROM audit WHERE action = 'query'")).scalar()
    before = queries()
    assert find(typed) == []
    assert queries() == before


@pytest.mark.parametrize("typed", ['"markz"', "markz*", "(markz)", "NEAR(markz)", "markz OR"])
def test_operators_around_a_close_term_are_only_text(find, typed):
    assert set(find(typed)) <= {"jules", "rita", "karl"}


def test_a_pasted_page_is_still_refused_before_any_search(search):
    with pytest.raises(UsageError, match="this search has 2,000 words"):
        search("markz " * 2000)
