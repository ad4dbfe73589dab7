"""One round exported from History's round entry (offscreen Qt, real services and SQLite):
as a PDF read back with pdftotext, as JSON, and a folder that cannot be written says so."""

from __future__ import annotations

import json

from tests.reports.test_reports import need, pdf_text
from tests.session.round_factory import finished_round


def test_a_round_exports_from_history_as_pdf_and_json(services, make_window, qtbot, tmp_path):
    need("pdftotext")
    round_id, report = finished_round(services.repo, services.bank)
    w = make_window(services, load_model=False)
    rl = w.rounds_list
    assert rl.round_ids() == [round_id] and not rl.export_button.isEnabled()
    rl.list.setCurrentRow(0)
    assert rl.export_button.isEnabled()

    with qtbot.waitSignal(rl.exporter.exported, timeout=20000) as got:
        assert rl.export_round(round_id, tmp_path / "round.pdf")
    assert got.args == [str(tmp_path / "round.pdf")] and "Exported to" in rl.banner.text()
    text = " ".join(pdf_text(tmp_path / "round.pdf").split())
    assert "Mock interview round —" in text and "Three things to work on" in text
    for item in report.items:
        assert " ".join(item.question.split())[:35] in text

    with qtbot.waitSignal(rl.exporter.exported, timeout=20000):
        rl.export_round(round_id, tmp_path / "round.json")
    data = json.loads((tmp_path / "round.json").read_text())
    assert data["round_id"] == round_id and data["overall"] == report.overall
    assert [i["question_id"] for i in data["items"]] == [i.question_id for i in report.items]

    with qtbot.waitSignal(rl.exporter.export_failed, timeout=20000) as bad:
        rl.export_round(round_id, tmp_path / "missing" / "round.pdf")
    assert "Could not export the round" in bad.args[0]
    assert rl.banner.text().startswith("Could not export the round")
