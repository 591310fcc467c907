"""The shipped order catalogue: the common outpatient panels under their LOINC codes, every
code not marked for checking taken from the Synthea terminology list, and every order set
naming only tests the catalogue has."""

import csv
from pathlib import Path

from app.clinical.orders.catalogue import catalogue_from, load_catalogue
from app.clinical.orders.order_sets import order_sets

SYNTHEA_LOINC = (Path(__file__).parents[4] / "shared" / "data" / "terminology"
                 / "smart_synthea2019_loinc_codes.tsv")


def test_the_common_panels_are_there_by_loinc_code():
    catalogue = load_catalogue()
    assert catalogue.problems == ()
    names = {code: catalogue.items[code].name for code in
             ("58410-2", "51990-0", "24323-8", "57698-3", "4548-4", "3016-3", "24356-8")}
    assert names["58410-2"] == "CBC (complete blood count)"
    assert catalogue.find("ct head without contrast").system == "urn:hearth:imaging"


def test_unverified_codes_are_marked_and_the_rest_come_from_synthea():
    with SYNTHEA_LOINC.open() as tsv:
        synthea = {row["code"] for row in csv.DictReader(tsv, delimiter="\t")}
    labs = [i for i in load_catalogue().items.values() if i.kind == "lab"]
    assert {i.code for i in labs if not i.verify} <= synthea
    assert {i.code for i in labs if i.verify} == {"24356-8", "24325-3", "6301-6"}


def test_every_order_set_names_only_tests_the_catalogue_has():
    items = load_catalogue().items
    for order_set in order_sets().values():
        assert set(order_set.tests) <= set(items), order_set.name


def test_a_bad_row_is_named_and_the_rest_loads():
    catalogue = catalogue_from({
        "name": "Clinic tests", "version": "2", "date": "2026-12-01", "source": "Our lab",
        "labs": [{"code": "3016-3", "name": "TSH"}, {"name": "No code"},
                 {"code": "3016-3", "name": "TSH again"}],
        "imaging": [{"code": "xr-hand", "name": "XR hand"}]})
    assert sorted(catalogue.items) == ["3016-3", "xr-hand"]
    assert catalogue.problems == ("labs row 2 has no code or no name; it was left out.",
                                  "labs row 3 repeats the code 3016-3; it was left out.")
