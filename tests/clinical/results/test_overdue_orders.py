"""Overdue orders on a real store: an active order with no result after the policy's days
is listed for the clinician who signed it, until a result for it is imported."""

from datetime import datetime, timedelta
from importlib.resources import files

import orjson
import pytest

from app.clinical.results.overdue import OverdueOrders
from app.errors import UsageError
from app.security.policy import Policy
from tests.clinical.charting.test_problems import ward  # noqa: F401 (the fixture)
from tests.clinical.results.test_result_arrivals import potassium, run_import, signed_cbc


def test_an_order_with_no_result_is_overdue_after_the_policys_days_until_one_arrives(
        ward, admin, tmp_path):
    order = signed_cbc(ward)
    days = Policy.default().results.overdue_days
    overdue = OverdueOrders(ward.doctor.store, days)
    later = datetime.now().astimezone() + timedelta(days=days + 1)

    assert overdue.mine(ward.doctor.session, later - timedelta(days=2)) == []
    [one] = overdue.mine(ward.doctor.session, later)
    assert (one.order_id, one.days, one.test) == (order["id"], days + 1,
                                                  order["code"]["text"])
    assert overdue.mine(ward.nurse.session, later) == []  # not hers

    k = potassium(ward.patient_id, 4.0)
    k["basedOn"] = [{"reference": f"ServiceRequest/{order['id']}"}]
    run_import(admin, tmp_path, k)
    assert overdue.mine(ward.doctor.session, later) == []


@pytest.mark.parametrize("value", [0, 400, "two weeks"])
def test_a_policy_with_impossible_overdue_days_is_refused_with_a_sentence(value):
    shipped = orjson.loads(files("hearth_resources").joinpath("default-policy.json")
                           .read_bytes())
    shipped["results"] = {"overdue_days": value}
    with pytest.raises(UsageError, match="results.overdue_days is .*; it must be a whole "
                                         "number of days from 1 to 365"):
        Policy.from_json(orjson.dumps(shipped))
