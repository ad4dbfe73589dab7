"""``rehearse report`` and ``rehearse export`` as a user runs them: a second process on the real
data folder; the files read back; mistakes answered with what to type instead."""

from __future__ import annotations

import csv
import io
import zipfile

from tests.fixtures_disk import read_only_mount  # noqa: F401 (fixture)
from tests.reports.test_reports import local_day, stored
from tests.test_cli import rehearse


def test_report_csv_for_a_competency_and_a_start_date(history, tmp_path):
    svc, _ids = history
    rows = stored(svc)
    since = local_day(rows[len(rows) // 2]["started_at"])
    competency = svc.bank.get(rows[-1]["question_id"]).competency
    want = [r["id"] for r in rows if local_day(r["started_at"]) >= since
            and svc.bank.get(r["question_id"]).competency == competency]
    out = tmp_path / "slice.csv"
    done = rehearse(svc.paths.root, "report", "--since", since.isoformat(), "--competency",
                    competency.lower(), "-o", str(out))
    assert done.stdout.startswith(f"Wrote {out} ({len(want)} attempt")
    got = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [int(r["id"]) for r in got] == want
    assert {r["competency"] for r in got} == {competency}


def test_report_mistakes_say_what_to_type(history, tmp_path):
    svc, _ids = history
    name = svc.bank.competencies()[0]
    typo = rehearse(svc.paths.root, "report", "--competency", name[:-1] + "x", "-o",
                    str(tmp_path / "r.pdf"), check=False)
    assert typo.returncode == 2 and f"Did you mean {name!r}?" in typo.stderr
    dates = rehearse(svc.paths.root, "report", "--since", "2026-12-01", "--until", "2026-11-01",
                     "-o", str(tmp_path / "r.pdf"), check=False)
    assert dates.returncode == 2 and "is after --until" in dates.stderr
    assert not (tmp_path / "r.pdf").exists()


def test_report_into_a_read_only_folder_fails_with_one_clear_line(history, tmp_path,
                                                                  read_only_mount):  # noqa: F811
    svc, _ids = history
    src = tmp_path / "src"
    src.mkdir()
    ro = read_only_mount(src)
    done = rehearse(svc.paths.root, "report", "-o", str(ro / "r.pdf"), check=False)
    assert done.returncode == 1
    assert "may not write in" in done.stderr and "Traceback" not in done.stderr
    assert list(src.iterdir()) == []


def test_export_one_attempt_as_a_bundle(history, tmp_path):
    svc, ids = history
    out = tmp_path / "one.zip"
    done = rehearse(svc.paths.root, "export", str(ids[0]), "-o", str(out))
    assert "This attempt has no recording." in done.stderr  # the factory's have none
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        txt = z.read(f"attempt-{ids[0]}.txt").decode()
    assert {f"attempt-{ids[0]}.{ext}" for ext in ("txt", "srt", "vtt", "json")} <= names
    assert svc.bank.get(svc.repo.get_attempt(ids[0]).question_id).text in txt
    missing = rehearse(svc.paths.root, "export", "99999", "-o", str(tmp_path / "x.zip"),
                       check=False)
    assert missing.returncode == 2 and "there is no attempt 99999" in missing.stderr
