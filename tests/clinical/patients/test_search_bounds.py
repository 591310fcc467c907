"""A search is bounded: a pasted page is refused at once, and a search never blocks a save."""

import threading
import time

import pytest
from sqlalchemy import event

from app.clinical.charting.vitals import Vitals
from app.clinical.patients.search import PatientSearch
from app.errors import UsageError
from tests.conftest import sign_in

ANN = {"resourceType": "Patient", "id": "ann", "name": [{"family": "Alvarez", "given": ["Ann"]}],
       "birthDate": "1980-03-14"}


@pytest.fixture
def desk(admin, env, store_dir):
    ws = sign_in(admin, env, store_dir, "frank", "front-desk")
    ws.patients.register(ws.session, ANN)
    return ws


def test_a_pasted_page_of_16000_words_is_refused_quickly_with_a_sentence(desk):
    pasted = " ".join(f"word{n}" for n in range(16_000))

    began = time.monotonic()
    with pytest.raises(UsageError) as refused:
        PatientSearch(desk.store).search(desk.session, pasted)

    assert time.monotonic() - began < 1
    assert refused.value.message == (
        "Search takes up to 10 words and 200 characters, such as a name and a birth date; "
        "this search has 16,000 words and 148,889 characters. Nothing was searched.")


def test_eleven_short_words_are_refused_and_ten_are_searched(desk):
    search = PatientSearch(desk.store)
    with pytest.raises(UsageError, match="this search has 11 words and 21 characters"):
        search.search(desk.session, "a " * 10 + "a")
    assert [hit.patient_id for hit in search.search(desk.session, "ann " * 9 + "alv")] == ["ann"]


def test_a_vitals_save_during_a_search_is_saved(desk, admin, env, store_dir):
    nurse = sign_in(admin, env, store_dir, "nina", "nurse")
    searching, saved = threading.Event(), threading.Event()

    def hold_the_search(conn, cursor, statement, *_):
        if "patient_search MATCH" in statement:
            searching.set()
            saved.wait(30)  # the search is still running while the nurse saves

    event.listen(desk.store.db.engine, "before_cursor_execute", hold_the_search)
    found = []
    search = threading.Thread(target=lambda: found.extend(
        PatientSearch(desk.store).search(desk.session, "alvarez")))
    search.start()
    try:
        assert searching.wait(10)
        recorded = Vitals(nurse.store).record(nurse.session, "ann", {"heart_rate": "72"})
    finally:
        saved.set()
        search.join()
        nurse.store.close()

    assert len(recorded) == 1
    assert [hit.patient_id for hit in found] == ["ann"]
