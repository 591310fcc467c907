"""The chart as plain text for `hearth chart`: the banner first, then what matters most.

The banner's facts and wording are the chart tab's (app.clinical.chart.banner), so the terminal
and the window never disagree on name order, age, MRN or allergies.
"""

from app.clinical.chart.banner import banner_facts
from app.clinical.chart.chart import ChartSummary, SectionPage
from app.clinical.chart.chart_items import ChartItem

QUIET_STATUSES = {None, "final", "finished", "completed", "active"}  # the expected ones
SUMMARY_PARTS = (
    ("Active problems", "active_problems"),
    ("Active medications", "active_medications"),
    ("Allergy records", "allergies"),
    ("Latest vitals", "latest_vitals"),
    ("Recent labs", "recent_labs"),
    ("Immunizations", "immunizations"),
    ("Encounters", "encounters"),
    ("Notes", "notes"),
)


def banner(summary: ChartSummary) -> list[str]:
    """The banner's lines: who, a warning about the Patient record if any, then allergies.
    An allergy alert is in words ("Allergies: Peanut"), as the window shows it."""
    facts = banner_facts(summary.patient, summary.allergies)
    who = "  |  ".join([facts.name, *facts.details, f"id {summary.patient['id']}"])
    warning = [f"WARNING: {facts.warning}"] if facts.warning else []
    return [who, *warning, facts.allergies]


def summary_text(summary: ChartSummary) -> str:
    lines = [*banner(summary), ""]
    for title, field in SUMMARY_PARTS:
        items = getattr(summary, field)
        if field == "allergies" and not items:
            continue  # the banner said "none recorded"
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
