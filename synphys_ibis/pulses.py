"""The pulse-level workflow: averaged responses of synapses, and amplitude vs stimulus frequency.

Both analyses read the raw traces of a full release (``pulse_response.data``, one ``.npy`` array
per response) and are expressed once: the responses of each synapse come from one Ibis
expression (:func:`synphys_ibis.query.pulses.synapse_pulse_responses`), and the arrays are
decoded and reduced by one Python function per synapse, which the engine runs where the rows are
(:meth:`~synphys_ibis.engines.base.Engine.apply_in_groups`): on DuckDB (a native copy or a Parquet
dataset) in this process, streaming the responses synapse by synapse; on Spark on the executors
(``applyInArrow``), so no trace reaches the driver. The functions use only NumPy and PyArrow,
order each synapse's responses by id, and so give identical results on every engine.

What is computed, per response: the trace is cut to a window around the pulse onset
(``before`` seconds before it, ``after`` after it; responses whose trace does not cover it are
left out), and the mean of its pre-onset samples is subtracted (the baseline). Its *amplitude*
is the extreme after the onset: the maximum for an excitatory synapse, the minimum for an
inhibitory one (volts in current clamp).

* :func:`average_pulse_responses`: per synapse, the mean of its baseline-subtracted windows
  (``average``, a list of samples), how many responses it averages, and the amplitude of the
  average.
* :func:`pulse_amplitudes`: per synapse, induction frequency and pulse number (1-12), the mean
  amplitude of the responses: how the response to the n-th pulse of a train depends on the
  frequency of the train (short-term depression or facilitation).

Small and medium releases store no traces (``data`` is NULL): both results are then empty.

Examples
--------
>>> import tempfile, os
>>> from synphys_ibis import SynphysDatabase, synthetic
>>> from synphys_ibis.pulses import average_pulse_responses, pulse_amplitudes
>>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "full.sqlite"),
...                                n_experiments=4, size="full", sweeps_per_pair=2)
>>> with SynphysDatabase.load_sqlite(path) as db:
...     averages = average_pulse_responses(db)
...     by_frequency = pulse_amplitudes(db)
>>> averages.column_names
['pair_id', 'synapse_type', 'n_responses', 'amplitude', 'average']
>>> len(averages["average"][0]) == 500  # 5 ms before the onset + 20 ms after, at 20 kHz
True
>>> by_frequency.column_names
['pair_id', 'synapse_type', 'induction_frequency', 'pulse_number', 'n_responses', 'mean_amplitude']
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
import pyarrow as pa
from ibis.expr.types import Table as IbisTable

from synphys_ibis.errors import InvalidArgumentError
from synphys_ibis.query.pulses import ClampMode, PulseSynapseType, synapse_pulse_responses

__all__ = [
    "AMPLITUDE_SCHEMA",
    "AVERAGE_SCHEMA",
    "average_pulse_responses",
    "pulse_amplitudes",
]

#: The columns of :func:`average_pulse_responses`.
AVERAGE_SCHEMA = pa.schema(
    [
        ("pair_id", pa.int64()),
        ("synapse_type", pa.string()),
        ("n_responses", pa.int64()),
        ("amplitude", pa.float64()),
        ("average", pa.list_(pa.float64())),
    ]
)
#: The columns of :func:`pulse_amplitudes`.
AMPLITUDE_SCHEMA = pa.schema(
    [
        ("pair_id", pa.int64()),
        ("synapse_type", pa.string()),
        ("induction_frequency", pa.float64()),
        ("pulse_number", pa.int64()),
        ("n_responses", pa.int64()),
        ("mean_amplitude", pa.float64()),
    ]
)


class _Release(Protocol):
    """What the workflow uses of a ``SynphysDatabase``."""

    @property
    def catalog(self) -> Any: ...
    @property
    def engine(self) -> Any: ...


def average_pulse_responses(
    db: _Release,
    *,
    clamp_mode: ClampMode = "ic",
    synapse_type: PulseSynapseType | None = None,
    before: float = 0.005,
    after: float = 0.020,
    sample_rate: float = 20_000.0,
) -> pa.Table:
    """Per synapse, the average of its baseline-subtracted pulse responses (see the module doc).

    Parameters
    ----------
    db
        An open release with raw traces (a full-size release).
    clamp_mode
        ``'ic'`` (current clamp, default) or ``'vc'`` (voltage clamp).
    synapse_type
        ``'ex'`` or ``'in'`` for one sign only (default: both).
    before, after
        The window around the pulse onset, in seconds.
    sample_rate
        Samples per second of the traces (every published recording: 20 kHz); responses
        recorded at another rate are left out.

    Returns
    -------
    pyarrow.Table
        :data:`AVERAGE_SCHEMA`, one row per synapse with at least one response, by ``pair_id``.

    Raises
    ------
    InvalidArgumentError
        For an unknown clamp mode or synapse type, or a window that is not positive.
    """
    responses = _responses(db, clamp_mode, synapse_type, sample_rate)
    func = _averager(*_window(before, after, sample_rate))
    return _run(db, responses, func, AVERAGE_SCHEMA)


def pulse_amplitudes(
    db: _Release,
    *,
    clamp_mode: ClampMode = "ic",
    synapse_type: PulseSynapseType | None = None,
    before: float = 0.005,
    after: float = 0.020,
    sample_rate: float = 20_000.0,
) -> pa.Table:
    """Per synapse, frequency and pulse number, the mean response amplitude (see the module doc).

    Parameters are those of :func:`average_pulse_responses`.

    Returns
    -------
    pyarrow.Table
        :data:`AMPLITUDE_SCHEMA`, ordered by ``pair_id``, ``induction_frequency``,
        ``pulse_number``.

    Raises
    ------
    InvalidArgumentError
        As for :func:`average_pulse_responses`.
    """
    responses = _responses(db, clamp_mode, synapse_type, sample_rate)
    func = _amplitudes(*_window(before, after, sample_rate))
    return _run(db, responses, func, AMPLITUDE_SCHEMA)


def _responses(
    db: _Release,
    clamp_mode: ClampMode,
    synapse_type: PulseSynapseType | None,
    sample_rate: float,
) -> IbisTable:
    table = synapse_pulse_responses(
        db.catalog.table, clamp_mode=clamp_mode, synapse_type=synapse_type
    )
    return table.filter(table.data.notnull() & (table.sample_rate == sample_rate)).drop(
        "sample_rate"
    )


def _window(before: float, after: float, sample_rate: float) -> tuple[int, int]:
    for name, value in (("before", before), ("after", after), ("sample_rate", sample_rate)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            raise InvalidArgumentError(f"{name}={value!r} is not allowed; it must be > 0")
    return round(before * sample_rate), round(after * sample_rate)


def _run(db: _Release, responses: IbisTable, func: Any, schema: pa.Schema) -> pa.Table:
    result = db.engine.apply_in_groups(responses, "pair_id", func, schema)
    keys = [
        name for name in ("pair_id", "induction_frequency", "pulse_number") if name in schema.names
    ]
    return result.sort_by([(k, "ascending") for k in keys]).cast(schema)


# -- what runs on the workers: NumPy and PyArrow only ----------------------------------------------
def _windows(group: pa.Table, before: int, after: int) -> tuple[np.ndarray, np.ndarray, str]:
    """The baseline-subtracted windows of a synapse's responses (rows in id order), the indices
    of the rows they come from, and the synapse type."""
    order = np.argsort(np.asarray(group.column("pulse_response_id")), kind="stable")
    data = group.column("data").to_pylist()
    onsets = group.column("onset_sample").to_pylist()
    rows, windows = [], []
    for i in order.tolist():
        blob, onset = data[i], onsets[i]
        if not blob or onset is None or onset < before:
            continue
        trace = np.load(io.BytesIO(blob), allow_pickle=False).astype(np.float64)
        if trace.ndim != 1 or onset + after > len(trace):
            continue
        window = trace[onset - before : onset + after]
        windows.append(window - window[:before].mean())
        rows.append(i)
    kind = str(group.column("synapse_type")[0].as_py()) if group.num_rows else ""
    stacked = np.stack(windows) if windows else np.empty((0, before + after))
    return stacked, np.asarray(rows, dtype=np.int64), kind


def _peak(values: np.ndarray, kind: str) -> np.ndarray:
    """The extreme after onset along the last axis: max for 'ex', min for 'in'."""
    return values.min(axis=-1) if kind == "in" else values.max(axis=-1)


def _averager(before: int, after: int) -> Callable[[pa.Table], pa.Table]:
    def average(group: pa.Table) -> pa.Table:
        windows, _, kind = _windows(group, before, after)
        if not len(windows):
            return AVERAGE_SCHEMA.empty_table()
        mean = windows.mean(axis=0)
        return pa.table(
            {
                "pair_id": [group.column("pair_id")[0].as_py()],
                "synapse_type": [kind],
                "n_responses": [len(windows)],
                "amplitude": [float(_peak(mean[before:], kind))],
                "average": [mean.tolist()],
            },
            schema=AVERAGE_SCHEMA,
        )

    return average


def _amplitudes(before: int, after: int) -> Callable[[pa.Table], pa.Table]:
    def amplitudes(group: pa.Table) -> pa.Table:
        windows, rows, kind = _windows(group, before, after)
        if not len(windows):
            return AMPLITUDE_SCHEMA.empty_table()
        peaks = _peak(windows[:, before:], kind)
        freq = np.asarray(group.column("induction_frequency").to_pylist(), dtype=np.float64)[rows]
        number = np.asarray(group.column("pulse_number").to_pylist(), dtype=np.int64)[rows]
        keys = np.unique(np.stack([freq, number.astype(np.float64)], axis=1), axis=0)
        out: dict[str, list[Any]] = {name: [] for name in AMPLITUDE_SCHEMA.names}
        for f, n in keys.tolist():
            chosen = peaks[(freq == f) & (number == int(n))]
            out["pair_id"].append(group.column("pair_id")[0].as_py())
            out["synapse_type"].append(kind)
            out["induction_frequency"].append(f)
            out["pulse_number"].append(int(n))
            out["n_responses"].append(len(chosen))
            out["mean_amplitude"].append(float(chosen.mean()))
        return pa.table(out, schema=AMPLITUDE_SCHEMA)

    return amplitudes
