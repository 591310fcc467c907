"""The chart as plain text for `hearth chart`: the banner first, then what matters most."""

from datetime import date

from app.clinical.chart import ChartSummary, SectionPage
from app.clinical.chart_items import ChartItem
from app.clinical.names import medical_record_number

QUIET_STATUSES = {None, "final", "finished", "completed", "active"}  # the expected ones
SUMMARY_PARTS = (
    ("Active problems", "active_problems"),
    ("Active medications", "active_medications"),
    ("Allergies", "allergies"),
    ("Latest vitals", "latest_vitals"),
    ("Recent labs", "recent_labs"),
    ("Immunizations", "immunizations"),
    ("Encounters", "encounters"),
    ("Notes", "notes"),
)


def banner(patient: dict, today: date | None = None) -> str:
    name = (patient.get("name") or [{}])[0]
    full = " ".join([*name.get("given", []), name.get("family", "")]).strip() or "(no name)"
    born = patient.get("birthDate", "")
    age = ""
    if len(born) >= 10:
        today = today or date.today()
        b = date.fromisoformat(born[:10])
        age = f", {today.year - b.year - ((today.month, today.day) < (b.month, b.day))} y"
    mrn = medical_record_number(patient)
    return (f"{full}  |  {patient.get('gender', 'unknown')}{age}  |  born {born or '?'}  |  "
            f"MRN {mrn or '—'}  |  id {patient['id']}")


def summary_text(summary: ChartSummary) -> str:
    lines = [banner(summary.patient)]
    if summary.patient_warning:
        lines.append(f"WARNING: {summary.patient_warning}")
    lines.append("")
    if not summary.allergies:
        lines.append("Allergies: none recorded (not the same as 'no known allergies')")
    for title, field in SUMMARY_PARTS:
        items = getattr(summary, field)
        if field == "allergies" and not items:
            continue
        lines.append(f"{title}:" if items else f"{title}: none recorded")
        lines += [f"  {_line(item)}" for item in items]
    lines.append("")
    lines.append("Records per section: " + ", ".join(
        f"{section} {n}" for section, n in summary.counts.items() if n))
    return "\n".join(lines)


def page_text(page: SectionPage) -> str:
    head = f"{page.section}: page {page.page} of {page.pages} ({page.total} records)"
    return "\n".join([head, *(f"  {_line(item)}" for item in page.items)])


def _line(item: ChartItem) -> str:
    when = (item.date or "")[:10] or "undated   "
    value = f"  {item.value}" if item.value else ""
    flag = f"  [{item.flag}]" if item.flag else ""
    status = f"  ({item.status})" if item.status not in QUIET_STATUSES else ""
    warning = f"\n      WARNING: {item.warning}" if item.warning else ""
    return f"{when}  {item.title}{value}{flag}{status}{warning}"
