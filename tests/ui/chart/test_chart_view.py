"""The chart tab: counts per tab match the store, banner, trends, flags, notes, paging, and
every store read off the UI thread.

The Synthea patients of the `clinic` fixture have no allergies, notes, heart rates or lab
flags, so a second store (`ward`) holds two made-up patients that do.
"""

import base64
import threading
from datetime import date

import orjson
import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QGraphicsView,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTabWidget,
    QWidget,
)
from sqlalchemy import text

from app.bootstrap import open_workstation
from app.clinical.chart.banner import age_text, allergy_line
from app.clinical.chart.chart import SectionPage
from app.clinical.chart.chart_items import ChartItem
from app.clinical.charting.trends import Trends, note_of
from app.errors import NotFound
from app.ui.chart.banner import Banner
from app.ui.chart.table import COLUMNS, ITEM_ROLE, PAGE_SIZE, SectionModel
from app.ui.chart.view import TABS, ChartView
from app.ui.common import theme
from tests.conftest import new_store, password_of

WAIT = 10000
LABS = 230  # more than two pages
ANA, NOLA, MODI = "ana-testa", "nola-nka", "mo-modi"
NOT_TAKEN = "http://example.org/fhir/StructureDefinition/not-taken"
UNCONFIRMED = "http://example.org/fhir/StructureDefinition/identity-unconfirmed"


def _obs(rid, patient, category, code, when, value=None, unit="", **extra):
    resource = {"resourceType": "Observation", "id": rid, "status": "final",
                "category": [{"coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                    "code": category}]}],
                "code": {"coding": [{"system": "http://loinc.org", "code": code}],
                         "text": extra.pop("title", code)},
                "subject": {"reference": f"Patient/{patient}"}, "effectiveDateTime": when}
    if value is not None:
        resource["valueQuantity"] = {"value": value, "unit": unit}
    return {**resource, **extra}


def _b64(words: str) -> str:
    return base64.b64encode(words.encode()).decode()


def ward_resources() -> list[dict]:
    """Ana: an allergy, flagged potassium, 3 heart rates, 2 BPs, notes. Nola: NKA. Mo: his
    record and a medication carry modifier extensions."""
    bp = [{"code": {"coding": [{"system": "http://loinc.org", "code": c}]},
           "valueQuantity": {"value": v, "unit": "mm[Hg]"}} for c, v in
          (("8462-4", 80), ("8480-6", 120))]  # diastolic first: the UI must not care
    labs = [_obs(f"glu-{n}", ANA, "laboratory", "2345-7", f"2020-01-01T00:{n // 60:02}:"
                 f"{n % 60:02}Z", 5.0 + n / 100, "mmol/L", title="Glucose")
            for n in range(LABS - 3)]
    return [
        {"resourceType": "Patient", "id": ANA, "gender": "female", "birthDate": "1980-02-29",
         "name": [{"use": "official", "family": "Testa", "given": ["Ana"]}],
         "identifier": [{"system": "urn:oid:1.2.3", "value": "A-1001"}]},
        {"resourceType": "Patient", "id": NOLA, "gender": "male", "birthDate": "1950-06-01",
         "name": [{"family": "Kay", "given": ["Nola"]}]},
        {"resourceType": "Patient", "id": MODI, "gender": "male", "birthDate": "1960-01-01",
         "name": [{"family": "Modi", "given": ["Mo"]}],
         "modifierExtension": [{"url": UNCONFIRMED, "valueBoolean": True}]},
        {"resourceType": "MedicationStatement", "id": "mo-naproxen", "status": "active",
         "subject": {"reference": f"Patient/{MODI}"}, "effectiveDateTime": "2021-03-01",
         "medicationCodeableConcept": {"text": "Naproxen 220 mg"},
         "modifierExtension": [{"url": NOT_TAKEN, "valueBoolean": True}]},
        {"resourceType": "AllergyIntolerance", "id": "ana-peanut",
         "patient": {"reference": f"Patient/{ANA}"}, "code": {"text": "Peanut"},
         "clinicalStatus": {"coding": [{
             "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
             "code": "active"}]}, "recordedDate": "2019-05-01"},
        {"resourceType": "AllergyIntolerance", "id": "nola-nka",
         "patient": {"reference": f"Patient/{NOLA}"}, "recordedDate": "2019-05-01",
         "code": {"coding": [{"system": "http://snomed.info/sct", "code": "716186003",
                              "display": "No known allergy (situation)"}]}},
        _obs("k-1", ANA, "laboratory", "2823-3", "2021-01-01", 4.0, "mmol/L",
             title="Potassium"),
        _obs("k-2", ANA, "laboratory", "2823-3", "2021-02-01", 5.8, "mmol/L",
             title="Potassium", interpretation=[{"coding": [{"code": "H"}]}]),
        _obs("k-3", ANA, "laboratory", "2823-3", "2021-03-01", 3.1, "mmol/L",
             title="Potassium", referenceRange=[{"low": {"value": 3.5, "unit": "mmol/L"}}]),
        *labs,
        *[_obs(f"hr-{n}", ANA, "vital-signs", "8867-4", f"2021-0{n + 1}-02", 70 + n, "/min",
               title="Heart rate") for n in range(3)],
        *[_obs(f"bp-{n}", ANA, "vital-signs", "85354-9", f"2021-0{n + 1}-02",
               title="Blood pressure", component=bp) for n in range(2)],
        {"resourceType": "DocumentReference", "id": "ana-note", "status": "current",
         "type": {"text": "Progress note"}, "date": "2021-03-02T10:00:00Z",
         "subject": {"reference": f"Patient/{ANA}"},
         "content": [{"attachment": {"contentType": "text/plain; charset=utf-8",
                                     "data": _b64("Seen today.\nPotassium low; recheck.")}}]},
        {"resourceType": "DiagnosticReport", "id": "ana-report", "status": "final",
         "code": {"text": "History and physical note"}, "effectiveDateTime": "2021-03-02",
         "subject": {"reference": f"Patient/{ANA}"},
         "presentedForm": [{"contentType": "text/plain", "data": _b64("Well child.")}]},
    ]


@pytest.fixture(scope="module")
def ward(keyring_session, tmp_path_factory):
    root = tmp_path_factory.mktemp("ward") / "store"
    bundle = root.parent / "ward.json"
    bundle.write_bytes(orjson.dumps({"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": r} for r in ward_resources()]}))
    env, report = new_store(root, {"drlee": ("Dr Lee", "physician")}, [bundle])
    assert report.skipped == 0, report.errors
    return env, root


@pytest.fixture
def ward_ws(ward):
    station = open_workstation(*ward, "drlee", password_of("drlee"))
    yield station
    station.store.close()


def open_chart(qtbot, ws, background, patient_id) -> ChartView:
    chart = ChartView(ws, background, patient_id)
    qtbot.addWidget(chart)
    chart.resize(1200, 800)
    chart.show()
    qtbot.waitUntil(lambda: chart.summary is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)  # the visit bar's read too
    return chart


def store_counts(ws, patient_id) -> dict[str, int]:
    with ws.store.read() as conn:
        return dict(conn.execute(text(
            "SELECT section, count(*) FROM patient_compartment WHERE patient_id = :p "
            "GROUP BY section"), {"p": patient_id}).all())


def count_code(ws, patient_id, *codes) -> int:
    with ws.store.read() as conn:
        return conn.execute(text(
            "SELECT count(*) FROM patient_compartment WHERE patient_id = :p AND code IN "
            f"({', '.join(repr(c) for c in codes)})"), {"p": patient_id}).scalar_one()


def load_all(qtbot, model: SectionModel) -> None:
    while model.canFetchMore(QModelIndex()):
        with qtbot.waitSignal(model.loaded, timeout=WAIT):
            model.fetchMore(QModelIndex())


@pytest.mark.parametrize("family", ["Johnston", "Conn"])
def test_each_tab_shows_and_lists_what_the_store_holds(qtbot, clinic, ws, background, family):
    patient_id = clinic.patient_ids[family]
    chart = open_chart(qtbot, ws, background, patient_id)
    held = store_counts(ws, patient_id)
    for label, section in TABS:
        assert chart.tab_label(section) == f"{label} ({held.get(section, 0)})"
        chart.show_section(section)
        model = chart.records(section).model
        qtbot.waitUntil(lambda m=model: m.rowCount() == m.total, timeout=WAIT)
        assert model.rowCount() == held.get(section, 0)


def test_banner_shows_name_age_sex_mrn_and_no_allergies_recorded(qtbot, clinic, ws,
                                                                 background):
    chart = open_chart(qtbot, ws, background, clinic.patient_ids["Johnston"])
    today = date.today()
    age = today.year - 1975 - ((today.month, today.day) < (10, 12))
    assert chart.banner.name.text() == "Johnston, Chauncey"
    assert chart.banner.details.text() == (
        f"{age} y  ·  Male  ·  born 1975-10-12  ·  MRN f4673866-81fb-411a-8486-0c27f2a5b480")
    assert chart.banner.allergies.text().startswith("Allergies: none recorded")
    assert "NKA" not in chart.banner.allergies.text()
    assert chart.banner.allergies.tone is None


def test_tab_is_titled_with_the_patient_once_read(qtbot, clinic, ws, background):
    chart = ChartView(ws, background, clinic.patient_ids["Conn"])
    qtbot.addWidget(chart)
    with qtbot.waitSignal(chart.titled, timeout=WAIT) as titled:
        pass
    assert titled.args == ["Conn, Liz"]
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)  # the tabs' reads too


def test_recorded_allergies_are_red_and_mrn_falls_back_to_the_first_identifier(
        qtbot, ward_ws, background):
    chart = open_chart(qtbot, ward_ws, background, ANA)
    assert chart.banner.allergies.text() == "Allergies: Peanut (not checkable)"  # free text
    assert chart.banner.allergies.tone == "alert"
    assert theme.alert_color() in chart.banner.allergies.styleSheet()
    assert chart.banner.details.text().endswith("MRN A-1001")


def test_records_with_modifiers_hearth_does_not_understand_say_so(qtbot, ward_ws,
                                                                  background):
    chart = open_chart(qtbot, ward_ws, background, MODI)
    warning = f"⚠ This record carries a modifier Hearth does not understand: {NOT_TAKEN}."
    summary = chart.tabs["summary"].tables["active_medications"].model()
    listed = chart.records("medications").model
    chart.show_section("medications")
    qtbot.waitUntil(lambda: listed.rowCount() == 1, timeout=WAIT)
    for model in (summary, listed):
        title = model.index(0, 1)
        assert title.data() == f"Naproxen 220 mg  {warning}"
        assert title.data(Qt.ItemDataRole.ForegroundRole) == QColor(theme.alert_color())
    assert chart.banner.warning.isVisible()
    assert chart.banner.warning.text() == (
        f"⚠ This record carries a modifier Hearth does not understand: {UNCONFIRMED}.")
    assert chart.banner.warning.tone == "alert"


def test_nka_only_from_an_explicit_record(qtbot, ward_ws, background):
    chart = open_chart(qtbot, ward_ws, background, NOLA)
    assert chart.banner.allergies.text().startswith("Allergies: NKA")
    assert allergy_line([])[0].startswith("Allergies: none recorded")


def test_allergy_status_and_age_wording():
    item = ChartItem("AllergyIntolerance", "a", None, "Penicillin", "resolved", None, None)
    assert allergy_line([item]) == ("Allergies: Penicillin (resolved)", "alert")
    assert age_text({"birthDate": "2020-01-15"}, date(2021, 3, 1)) == "13 mo"
    assert age_text({"birthDate": "1950-06-01", "deceasedDateTime": "2020-05-31"}) == (
        "Died 2020-05-31, aged 69 y")


def test_vitals_plot_a_point_per_bp_and_heart_rate_observation(qtbot, clinic, ws, background,
                                                               ward_ws):
    for station, patient_id in ((ws, clinic.patient_ids["Johnston"]), (ward_ws, ANA)):
        chart = open_chart(qtbot, station, background, patient_id)
        vitals = chart.tabs["vitals"]
        with qtbot.waitSignal(vitals.plotted, timeout=WAIT):
            chart.show_section("vitals")
        bp = count_code(station, patient_id, "55284-4", "85354-9")
        assert bp > 0
        plot = vitals.plots["Blood pressure"]
        assert plot.point_count("Systolic") == plot.point_count("Diastolic") == bp
        heart_rates = count_code(station, patient_id, "8867-4")
        if heart_rates:
            assert vitals.plots["Heart rate"].point_count("Heart rate") == heart_rates
        else:
            assert "Heart rate" not in vitals.plots
            assert "Heart rate" in vitals.status.text()


def test_bp_plot_is_systolic_over_diastolic_whatever_the_component_order(ward_ws):
    series = Trends(ward_ws.store).series(ward_ws.session, ANA, ["8480-6", "8462-4"])
    assert [p.value for p in series["8480-6"]] == [120, 120]
    assert [p.value for p in series["8462-4"]] == [80, 80]


def test_lab_flags_are_words_in_the_alert_colour(qtbot, ward_ws, background):
    chart = open_chart(qtbot, ward_ws, background, ANA)
    chart.show_section("labs")
    model = chart.records("labs").model
    qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=WAIT)
    load_all(qtbot, model)
    flag = [c.field for c in COLUMNS["labs"]].index("flag")
    flags = {model.index(r, 0).data(ITEM_ROLE).id: model.index(r, flag) for r in
             range(model.rowCount())}
    assert (flags["k-2"].data(), flags["k-3"].data(), flags["k-1"].data()) == (
        "High", "Low", "")
    assert flags["k-2"].data(Qt.ItemDataRole.ForegroundRole) == QColor(theme.alert_color())
    assert flags["k-1"].data(Qt.ItemDataRole.ForegroundRole) is None


def test_synthea_labs_carry_no_flag_because_the_source_sent_none(qtbot, clinic, ws,
                                                                 background):
    chart = open_chart(qtbot, ws, background, clinic.patient_ids["Johnston"])
    chart.show_section("labs")
    model = chart.records("labs").model
    qtbot.waitUntil(lambda: model.rowCount() == model.total, timeout=WAIT)
    assert all(model.item(r).flag is None for r in range(model.rowCount()))


def test_selecting_a_lab_plots_every_result_of_that_test(qtbot, ward_ws, background):
    chart = open_chart(qtbot, ward_ws, background, ANA)
    labs = chart.show_section("labs")
    view = labs.records.table
    qtbot.waitUntil(lambda: view.model().rowCount() > 0, timeout=WAIT)
    row = next(r for r in range(view.model().rowCount())
               if view.model().item(r).title == "Potassium")
    with qtbot.waitSignal(labs.plotted, timeout=WAIT):
        view.selectRow(row)
    assert labs.plot.point_count("Potassium") == count_code(ward_ws, ANA, "2823-3") == 3
    assert labs.plot.heading.text() == "Potassium"
    assert labs.plot.latest.text() == "Latest 3.1 mmol/L on 2021-03-01  ·  3 results"


def test_sections_page_as_the_table_scrolls(qtbot, ward_ws, background):
    chart = open_chart(qtbot, ward_ws, background, ANA)
    chart.show_section("labs")
    model = chart.records("labs").model
    qtbot.waitUntil(lambda: model.rowCount() >= PAGE_SIZE, timeout=WAIT)
    assert model.total == LABS and model.canFetchMore(QModelIndex())
    chart.records("labs").table.scrollToBottom()  # Qt asks for the next page
    qtbot.waitUntil(lambda: model.rowCount() > PAGE_SIZE, timeout=WAIT)
    load_all(qtbot, model)
    assert model.rowCount() == LABS
    ids = [model.item(r).id for r in range(LABS)]
    assert len(set(ids)) == LABS


@pytest.mark.parametrize("section, item_id, words", [
    ("notes", "ana-note", "Potassium low; recheck."), ("reports", "ana-report", "Well child.")])
def test_selected_note_shows_its_decoded_text(qtbot, ward_ws, background, section, item_id,
                                              words):
    chart = open_chart(qtbot, ward_ws, background, ANA)
    notes = chart.show_section(section)
    view = notes.records.table
    qtbot.waitUntil(lambda: view.model().rowCount() == 1, timeout=WAIT)
    with qtbot.waitSignal(notes.opened, timeout=WAIT):
        view.selectRow(0)
    assert words in notes.text.toPlainText()


def test_notes_without_text_say_why():
    pdf = {"resourceType": "DocumentReference", "id": "d", "status": "current",
           "content": [{"attachment": {"contentType": "application/pdf", "data": "JVBE"}}]}
    panel = {"resourceType": "DiagnosticReport", "id": "r", "status": "final",
             "code": {"text": "Lipid Panel"}, "result": [{"reference": "Observation/a"}] * 4}
    assert note_of(pdf).text is None and "application/pdf" in note_of(pdf).why_no_text
    assert note_of(panel).why_no_text.startswith("No report text; it groups 4 results")


def test_html_notes_are_shown_as_words_never_rendered():
    note = {"resourceType": "DocumentReference", "id": "h", "status": "current",
            "content": [{"attachment": {"contentType": "text/html",
                                        "data": _b64("<p>BP &gt; 140<script>x()</script></p>")}}]}
    assert note_of(note).text == "BP > 140"


def test_a_note_is_read_only_from_its_own_patients_chart(ward_ws):
    with pytest.raises(NotFound, match="not in this patient's chart"):
        Trends(ward_ws.store).note(ward_ws.session, NOLA, "DocumentReference", "ana-note")
    with ward_ws.store.read() as conn:
        last = conn.execute(text("SELECT patient, detail FROM audit ORDER BY seq DESC LIMIT 1"),
                            ).one()
    assert tuple(last) == (NOLA, "note DocumentReference/ana-note")


def test_every_store_read_runs_off_the_ui_thread(qtbot, clinic, ws, background, monkeypatch):
    threads = []

    def spying(method):
        def spy(*args, **kwargs):
            threads.append(threading.current_thread())
            return method(*args, **kwargs)
        return spy

    monkeypatch.setattr(ws.store, "write", spying(ws.store.write))
    monkeypatch.setattr(ws.store, "read", spying(ws.store.read))
    chart = ChartView(ws, background, clinic.patient_ids["Johnston"])
    qtbot.addWidget(chart)
    chart.show()
    assert chart.summary is None  # the constructor returned before the read finished
    qtbot.waitUntil(lambda: chart.summary is not None, timeout=WAIT)
    vitals = chart.show_section("vitals")
    qtbot.waitUntil(lambda: bool(vitals.plots), timeout=WAIT)
    assert threads and threading.main_thread() not in threads


def test_opening_a_chart_audits_only_the_tabs_looked_at(qtbot, ward_ws, background):
    with ward_ws.store.read() as conn:
        before = conn.execute(text("SELECT max(seq) FROM audit")).scalar_one()
    chart = open_chart(qtbot, ward_ws, background, ANA)
    with qtbot.waitSignal(chart.records("labs").model.loaded, timeout=WAIT):
        chart.show_section("labs")
    chart.show_section("problems")  # none recorded: nothing to read
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    with ward_ws.store.read() as conn:
        details = conn.execute(text("SELECT detail FROM audit WHERE seq > :s AND patient = :p"),
                               {"s": before, "p": ANA}).scalars().all()
    # the visit bar, always on screen, asks whether a visit is in progress (a read too), and
    # the basket bar whether orders wait unsigned
    assert details == ["chart summary", "pended orders for review", "visit in progress: none",
                       "labs page 1"]


def shown_windows() -> set[QWidget]:
    return {w for w in QApplication.topLevelWidgets() if w.isVisible()}


def test_a_chart_closed_while_opening_drops_the_late_summary(qtbot, clinic, ws, background,
                                                            monkeypatch):
    events = []
    read = ws.chart.summary

    def slow_summary(*args):
        threading.Event().wait(0.2)  # the clinician closes the chart meanwhile
        summary = read(*args)
        events.append("summary read")
        return summary

    monkeypatch.setattr(ws.chart, "summary", slow_summary)
    before = shown_windows()
    chart = ChartView(ws, background, clinic.patient_ids["Conn"])
    chart.titled.connect(events.append)
    chart.destroyed.connect(lambda: events.append("chart closed"))
    chart.deleteLater()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    assert events == ["chart closed", "summary read"]  # never titled "Conn, Liz"
    assert shown_windows() - before == set()  # no chart, no error message


def test_a_page_arriving_after_the_tab_closed_is_dropped(qtbot, background):
    events = []

    def slow_page(page, size):
        threading.Event().wait(0.2)  # the tab is closed meanwhile
        events.append("page read")
        late = ChartItem("Observation", "k-late", "2021-03-01", "Potassium", "final", None, None)
        return SectionPage("labs", [late], 1, page, size)

    model = SectionModel(COLUMNS["labs"], 1, slow_page, background)
    model.loaded.connect(lambda: events.append("row shown"))
    model.failed.connect(lambda exc: events.append(f"error shown: {exc}"))
    model.destroyed.connect(lambda: events.append("tab closed"))
    model.activate()
    model.deleteLater()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    assert events == ["tab closed", "page read"]


def test_front_desk_is_told_why_the_chart_did_not_open(qtbot, clinic, background):
    desk = clinic.sign_in("frank")
    chart = ChartView(desk, background, clinic.patient_ids["Conn"])
    qtbot.addWidget(chart)
    with qtbot.waitSignal(chart.titled, timeout=WAIT) as titled:
        pass
    desk.store.close()
    assert titled.args == ["Chart not opened"]
    assert "may not read the clinical chart" in chart.message.text()
    assert chart.message.tone == "alert" and not chart.sections.isVisible()


def test_every_control_has_an_accessible_name(qtbot, ward_ws, background):
    chart = open_chart(qtbot, ward_ws, background, ANA)
    for section in ("summary", *(s for _, s in TABS)):
        chart.show_section(section)
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    kinds = (QAbstractItemView, QLabel, QPlainTextEdit, QGraphicsView, QTabWidget)
    unnamed = [w.metaObject().className() for w in chart.findChildren(QWidget)
               if isinstance(w, kinds) and not w.accessibleName()
               and not isinstance(w, QHeaderView)]
    assert unnamed == []


def test_banner_restyles_for_the_dark_scheme(qtbot, monkeypatch):
    banner = Banner()
    qtbot.addWidget(banner)
    item = ChartItem("AllergyIntolerance", "a", None, "Latex", "active", None, None)
    banner.show_patient({"id": "x"}, [item])
    monkeypatch.setattr(theme, "scheme", lambda: "dark")
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert theme.ALERT["dark"] in banner.allergies.styleSheet()
