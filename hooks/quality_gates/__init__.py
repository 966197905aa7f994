"""quality-gates: a project's quality policy, enforced on staged changes and in CI."""

from __future__ import annotations

__version__ = "0.1.0"
