"""`hearth orders prescribe`: a medication order from the command line, checked as the chart
checks it.

The drug is an RxNorm code or a name from the drug catalogue; a code the catalogue lacks is
refused (exit 2), since a code nobody can check is a typing error more often than not. A
name the catalogue lacks is saved as free text, with a warning that no safety check ran for
it. The sig is built from the fields (app.clinical.orders.sig.build_sig), so the words match
what the chart and the order sets write; a dose above the adult maximum warns, never refuses.
The order goes through Medications.prescribe, so the safety check runs in the unit of work
that saves it: alerts that interrupt are printed (kind, severity, message, source) and nothing
is saved (exit 2) unless --override-reason is given.

The order stores the structured sig (FHIR Dosage and dispenseRequest: quantity, refills,
duration), so the printed prescription shows what was typed.
"""

import argparse
import sys

from app.cli.safety_commands import add_acknowledge, require_acknowledged
from app.clinical.drugs.catalogue import Drug, unknown_drug_warning
from app.clinical.orders.dose_limits import limit_for
from app.clinical.orders.sig import build_sig
from app.clinical.safety.check import Alert, UnknownDrug
from app.clinical.safety.detected_issues import UNCHECKED
from app.clinical.safety.prescribing import SafetyAlerts
from app.errors import InvalidRecord, UsageError
from app.security.roles import Permission
from fhir_common import fhir_json


def register(orders, data: argparse.ArgumentParser, signed_in) -> None:
    """`orders prescribe`, among the other `orders` actions."""
    prescribe = orders.add_parser("prescribe", parents=[data], help="order a medication, "
                                  "checked against the patient's medications and allergies")
    prescribe.add_argument("patient_id", metavar="PATIENT_ID")
    prescribe.add_argument("drug", metavar="RXCUI_OR_NAME", help="an RxNorm code or a name "
                           "from the drug catalogue (other text is saved unchecked)")
    prescribe.add_argument("--dose", required=True, help="how much each time, e.g. 1 or 500")
    prescribe.add_argument("--unit", required=True, help="tablet, capsule, mg, mL, ...")
    prescribe.add_argument("--route", required=True, help="oral, topical, inhaled, ...")
    prescribe.add_argument("--frequency", required=True, help="daily, bid, q6h, at bedtime, "
                           "... (add 'as needed' to any)")
    prescribe.add_argument("--days", type=int, help="how many days")
    prescribe.add_argument("--quantity", type=float, help="how much to dispense")
    prescribe.add_argument("--refills", type=int, help="how many refills")
    prescribe.add_argument("--reason", help="the indication, in words")
    prescribe.add_argument("--override-reason", metavar="TEXT", help="why to order despite "
                           "alerts that stop the order (audited)")
    add_acknowledge(prescribe)
    prescribe.set_defaults(run=signed_in(cmd_prescribe))


def cmd_prescribe(args, ws, secrets) -> int:
    catalogue = ws.safety.catalogue
    drug = _drug(args.drug, catalogue)
    try:
        sig = build_sig(args.dose, args.unit, args.route, args.frequency, args.days,
                        args.quantity, args.refills,
                        limit_for(drug.ingredients) if drug else None)
    except InvalidRecord as wrong:  # typed on the command line: input, not a stored record
        raise UsageError(str(wrong)) from None
    warnings = list(sig.warnings)
    if drug is None:
        warnings.insert(0, unknown_drug_warning(args.drug, catalogue)
                        + " It is saved as text.")
    for warning in warnings:
        print(f"WARNING: {warning}", file=sys.stderr)
    require_acknowledged(args, ws, "Nothing was prescribed", Permission.PEND_ORDERS)
    name = drug.name if drug else " ".join(args.drug.split())
    try:
        started = ws.medications.prescribe(
            ws.session, args.patient_id, name, sig, args.reason,
            drug.rxcui if drug else None, args.override_reason, args.acknowledge_pack)
    except SafetyAlerts as refused:
        _print_alerts(args, refused.alerts, None, warnings, [])
        print(f"hearth: {refused.title}: {name} was not saved: "
              f"{len(refused.alerts)} alert(s) stop this order. Give --override-reason "
              "TEXT to order anyway, or choose another drug.", file=sys.stderr)
        return refused.exit_code
    request = started.request
    if not args.json:  # a nurse's order is pended (draft) for a physician to sign
        done = "Pended for a physician to sign" if request["status"] == "draft" else "Prescribed"
        print(f"{done} {name}: {request['dosageInstruction'][0]['text']}"
              f"{_dispensed(request)} (id {request['id']})")
    _print_alerts(args, started.alerts, request, warnings, [
        issue["detail"] for issue in started.issues if issue["code"]["text"] == UNCHECKED])
    return 0


def _drug(text: str, catalogue) -> Drug | None:
    """The catalogue's drug for a code or a name; None for a name it lacks (free text)."""
    code = text.strip()
    if code.isdigit():
        if (drug := catalogue.drug(code)) is None:
            raise UnknownDrug(f"RxNorm code {code} is not in the drug catalogue "
                              f"({catalogue.name} version {catalogue.version}); nothing was "
                              "prescribed. Give a code from the catalogue, or the drug's "
                              "name.")
        return drug
    return catalogue.named(code)


def _dispensed(request: dict) -> str:
    """"Dispense 30 tablet. Refills: 2." as stored (dispenseRequest), when given."""
    dispense = request.get("dispenseRequest") or {}
    quantity = dispense.get("quantity") or {}
    said = ""
    if "value" in quantity:
        unit = f" {quantity['unit']}" if "unit" in quantity else ""
        said += f" Dispense {quantity['value']:g}{unit}."
    if "numberOfRepeatsAllowed" in dispense:
        said += f" Refills: {dispense['numberOfRepeatsAllowed']}."
    return said


def _print_alerts(args, alerts: tuple[Alert, ...], request: dict | None,
                  warnings: list[str], unchecked: list[str]) -> None:
    """Each alert with its source, then what no coded check ran for (an allergy typed as
    text); in --json with the order saved (or not) and the warnings."""
    if args.json:
        print(fhir_json.dumps({
            "saved": request is not None, "id": request["id"] if request else None,
            "status": request["status"] if request else None,
            "warnings": warnings,
            "directions": request["dosageInstruction"][0]["text"] if request else None,
            "alerts": [{"kind": a.kind, "severity": a.severity, "message": a.message,
                        "source": a.source, "interrupts": a.interrupts,
                        "overridden": request is not None and a.interrupts}
                       for a in alerts], "unchecked": unchecked}).decode())
        return
    for alert in alerts:
        what = (" (overridden)" if request else " (stops the order)") if alert.interrupts \
            else ""
        print(f"  {alert.severity.upper()} {alert.kind}{what}: {alert.message}")
        print(f"      Source: {alert.source} [{alert.pack} {alert.pack_version}]")
    for sentence in unchecked:
        print(f"  NOT CHECKED: {sentence}")

