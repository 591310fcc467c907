"""A page pasted into the patient search is answered at once with what a search takes."""

from app.ui.patients.view import PatientsView


def test_a_pasted_page_shows_the_sentence_and_no_patients(qtbot, ws, background):
    view = PatientsView(ws, background)
    qtbot.addWidget(view)
    view.show()

    view.field.setText(" ".join(f"word{n}" for n in range(16_000)))

    qtbot.waitUntil(lambda: view.message.text().startswith("Missing or invalid input: Search "
                                                           "takes up to 10 words"), timeout=5000)
    typed = view.field.text().strip()  # as much as the field holds (Qt: 32,767 characters)
    assert (f"this search has {len(typed.split()):,} words and {len(typed):,} characters"
            in view.message.text())
    assert view.model.rowCount() == 0
