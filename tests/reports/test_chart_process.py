"""The chart process (a real spawned child): a chart's own error is the caller's, the process
stays; drawing after close falls back to this process."""

from __future__ import annotations

import pytest

from desktop_app.reports.chart_process import ChartProcess


def test_a_charts_own_error_reaches_the_caller_and_the_process_stays():
    charts = ChartProcess()
    try:
        with pytest.raises(KeyError):
            charts.rgba("no-such-chart", None, 400, 300)  # type: ignore[arg-type]
        assert charts.running  # not taken for a dead process
        charts.close()
        assert not charts.running
        with pytest.raises(KeyError):  # closed: drawn here, the same error
            charts.rgba("no-such-chart", None, 400, 300)  # type: ignore[arg-type]
        assert not charts.running
    finally:
        charts.close()
