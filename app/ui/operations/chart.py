"""Operations on one patient's chart: its summary, what it reads again after a change, a
page of a section, a lab's series."""

from collections.abc import Callable, Collection

from PySide6.QtCore import QObject

from app.bootstrap import Workstation
from app.clinical.chart.chart import ChartSummary, ChartUpdate, SectionPage
from app.clinical.charting.trends import Point, Trends
from app.security.session import Session
from app.ui.common.background import Background
from app.ui.operations import Op

PAGE = "section page"
LAB_SERIES = "lab series"


def summary(owner: QObject, background: Background, ws: Workstation,
            patient_id: str) -> Op[ChartSummary]:
    """Banner, Summary tab and every section's count, in one read, as the chart opens."""
    return Op(owner, background, lambda: ws.chart.summary(ws.session, patient_id))


def update(owner: QObject, background: Background, ws: Workstation, patient_id: str,
           lists: Collection[str], page_size: int,
           vital_codes: Collection[str]) -> Op[ChartUpdate]:
    """What the chart shows of a change, read again in one read (Chart.update). Every
    answer counts (no kind): the chart asks again only once the last one has answered."""
    return Op(owner, background, lambda: ws.chart.update(ws.session, patient_id, lists,
                                                         page_size, vital_codes))


def section_page(owner: QObject, background: Background,
                 fetch_page: Callable[[int, int], SectionPage], page: int,
                 size: int) -> Op[SectionPage]:
    return Op(owner, background, lambda: fetch_page(page, size), PAGE)


def lab_series(owner: QObject, background: Background, trends: Trends, session: Session,
               patient_id: str, observation_id: str) -> Op[tuple[str | None, list[Point]]]:
    """Every result of the selected result's test; a newer selection wins."""
    return Op(owner, background,
              lambda: trends.series_of(session, patient_id, observation_id), LAB_SERIES)
