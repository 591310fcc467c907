"""The fee schedule on a real store: ChargeItemDefinitions written through the write path by
the admin only, a CSV imported with its malformed rows named and the rest loaded, amounts
keeping their digits, exported back to the same file."""

from decimal import Decimal

import pytest

from app.clinical.billing.fees import CPT, HCPCS, Fee, FeeSchedule
from app.clinical.fhir.validation import validation_errors
from app.errors import PermissionDenied, UsageError
from tests.conftest import sign_in

CSV = """code,system,description,payer,amount,currency
99213,cpt,"Office visit, established, low",default,75.50,USD
99213,cpt,"Office visit, established, low",Acme Health,68.10,USD
G0438,hcpcs,Annual wellness visit,default,172.00,USD
J1100,hcpcs,Dexamethasone injection 1 mg,default,abc,USD
99214,cpt,Office visit moderate,default,-5,USD
,cpt,No code,default,10,USD
"""


def stored_fee(ws, record_id: str) -> str:
    """The record's JSON as stored."""
    with ws.store.read() as conn:
        return conn.exec_driver_sql(
            "SELECT json FROM resource WHERE type = 'ChargeItemDefinition' AND id = ?",
            (record_id,)).scalar_one()


def test_a_csv_loads_its_good_rows_and_names_each_bad_one(admin, tmp_path):
    source = tmp_path / "fees.csv"
    source.write_text(CSV)

    loaded = FeeSchedule(admin.store, admin.changes).import_csv(admin.session, source)

    assert loaded.loaded == 3
    assert loaded.problems == [
        "Row 5: the amount 'abc' is not a number; left out.",
        "Row 6: the amount '-5' must be zero or more, with at most 2 decimal places; left out.",
        "Row 7: the code '' must be 1 to 10 letters and digits; left out."]
    visit = stored_fee(admin, "fee-cpt-99213")
    assert validation_errors("ChargeItemDefinition", visit.encode()) == []
    assert '"value":75.50' in visit and '"value":68.10' in visit
    fees = FeeSchedule(admin.store).fees(admin.session)
    assert [(f.code, f.payer, f.amount) for f in fees] == [
        ("99213", "default", Decimal("75.50")), ("99213", "Acme Health", Decimal("68.10")),
        ("G0438", "default", Decimal("172.00"))]
    assert str(fees[0].amount) == "75.50"  # the digits as typed, not 75.5


def test_an_export_imports_again_to_the_same_schedule(admin, tmp_path):
    schedule = FeeSchedule(admin.store, admin.changes)
    schedule.set_fees(admin.session, [Fee("99213", CPT, "Office visit", "default",
                                          Decimal("75.50")),
                                       Fee("G0438", HCPCS, "Wellness", "Acme", Decimal("1.10"))])
    out = tmp_path / "out.csv"
    assert schedule.export_csv(admin.session, out) == 2
    assert out.read_text().splitlines() == [
        "code,system,description,payer,amount,currency",
        "99213,cpt,Office visit,default,75.50,USD", "G0438,hcpcs,Wellness,Acme,1.10,USD"]
    again = schedule.import_csv(admin.session, out)
    assert (again.loaded, again.problems) == (2, [])
    assert [f.amount for f in schedule.fees(admin.session)] == [Decimal("75.50"),
                                                                 Decimal("1.10")]


def test_a_new_price_for_a_payer_replaces_only_that_payers(admin):
    schedule = FeeSchedule(admin.store, admin.changes)
    schedule.set_fees(admin.session, [Fee("99213", CPT, "Visit", "default", Decimal("75")),
                                      Fee("99213", CPT, "Visit", "Acme", Decimal("60"))])
    schedule.set_fees(admin.session, [Fee("99213", CPT, "", "Acme", Decimal("62.25"))])
    assert [(f.payer, str(f.amount)) for f in schedule.fees(admin.session)] == [
        ("default", "75.00"), ("Acme", "62.25")]  # money in cents


@pytest.mark.parametrize("role", ["billing", "physician"])
def test_only_the_admin_edits_the_fee_schedule(admin, env, store_dir, role):
    other = sign_in(admin, env, store_dir, "someone", role)
    with pytest.raises(PermissionDenied, match="may not edit the fee schedule"):
        FeeSchedule(other.store).set_fees(other.session, [Fee("99213", CPT, "Visit",
                                                              "default", Decimal(1))])
    assert FeeSchedule(other.store).fees(other.session) == []


def test_a_file_that_is_not_a_fee_schedule_is_refused_whole(admin, tmp_path):
    source = tmp_path / "prices.csv"
    source.write_text("cpt,price\n99213,75\n")
    with pytest.raises(UsageError, match="prices.csv must start with the header row "
                       "code,system,description,payer,amount,currency."):
        FeeSchedule(admin.store).import_csv(admin.session, source)
    source.write_text("code,system,description,payer,amount,currency\n99213,cpt,75\n"
                      "99213,snomed,Visit,default,75,USD\n99213,cpt,Visit,default,75,dollars\n")
    assert FeeSchedule(admin.store).import_csv(admin.session, source).problems == [
        "Row 2: it has 3 columns, not the 6 of the header; left out.",
        "Row 3: the system 'snomed' must be cpt, hcpcs or a code system URL; left out.",
        "Row 4: the currency 'dollars' must be a 3-letter code such as USD; left out."]
    assert FeeSchedule(admin.store).fees(admin.session) == []


def test_removing_a_payers_fee_keeps_the_others_and_the_last_one_retires_the_code(admin):
    schedule = FeeSchedule(admin.store, admin.changes)
    schedule.set_fees(admin.session, [Fee("99213", CPT, "Visit", "default", Decimal("75.50")),
                                      Fee("99213", CPT, "Visit", "Acme", Decimal("60.00"))])

    schedule.remove_fee(admin.session, Fee("99213", CPT, "Visit", "Acme", Decimal("60.00")))
    assert [(f.payer, str(f.amount)) for f in schedule.fees(admin.session)] == [
        ("default", "75.50")]
    schedule.remove_fee(admin.session, Fee("99213", CPT, "Visit", "default", Decimal("75.50")))

    assert schedule.fees(admin.session) == []
    kept = stored_fee(admin, "fee-cpt-99213")  # retired, never deleted
    assert '"status":"retired"' in kept
    assert validation_errors("ChargeItemDefinition", kept.encode()) == []
    schedule.set_fees(admin.session, [Fee("99213", CPT, "", "default", Decimal("80"))])
    assert '"status":"active"' in stored_fee(admin, "fee-cpt-99213")
    with pytest.raises(UsageError, match="The schedule has no Acme fee for 99213; nothing was "
                       "removed."):
        schedule.remove_fee(admin.session, Fee("99213", CPT, "", "Acme", Decimal(0)))
