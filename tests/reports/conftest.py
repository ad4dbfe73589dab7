"""A real data folder with a few weeks of scored attempts, made through the storage API."""

from __future__ import annotations

import pytest

from desktop_app.app import build_services
from desktop_app.paths import AppPaths, prompts_dir
from desktop_app.questions import QuestionBank
from tests.history_factory import analysis_pool, make_history


@pytest.fixture(scope="session")
def pool():
    """Real analyses of the spoken-answer fixtures (made once)."""
    return analysis_pool(QuestionBank.load([prompts_dir()]).questions)


@pytest.fixture(scope="module")
def history(tmp_path_factory, pool):
    """(services, attempt ids): 60 scored attempts over six weeks, oldest first."""
    paths = AppPaths(tmp_path_factory.mktemp("reports") / "data").ensure()
    svc = build_services(paths, with_audio=False)
    ids = make_history(svc.repo, svc.bank.questions, 60, weeks=6, pool=pool)
    yield svc, ids
    svc.repo.close()
