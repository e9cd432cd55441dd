"""Every on-disk format declares its version: an encoder whose output changes without a
new version would let a later run read a stale copy as current."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.formats import FORMATS, Format

RECORDED = json.loads((Path(__file__).parent / "data" / "formats.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_an_encoder_changes_only_with_its_version(fmt: Format) -> None:
    version, digest = RECORDED[fmt.name]
    if fmt.digest() != digest:
        assert fmt.version != version, (
            f"the {fmt.name} encoder's output changed but its version is still {version}: bump it"
        )
        pytest.fail(f"{fmt.name} is now version {fmt.version}: record `python -m bot.formats`")
    assert fmt.version == version, f"{fmt.name}: version {fmt.version} recorded as {version}"


def test_every_format_is_recorded() -> None:
    assert {f.name for f in FORMATS} == set(RECORDED)
    assert all(f.sample() for f in FORMATS)
