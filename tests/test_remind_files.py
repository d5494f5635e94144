"""A 催办通知 is numbered in the office's file only if its file was written (issue 23, item 6).

The failures are real: a process whose files may not grow past a size (as on a full disk, the write fails
with EFBIG), and a notice's file name already taken by a folder (as by a file WPS holds open on Windows).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from conftest import one_line_error
from fazhi_cli.dates import CHINA

OFFICE = "区法制办"
REMIND = ["remind", "--as", OFFICE, "--as-of", "2017-03-15"]


def fazhi(home: Path, *args: str, fsize: int | None = None) -> subprocess.CompletedProcess:
    def limit() -> None:
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    env = {**os.environ, "FAZHI_HOME": str(home), "FAZHI_USER": "督办员"}
    return subprocess.run([sys.executable, "-m", "fazhi_cli", *map(str, args)], capture_output=True, text=True,
                          env=env, preexec_fn=limit, timeout=120)


def reminders(home: Path) -> list[str]:
    path = home / "progress" / f"{OFFICE}.jsonl"
    return [ln for ln in path.read_text(encoding="utf-8").splitlines() if '"remind"' in ln] if path.exists() else []


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") or p.name.endswith(".tmp"))


def test_a_notice_that_cannot_be_written_is_not_numbered(tmp_path):
    home, out = tmp_path / "data", tmp_path / "催办"
    out.mkdir()
    # one unit's notice (about 800 bytes) cannot be written; its one record (about 370 bytes) could
    r = fazhi(home, *REMIND, "--unit", "区编办", "--output", out, fsize=600)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "催办" in one_line_error(r) or str(out) in one_line_error(r)
    assert reminders(home) == []
    assert list(out.iterdir()) == []


def test_a_name_taken_by_a_folder_numbers_nothing_and_leaves_nothing(tmp_path):
    home, out = tmp_path / "data", tmp_path / "催办"
    out.mkdir()
    order = json.loads(fazhi(home, *REMIND, "--dry-run", "-f", "json").stdout)["notices"]
    # the real run numbers them 1号, 2号, ... in this order: the second's name is taken by a folder
    year = datetime.now(CHINA).year
    taken = out / f"番法治督办〔{year}〕2号 {order[1]['unit']}.txt"
    taken.mkdir()
    r = fazhi(home, *REMIND, "--output", out)
    assert r.returncode == 1, r.stdout + r.stderr
    assert taken.name in one_line_error(r)
    assert reminders(home) == []
    assert [p.name for p in out.iterdir()] == [taken.name] and taken.is_dir()


def test_written_notices_are_numbered_and_nothing_is_left_aside(tmp_path):
    home, out = tmp_path / "data", tmp_path / "催办"
    out.mkdir()
    r = fazhi(home, *REMIND, "--output", out)
    assert r.returncode == 0, r.stderr
    texts, words = sorted(out.glob("*.txt")), sorted(out.glob("*.docx"))
    assert len(texts) == len(words) == len(reminders(home)) > 30          # each notice as text and as Word
    assert [p.stem for p in texts] == [p.stem for p in words]
    assert leftovers(out) == []
    assert all(p.read_bytes().startswith(b"\xef\xbb\xbf") for p in texts)
