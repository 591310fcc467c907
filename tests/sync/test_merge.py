"""Three-way merge of a local edit with the server's: what merges, and what a person decides."""

from sync.merge import three_way_merge, unknown_modifiers

BASE = {"resourceType": "Patient", "id": "p1", "meta": {"versionId": "1"},
        "name": [{"family": "Okafor", "given": ["Ann"]}], "gender": "female",
        "birthDate": "1980-03-14", "maritalStatus": {"text": "single", "coding": []}}


def edited(**fields) -> dict:
    return {**BASE, **fields}


def test_different_fields_edited_on_each_side_both_survive():
    """A phone added here and a birth date corrected there are two facts, not a clash."""
    local = edited(telecom=[{"system": "phone", "value": "555-0101"}])
    remote = edited(birthDate="1980-03-15")
    result = three_way_merge(BASE, local, remote)
    assert result.conflicts == []
    assert (result.merged["telecom"], result.merged["birthDate"]) == (
        local["telecom"], "1980-03-15")


def test_the_same_change_on_both_sides_is_not_a_conflict():
    """Two clerks fixing the same typo the same way must not be asked to choose."""
    result = three_way_merge(BASE, edited(gender="male"), edited(gender="male"))
    assert result.conflicts == [] and result.merged["gender"] == "male"


def test_nested_object_fields_merge_key_by_key():
    """Editing one part of a coded field here and another there keeps both parts."""
    local = edited(maritalStatus={"text": "married", "coding": []})
    remote = edited(maritalStatus={"text": "single", "coding": [{"code": "S"}]})
    result = three_way_merge(BASE, local, remote)
    assert result.merged["maritalStatus"] == {"text": "married", "coding": [{"code": "S"}]}


def test_family_and_given_name_edited_on_each_side_merge_element_by_element():
    """name is a list; same-length lists merge item by item, so name[0] takes both edits."""
    local = edited(name=[{"family": "Okafor-Ibe", "given": ["Ann"]}])
    remote = edited(name=[{"family": "Okafor", "given": ["Anne"]}])
    result = three_way_merge(BASE, local, remote)
    assert result.merged["name"] == [{"family": "Okafor-Ibe", "given": ["Anne"]}]


def test_the_same_field_changed_differently_is_a_conflict_naming_its_path():
    """The person resolving it is told exactly which field clashed."""
    local = edited(name=[{"family": "Okafor-Ibe", "given": ["Ann"]}])
    remote = edited(name=[{"family": "Ibe", "given": ["Ann"]}])
    result = three_way_merge(BASE, local, remote)
    assert (result.merged, result.conflicts) == (None, ["name[0].family"])


def test_a_list_that_grew_against_one_that_was_edited_is_a_conflict_on_the_list():
    """List items have no identity, so a grown list is not lined up with an edited one."""
    local = edited(name=[*BASE["name"], {"use": "maiden", "family": "Ibe"}])
    remote = edited(name=[{"family": "Okafor", "given": ["Annie"]}])
    assert three_way_merge(BASE, local, remote).conflicts == ["name"]


def test_a_field_removed_on_one_side_stays_removed():
    """Clearing a wrong gender here survives an unrelated edit there."""
    local = {k: v for k, v in BASE.items() if k != "gender"}
    result = three_way_merge(BASE, local, edited(birthDate="1980-03-15"))
    assert "gender" not in result.merged and result.merged["birthDate"] == "1980-03-15"


def test_a_field_removed_on_one_side_and_changed_on_the_other_is_a_conflict():
    local = {k: v for k, v in BASE.items() if k != "gender"}
    assert three_way_merge(BASE, local, edited(gender="male")).conflicts == ["gender"]


def test_meta_is_taken_from_the_server():
    """The merged version is sent on top of the server's version, so it carries its meta."""
    remote = edited(meta={"versionId": "2", "lastUpdated": "2030-01-01T00:00:00.000Z"},
                    birthDate="1980-03-15")
    local = edited(meta={"versionId": "1", "lastUpdated": "2029-12-31T09:00:00+01:00"},
                   gender="male")
    assert three_way_merge(BASE, local, remote).merged["meta"] == remote["meta"]


def test_without_a_base_only_identical_fields_merge():
    """Never on the server (base None): any field the two sides hold differently clashes."""
    local, remote = edited(gender="male"), edited(gender="other")
    assert three_way_merge(None, local, remote).conflicts == ["gender"]


def test_a_modifier_on_any_element_is_found_and_named_by_its_url():
    """A modifier need not sit on the resource: one on a dosage changes that dosage."""
    order = {"resourceType": "MedicationRequest", "dosageInstruction": [{"text": "1 tablet",
             "modifierExtension": [{"url": "http://example.org/if-needed",
                                    "valueBoolean": True}]}]}
    assert unknown_modifiers(BASE, order, None) == ["http://example.org/if-needed"]
    assert unknown_modifiers(BASE, edited(extension=[{"url": "http://example.org/x"}])) == []
