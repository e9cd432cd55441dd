"""jieba, imported without `pkg_resources`.

jieba 0.42 opens its own data files through `pkg_resources` when it can import it, and by
path when it cannot: the same files either way. Importing `pkg_resources` costs ~0.1 s,
a fifth of the command line's start (`aigc-bot ask` runs once per batch of questions), so
jieba is imported here while that import is made to fail; every module takes jieba from
here. (Newer setuptools no longer ship `pkg_resources`, where this changes nothing.)
"""

from __future__ import annotations

import sys

_BLOCK = "pkg_resources" not in sys.modules
if _BLOCK:
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # `import` raises ImportError
try:
    import jieba
finally:
    if _BLOCK:
        del sys.modules["pkg_resources"]

__all__ = ["jieba"]
