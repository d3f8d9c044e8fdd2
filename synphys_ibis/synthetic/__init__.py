"""Deterministic synthetic synphys releases with exactly the published schema.

:func:`write_release` creates an SQLite file from the published DDL of a schema version (every
table, column and index) and fills it with realistic, reproducible values: slices, experiments,
cells with cre lines, layers, morphology, transcriptomics and intrinsic features, every ordered
cell pair of each experiment, synapses, short-term dynamics, model fits and gap junctions. The
values are stored with the on-disk encodings of the published files (booleans as 0/1, DATETIME as
text, missing JSON as the text ``'null'``, missing arrays as an empty blob), so code that reads a
synthetic release reads a published one the same way.

``size`` picks which of the published bakes the file imitates. A ``"small"`` release (the default)
leaves the tables of raw recordings (``recording``, ``pulse_response``, ``stim_pulse`` ...) empty, as
the published small files do. ``"medium"`` and ``"full"`` fill them, experiment by experiment:
sweeps (``sync_rec``) of pulse trains in which every electrode stimulates in turn while the others
record (``recording``, ``patch_clamp_recording``, ``test_pulse``, ``multi_patch_probe``), 12 pulses
per train (``stim_pulse``, ``stim_spike``), every ordered pair's response to every pulse
(``pulse_response``, ``pulse_response_fit``, ``pulse_response_strength``) and quiet windows
(``baseline``), plus ``TargetV`` gap-junction sweeps in about half of the experiments. Responses
follow the pair's synapse (sign, amplitude, kinetics, short-term plasticity); pairs without one
record noise. A medium release leaves the ``data`` and ``meta`` columns of ``pulse_response``,
``baseline`` and ``stim_pulse`` NULL, as the published medium files do; a full release stores
there the 25 ms ``float32`` traces (20 kHz) as ``.npy`` bytes. The other tables are the same in
every size. ``fan_out=True`` gives some keys of the one-to-many child tables
(``intrinsic``, ``cortical_cell_location``, ``synapse``, ``synapse_prediction``,
``resting_state_fit``, ``conductance``) two rows, which the schema allows but the published files
avoid, to test how queries behave when a join multiplies rows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import pathlib
import re
import uuid
from typing import Any, Literal, get_args

import numpy as np

from synphys_ibis.errors import InvalidArgumentError
from synphys_ibis.schema import available_schema_versions
from synphys_ibis.synthetic._raw import _RawOptions
from synphys_ibis.synthetic._tables import _release
from synphys_ibis.synthetic._versions import adapt_to_version
from synphys_ibis.synthetic._writer import _write

__all__ = ["PUBLISHED_SMALL_EXPERIMENTS", "ReleaseSize", "release_summary", "write_release"]

#: The published bakes: "small" without raw recordings, "medium" with them but without their
#: traces, "full" with everything.
ReleaseSize = Literal["small", "medium", "full"]

#: ``n_experiments`` that gives about as many pairs (~93,000, ~89 % mouse) as the published small
#: release (82,818 mouse + 10,400 human pairs).
PUBLISHED_SMALL_EXPERIMENTS = 2900

_ORIGIN = "Allen Institute for Brain Science / Synaptic Physiology"


def write_release(
    path: str | os.PathLike[str],
    *,
    n_experiments: int = 60,
    seed: int = 0,
    schema_version: str = "22",
    fan_out: bool = False,
    overwrite: bool = False,
    creation_date: str = "2024-05-07",
    size: ReleaseSize = "small",
    sweeps_per_pair: int = 8,
) -> pathlib.Path:
    """Write a synthetic synphys release to ``path``.

    The file has exactly the tables, columns and indexes of the published ``schema_version``;
    its content depends only on the arguments, so the same arguments give a byte-identical file.
    It is written under a temporary name in the same directory and renamed into place only when
    complete.

    Parameters
    ----------
    path
        Destination SQLite file. Its directory must exist.
    n_experiments
        Number of multipatch experiments; each has 2-8 cells and every ordered pair of them.
        :data:`PUBLISHED_SMALL_EXPERIMENTS` gives the size of the published small release.
    seed
        Seed of the random generator.
    schema_version
        Published schema version whose DDL is used. The same seed gives the same data in every
        version, stored where and as that version stores it (see
        :mod:`synphys_ibis.synthetic._versions`); tables and columns a version lacks are left
        out, columns the generator does not know stay NULL. The DDL is that of the version's
        published files (with boolean CHECK constraints for 15, 16 and 18).
    fan_out
        Give ~10 % of the keys of the one-to-many child tables two rows (never for tables with a
        unique key). Published releases have at most one row per key.
    overwrite
        Replace an existing file at ``path``.
    creation_date
        ``YYYY-MM-DD`` stored in the ``metadata`` row.
    size
        ``"small"`` (raw-recording tables empty; the same file as before this option existed),
        ``"medium"`` (raw recordings without the ``data``/``meta`` of ``pulse_response``,
        ``baseline`` and ``stim_pulse``) or ``"full"`` (with those traces). Every table other
        than the raw-recording ones is the same in every size.
    sweeps_per_pair
        Pulse-train sweeps per experiment in medium and full releases (ignored for small): each
        gives every ordered pair of the experiment 12 pulse responses, so the default gives 96
        per pair. Rows and bytes of the raw tables grow linearly with it: a full release takes
        about 5.8 kB of file per pulse response, a medium one 0.8 kB (18.8 MB and 2.5 MB per
        experiment at the default; ``benchmarks/synthetic_sizes.py`` measures them).

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    InvalidArgumentError
        If an argument has a value that is not allowed.
    FileExistsError
        If ``path`` exists and ``overwrite`` is false.

    Examples
    --------
    >>> import pathlib, shutil, tempfile
    >>> from synphys_ibis.synthetic import release_summary, write_release
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> path = write_release(tmp / "tiny.sqlite", n_experiments=3, seed=1)
    >>> path.name
    'tiny.sqlite'
    >>> counts = release_summary(path)
    >>> counts["metadata"], counts["experiment"], counts["electrode"]
    (1, 3, 24)
    >>> counts["pair"] > 0
    True

    A medium release of the same arguments has the same pairs and their pulse responses:

    >>> medium = write_release(tmp / "medium.sqlite", n_experiments=3, seed=1, size="medium",
    ...                        sweeps_per_pair=2)
    >>> raw = release_summary(medium)
    >>> raw["pair"] == counts["pair"], raw["pulse_response"] == 2 * 12 * counts["pair"]
    (True, True)
    >>> shutil.rmtree(tmp)
    """
    version = _validate(n_experiments, seed, schema_version, creation_date)
    raw = _validate_size(size, sweeps_per_pair)
    target = pathlib.Path(path)
    if target.exists() and not overwrite:
        raise FileExistsError(f"{str(target)!r} exists; pass overwrite=True to replace it")
    if not target.parent.is_dir():
        raise FileNotFoundError(f"directory {str(target.parent)!r} does not exist")
    tmp = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
    try:
        meta = {"db_version": version, "creation_date": creation_date, "origin": _ORIGIN}
        tables = adapt_to_version(version, _release(n_experiments, seed, fan_out=fan_out, raw=raw))
        _write(tmp, version, meta, tables, indexes_last=raw is not None)
        if target.exists() and not overwrite:
            raise FileExistsError(f"{str(target)!r} exists; pass overwrite=True to replace it")
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def release_summary(path: str | os.PathLike[str]) -> dict[str, int]:
    """Count the rows of every table of an SQLite release.

    Parameters
    ----------
    path
        An SQLite file, opened read-only.

    Returns
    -------
    dict[str, int]
        Table name -> row count, in the order the tables were created.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.

    Examples
    --------
    >>> import pathlib, shutil, tempfile
    >>> from synphys_ibis.synthetic import release_summary, write_release
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> summary = release_summary(write_release(tmp / "r.sqlite", n_experiments=2))
    >>> list(summary)[:3], summary["pulse_response"]
    (['metadata', 'pipeline', 'slice'], 0)
    >>> shutil.rmtree(tmp)
    """
    file = pathlib.Path(path).resolve()
    if not file.is_file():
        raise FileNotFoundError(f"no SQLite file at {str(file)!r}")
    from synphys_ibis.engines.sqlite import connect_readonly  # creates no -wal/-shm beside it

    with contextlib.closing(connect_readonly(file)) as con:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


# --------------------------------------------------------------------------- validation


def _validate(n_experiments: Any, seed: Any, schema_version: Any, creation_date: Any) -> str:
    """Check the arguments of :func:`write_release`; return the schema version as text."""
    for name, value, low in (("n_experiments", n_experiments, 1), ("seed", seed, 0)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
            raise InvalidArgumentError(
                f"{name}={value!r} is not allowed; allowed values: an integer >= {low}."
            )
    known = available_schema_versions()
    version = str(schema_version) if isinstance(schema_version, str | int) else schema_version
    if version not in known:
        raise InvalidArgumentError.for_value("schema_version", schema_version, known)
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", creation_date):
            raise ValueError(creation_date)
        dt.date.fromisoformat(creation_date)
    except (TypeError, ValueError) as err:
        raise InvalidArgumentError(
            f"creation_date={creation_date!r} is not allowed; allowed values: a date 'YYYY-MM-DD'."
        ) from err
    return str(version)


def _validate_size(size: Any, sweeps_per_pair: Any) -> _RawOptions | None:
    """Check ``size`` and ``sweeps_per_pair``; the raw-table options (None for small)."""
    sizes = list(get_args(ReleaseSize))
    if not isinstance(size, str) or size not in sizes:
        raise InvalidArgumentError.for_value("size", size, sizes)
    value = sweeps_per_pair
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise InvalidArgumentError(
            f"sweeps_per_pair={value!r} is not allowed; allowed values: an integer >= 1."
        )
    return None if size == "small" else _RawOptions(full=size == "full", sweeps=int(value))
