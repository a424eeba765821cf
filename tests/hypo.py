"""Example counts for property tests under the Hypothesis profile in force (see conftest.py)."""

from __future__ import annotations

import os

SCALE = {"default": 0.12, "thorough": 4.0}.get(os.environ.get("COMMENTKIT_HYPOTHESIS", "default"), 1.0)


def examples(n: int) -> int:
    """``n`` examples as written for a normal run, scaled by the profile (at least 10)."""
    return max(10, int(n * SCALE))
