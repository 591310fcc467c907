from app.clinical.safety.packs import NO_PACK, PackStatus
from app.ui.chart.knowledge_banner import KnowledgeBanner


def test_a_missing_pack_is_said_in_red_and_a_sound_one_hides_the_banner(qtbot):
    banner = KnowledgeBanner(PackStatus("missing", NO_PACK, False))
    qtbot.addWidget(banner)
    assert not banner.isHidden() and banner.tone == "alert"
    assert "No medication safety pack is installed" in banner.text()
    banner.show_status(PackStatus("ok", None, True))
    assert banner.isHidden()
