"""Environment overrides, read at call time (never at import).

=================================== ==============================================================
variable                            effect
=================================== ==============================================================
``SYNPHYS_IBIS_CACHE_DIR``          where downloads, native DuckDB copies and DuckDB extensions live
                                    (default: the platform cache directory, ``pooch.os_cache``)
``SYNPHYS_IBIS_NATIVE_CACHE``       ``0`` queries the attached SQLite file directly instead of a
                                    one-time native DuckDB copy of its query tables (default ``1``)
``SYNPHYS_IBIS_OFFLINE``            ``1`` never touches the network
``SYNPHYS_IBIS_MANIFEST``           path or URL of a release manifest replacing the bundled one
``SYNPHYS_IBIS_PROGRESS``           ``0`` hides every progress bar (see :mod:`synphys_ibis.progress`)
``SYNPHYS_IBIS_QUICK_CHECK_MAX_GB`` files up to this size (GB, default 50) are structure-checked
                                    whole before they are kept; larger ones only in the tables queries
                                    read (``inf``: always whole)
=================================== ==============================================================
"""

from __future__ import annotations

import os
from pathlib import Path

from synphys_ibis.errors import InvalidArgumentError

__all__ = [
    "QUICK_CHECK_MAX_GB",
    "cache_dir",
    "env_flag",
    "manifest_location",
    "native_cache_enabled",
    "offline",
    "quick_check_max_bytes",
]

#: Default of ``SYNPHYS_IBIS_QUICK_CHECK_MAX_GB``: the medium release (11 GB) is checked whole,
#: the full one (270 GB, ~50 min of random reads when not in the page cache) in its query tables.
QUICK_CHECK_MAX_GB = 50.0

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_flag(name: str, *, default: bool) -> bool:
    """Read a boolean environment variable; an unrecognised value is an error, not a guess."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InvalidArgumentError.for_value(name, raw, sorted(_TRUE | (_FALSE - {""})))


def cache_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The cache directory: ``override``, else ``$SYNPHYS_IBIS_CACHE_DIR``, else the platform cache."""
    if override is not None:
        return Path(override).expanduser()
    from_env = os.environ.get("SYNPHYS_IBIS_CACHE_DIR")
    if from_env:
        return Path(from_env).expanduser()
    import pooch

    return Path(pooch.os_cache("synphys_ibis"))


def native_cache_enabled(override: bool | None = None) -> bool:
    """Whether SQLite releases are queried through a native DuckDB copy of their query tables."""
    if override is not None:
        return override
    return env_flag("SYNPHYS_IBIS_NATIVE_CACHE", default=True)


def offline() -> bool:
    """Whether ``SYNPHYS_IBIS_OFFLINE`` forbids network access."""
    return env_flag("SYNPHYS_IBIS_OFFLINE", default=False)


def manifest_location() -> str | None:
    """The release manifest named by ``SYNPHYS_IBIS_MANIFEST`` (a path or URL), or None."""
    value = os.environ.get("SYNPHYS_IBIS_MANIFEST", "").strip()
    return value or None


def quick_check_max_bytes() -> float:
    """Size above which a release's structure check covers only the tables queries read.

    From ``SYNPHYS_IBIS_QUICK_CHECK_MAX_GB`` (gigabytes, 10**9 bytes; ``inf`` for no limit),
    default :data:`QUICK_CHECK_MAX_GB`.

    Raises
    ------
    InvalidArgumentError
        If the variable is not a number >= 0.
    """
    raw = os.environ.get("SYNPHYS_IBIS_QUICK_CHECK_MAX_GB", "").strip()
    if not raw:
        return QUICK_CHECK_MAX_GB * 1e9
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not value >= 0:  # also refuses NaN
        raise InvalidArgumentError(
            f"SYNPHYS_IBIS_QUICK_CHECK_MAX_GB={raw!r} is not allowed; allowed values: a number of "
            f"gigabytes >= 0, or 'inf' (default {QUICK_CHECK_MAX_GB:g})."
        )
    return value * 1e9
