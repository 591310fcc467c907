"""Validation's sentences: the same whatever form the JSON arrives in."""

from app.clinical.fhir.validation import validation_errors


def test_a_wrong_element_is_named():
    errors = validation_errors("Observation", b'{"resourceType":"Observation","status":5,'
                                              b'"code":{"text":"Hb"},"colour":"red"}')
    assert any("status" in e for e in errors)
    assert any("colour" in e for e in errors)


def test_bytes_that_are_not_utf8_are_named_as_such():
    errors = validation_errors("Patient", b'{"resourceType":"Patient","gender":"\xff"}')
    assert errors == ["not readable as FHIR (not UTF-8: invalid utf-8 sequence of 1 bytes "
                      "from index 36)"]


def test_a_valid_record_with_text_beyond_ascii_has_no_errors():
    body = '{"resourceType":"Patient","name":[{"family":"Müller-Łukasz"}]}'.encode()
    assert validation_errors("Patient", body) == []
