"""The offline demo release, opened through the compat layer (for notebooks and examples)."""

from __future__ import annotations

import os
from typing import Any

from synphys_ibis.compat.database import SynphysDatabase

__all__ = ["load_demo"]


def load_demo(
    *, n_experiments: int | None = None, cache: str | os.PathLike[str] | None = None
) -> SynphysDatabase:
    """:func:`synphys_ibis.demo.load_demo`, as a compat :class:`SynphysDatabase`.

    With a published release, aisynphys code opens it as before:
    ``SynphysDatabase.load_current('small')``.
    """
    from synphys_ibis import demo

    options: dict[str, Any] = {"n_experiments": n_experiments, "cache": cache}
    return SynphysDatabase.wrap(demo.load_demo(**options))
