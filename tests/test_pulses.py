"""The pulse-level workflow on a small full-size release: the same results on every engine, and
the same as an independent computation from the SQLite file with NumPy."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from synphys_ibis import SynphysDatabase
from synphys_ibis.engines.grouped import apply_locally
from synphys_ibis.errors import InvalidArgumentError
from synphys_ibis.pulses import (
    AMPLITUDE_SCHEMA,
    AVERAGE_SCHEMA,
    average_pulse_responses,
    pulse_amplitudes,
)


@pytest.fixture(scope="module")
def engines(full_release: Path, parquet_export: Any) -> Iterator[dict[str, SynphysDatabase]]:
    opened = {
        "duckdb-native": SynphysDatabase.load_sqlite(full_release),
        "duckdb-sqlite": SynphysDatabase.load_sqlite(full_release, native_cache=False),
        "duckdb-parquet": SynphysDatabase.load_parquet(parquet_export(full_release)),
    }
    yield opened
    for db in opened.values():
        db.close()


def test_every_engine_gives_identical_results(engines: dict[str, SynphysDatabase]) -> None:
    results = {
        name: (average_pulse_responses(db), pulse_amplitudes(db)) for name, db in engines.items()
    }
    averages, amplitudes = results["duckdb-native"]
    assert averages.schema == AVERAGE_SCHEMA and amplitudes.schema == AMPLITUDE_SCHEMA
    assert averages.num_rows > 3 and amplitudes.num_rows > averages.num_rows
    assert set(averages.column("synapse_type").to_pylist()) == {"ex", "in"}
    for name, (a, b) in results.items():
        assert a.equals(averages) and b.equals(amplitudes), name


def reference_windows(path: Path, pair_id: int, before: int, after: int) -> np.ndarray:
    """The baseline-subtracted windows of a pair's QC-passed current-clamp responses, in id
    order, straight from SQLite."""
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    rows = con.execute(
        """
        SELECT pr.data, sp.onset_time, pr.data_start_time, r.sample_rate, s.synapse_type,
               pr.ex_qc_pass, pr.in_qc_pass
        FROM pulse_response pr
        JOIN synapse s ON s.pair_id = pr.pair_id
        JOIN patch_clamp_recording pcr ON pcr.recording_id = pr.recording_id
        JOIN multi_patch_probe mpp ON mpp.patch_clamp_recording_id = pcr.id
        JOIN recording r ON r.id = pr.recording_id
        JOIN stim_pulse sp ON sp.id = pr.stim_pulse_id
        WHERE pr.pair_id = ? AND pcr.clamp_mode = 'ic' AND mpp.induction_frequency IS NOT NULL
        ORDER BY pr.id
        """,
        (pair_id,),
    ).fetchall()
    con.close()
    windows = []
    for data, onset_time, start, rate, kind, ex_qc, in_qc in rows:
        if not data or not (ex_qc if kind == "ex" else in_qc):
            continue
        trace = np.load(io.BytesIO(data)).astype(np.float64)
        onset = round((onset_time - start) * rate)
        window = trace[onset - before : onset + after]
        windows.append(window - window[:before].mean())
    return np.stack(windows)


def test_the_average_is_that_of_the_decoded_traces(
    engines: dict[str, SynphysDatabase], full_release: Path
) -> None:
    averages = average_pulse_responses(engines["duckdb-native"]).to_pylist()
    for row in averages[:3]:
        windows = reference_windows(full_release, row["pair_id"], 100, 400)
        assert row["n_responses"] == len(windows)
        np.testing.assert_allclose(row["average"], windows.mean(axis=0), rtol=1e-12, atol=1e-15)
        mean = windows.mean(axis=0)[100:]
        assert row["amplitude"] == pytest.approx(mean.min() if row["synapse_type"] == "in"
                                                 else mean.max())  # fmt: skip


def test_amplitude_vs_frequency_counts_every_response(
    engines: dict[str, SynphysDatabase],
) -> None:
    db = engines["duckdb-parquet"]
    averages = average_pulse_responses(db, synapse_type="ex")
    amplitudes = pulse_amplitudes(db, synapse_type="ex")
    assert set(averages.column("synapse_type").to_pylist()) == {"ex"}
    per_pair: dict[int, int] = {}
    for row in amplitudes.to_pylist():
        assert 1 <= row["pulse_number"] <= 12 and row["induction_frequency"] > 0
        per_pair[row["pair_id"]] = per_pair.get(row["pair_id"], 0) + row["n_responses"]
    assert per_pair == dict(
        zip(averages["pair_id"].to_pylist(), averages["n_responses"].to_pylist(), strict=True)
    )


def test_a_release_without_traces_gives_empty_results(release: Path, parquet_export: Any) -> None:
    with SynphysDatabase.load_parquet(parquet_export(release)) as db:
        assert average_pulse_responses(db).num_rows == 0
        assert pulse_amplitudes(db).schema == AMPLITUDE_SCHEMA


def test_arguments_are_checked(engines: dict[str, SynphysDatabase]) -> None:
    db = engines["duckdb-native"]
    with pytest.raises(InvalidArgumentError, match="clamp_mode"):
        average_pulse_responses(db, clamp_mode="cc")
    with pytest.raises(InvalidArgumentError, match="synapse_type"):
        pulse_amplitudes(db, synapse_type="exc")
    with pytest.raises(InvalidArgumentError, match="before"):
        average_pulse_responses(db, before=0)


def test_local_groups_span_batches(engines: dict[str, SynphysDatabase]) -> None:
    """Groups are whole however the rows are batched (a group may cross several batches)."""
    table = engines["duckdb-native"].table("pulse_response").select("pair_id", "id")
    schema = pa.schema([("pair_id", pa.int64()), ("n", pa.int64())])

    def count(group: pa.Table) -> pa.Table:
        return pa.table({"pair_id": [group["pair_id"][0].as_py()], "n": [group.num_rows]})

    expected = apply_locally(table, "pair_id", count, schema)
    small = apply_locally(table, "pair_id", count, schema, batch_rows=7)
    assert small.equals(expected)
    assert len(set(expected["pair_id"].to_pylist())) == expected.num_rows > 10
    assert sum(expected["n"].to_pylist()) == table.count().to_pyarrow().as_py()


def test_docstring_examples_run() -> None:
    import doctest

    import synphys_ibis.pulses

    result = doctest.testmod(synphys_ibis.pulses, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
