"""`aigc-bot index` on a knowledge folder of hostile documents beside the shipped articles.

    python bench/hostile_folder.py

The folder (tests/hostile.py): the five shipped articles; a PDF whose metadata has a
title; a Word document of 100,000 tiny paragraphs (slow: stopped at PARSE_CPU_SECONDS);
two DOCX zip bombs (80 MiB and 1 GiB text nodes); a PDF without a text layer, a
truncated one, garbage named .pdf and .docx; a YAML alias bomb; a binary .md; an HTML
page nested 200,000 deep. `index` runs on a fresh database, then again unchanged; each
run's wall time and its own peak RSS (the parse workers have their own limits) are
printed beside the issue's bars (60 s and 1 GiB; 10 s unchanged), with the report.
"""

from __future__ import annotations

import concurrent.futures
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.hostile import write_hostile_folder  # noqa: E402


def timed_index(env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MiB of the `index` process, and its report."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "index"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    report = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"index failed ({proc.returncode}):\n{report}")
    return time.monotonic() - started, usage.ru_maxrss / 1024, report


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "knowledge"
        # Made in a child process: the bench itself stays small, so the index process it
        # forks does not start with a gigabyte of the generator's pages in its peak RSS.
        with concurrent.futures.ProcessPoolExecutor(1) as child:
            expected = child.submit(write_hostile_folder, folder, REPO / "knowledge").result()
        env = {**os.environ, "KNOWLEDGE_DIR": str(folder), "DATABASE_PATH": str(Path(tmp) / "kb.sqlite3")}
        cold_s, cold_mib, report = timed_index(env)
        warm_s, warm_mib, _ = timed_index(env)
    print(report.rstrip())
    bad = sum(1 for why in expected.values() if why)
    named = sum(1 for name, why in expected.items() if why and f"skipped: {name}:" in report)
    print(f"\n{'run':<22} {'wall s':>8} {'bar s':>6} {'peak MiB':>9} {'bar MiB':>8}")
    print(f"{'index, fresh':<22} {cold_s:>8.1f} {60:>6} {cold_mib:>9.0f} {1024:>8}")
    print(f"{'index, unchanged':<22} {warm_s:>8.1f} {10:>6} {warm_mib:>9.0f} {1024:>8}")
    print(f"bad files named as skipped with a reason: {named} of {bad}")


if __name__ == "__main__":
    main()
