"""The systemd units in deploy/ are valid (checked with systemd-analyze when present)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO

UNITS = sorted((REPO / "deploy").glob("*.service")) + sorted((REPO / "deploy").glob("*.timer"))


@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_unit_verifies(unit: Path, tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    # The paths of an installed bot, made real in a temporary folder.
    root = tmp_path / "srv"
    executable = root / "venv" / "bin" / "aigc-bot"
    executable.parent.mkdir(parents=True)
    executable.write_text("#!/bin/sh\nexit 0\n")
    executable.chmod(0o755)
    text = unit.read_text(encoding="utf-8").replace("/srv/aigc-bot", str(root))
    for other in UNITS:  # a timer verifies together with its service
        (tmp_path / other.name).write_text(
            other.read_text(encoding="utf-8").replace("/srv/aigc-bot", str(root))
        )
    (tmp_path / unit.name).write_text(text)
    proc = subprocess.run(
        [analyze, "verify", "--man=no", str(tmp_path / unit.name)], capture_output=True, text=True, timeout=60
    )
    output = (proc.stdout + proc.stderr).strip()
    # Any remark (an unknown key, a bad value, a missing executable) is a defect.
    assert proc.returncode == 0 and not output, output
