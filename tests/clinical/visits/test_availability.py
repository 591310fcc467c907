"""The clinic's calendars as data: week templates with breaks, who works to which, the
appointment types with their lengths and colours, and the clinic's own copies named in the
policy; a file that is wrong is refused with a sentence naming it."""

import json
import re
from datetime import date, datetime, time
from importlib.resources import files

import pytest

from app.clinical.visits.appointment_types import AppointmentTypes
from app.clinical.visits.availability import Availability
from app.clinical.visits.booking_errors import BookingRefused
from app.errors import UsageError
from app.security.policy import Policy, SchedulingPolicy

MONDAY, SATURDAY, SUNDAY = date(2031, 3, 3), date(2031, 3, 8), date(2031, 3, 9)


def clock(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm)).astimezone()


def hours(template, day: date) -> list[tuple[str, str]]:
    return [(f"{a:%H:%M}", f"{b:%H:%M}") for a, b in template.open_hours(day)]


def test_the_packaged_week_has_lunch_off_and_sunday_closed():
    week = Availability().template_of("anyone")
    assert hours(week, MONDAY) == [("08:00", "12:00"), ("13:00", "17:00")]
    assert hours(week, SATURDAY) == [("09:00", "12:00")]
    assert hours(week, SUNDAY) == []
    assert week.open_hours(MONDAY)[0][0] == clock(MONDAY, "08:00")
    assert hours(Availability().room_template("Room 1"), SATURDAY) == [("09:00", "12:00")]
    assert Availability().room_template("Kitchen") is None


def test_a_clinics_own_file_gives_each_provider_their_week(tmp_path):
    path = tmp_path / "availability.json"
    path.write_text(json.dumps({
        "source": "Riverside clinic rota", "version": "2031-01", "slot_minutes": 10,
        "templates": {
            "mornings": {"monday": [{"start": "07:30", "end": "12:30", "breaks": [
                {"start": "10:00", "end": "10:20"}]}]},
            "full": {"monday": [{"start": "09:00", "end": "18:00"}]}},
        "providers": {"doc": "mornings", "*": "full"}}))
    clinic = Availability(str(path))
    assert (clinic.slot_minutes, clinic.version) == (10, "2031-01")
    assert hours(clinic.template_of("doc"), MONDAY) == [("07:30", "10:00"), ("10:20", "12:30")]
    assert hours(clinic.template_of("nina"), MONDAY) == [("09:00", "18:00")]
    assert hours(clinic.template_of("nina"), SATURDAY) == []


@pytest.mark.parametrize("content, says", [
    ("{not json", "is not valid JSON"),
    ({"templates": {}}, "must be a JSON object that states its \"source\" and \"version\""),
    ({"source": "s", "version": "1", "templates": {"w": {"funday": []}}},
     "must give sessions by weekday"),
    ({"source": "s", "version": "1", "templates": {"w": {"monday": [
        {"start": "17:00", "end": "08:00"}]}}}, "ends (08:00) before it starts (17:00)"),
    ({"source": "s", "version": "1", "templates": {"w": {"monday": [{"start": "8am",
                                                                     "end": "5pm"}]}}},
     "needs a start time like \"08:30\""),
    ({"source": "s", "version": "1", "templates": {"w": {}}, "providers": {"doc": "x"}},
     "gives 'doc' the template 'x', which it does not define"),
])
def test_a_wrong_availability_file_is_refused_naming_it(tmp_path, content, says):
    path = tmp_path / "rota.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    with pytest.raises(UsageError, match=re.escape(says)) as refused:
        Availability(str(path))
    assert str(path) in refused.value.message


def test_types_have_lengths_and_colours_and_are_asked_for_by_name_or_code():
    types = AppointmentTypes()
    follow_up = types.get("follow-up")
    assert (follow_up.code, follow_up.minutes, follow_up.colour) == ("FOLLOWUP", 15, "#F28E2B")
    assert types.get("CHECKUP").name == "Check-up"
    assert "v2-0276" in types.system and types.version
    with pytest.raises(BookingRefused, match="'Massage' is not one of this clinic's "
                                             "appointment types"):
        types.get("Massage")


def test_a_type_file_with_a_bad_length_is_refused(tmp_path):
    path = tmp_path / "types.json"
    path.write_text(json.dumps({"source": "s", "version": "1", "types": [
        {"code": "X", "name": "Long", "minutes": 0, "colour": "#000000"}]}))
    with pytest.raises(UsageError, match="The type 'Long' .* lasts 0 minutes"):
        AppointmentTypes(str(path))


def test_the_policy_names_the_clinics_files_and_limits(tmp_path):
    shipped = json.loads(files("hearth_resources").joinpath("default-policy.json").read_bytes())
    assert Policy.default().scheduling == SchedulingPolicy()
    shipped["scheduling"] |= {"availability_file": str(tmp_path / "rota.json"),
                              "max_overbook_per_hour": 2}
    chosen = Policy.from_json(json.dumps(shipped).encode()).scheduling
    assert (chosen.availability_file, chosen.max_overbook_per_hour) == (
        str(tmp_path / "rota.json"), 2)
    shipped["scheduling"]["max_overbooks"] = 3
    with pytest.raises(UsageError, match="Unknown policy scheduling setting\\(s\\): "
                                         "max_overbooks"):
        Policy.from_json(json.dumps(shipped).encode())
    with pytest.raises(UsageError, match="scheduling.max_occurrences is 0; it must be a whole "
                                         "number from 1 to 520"):
        SchedulingPolicy(max_occurrences=0)
