"""Fuzzing the query arguments: every input either raises a SynphysError or gives the right rows.

Seeded (``derandomize=True``) and bounded, so a run is reproducible and takes seconds. Values mix
the types users pass by mistake (huge ints, NaN and infinities, text with NUL characters, quotes
and SQL, lists, dicts, tuples of the wrong length, ...). Where the filter is simple (species, age
and distance bounds, cre-type criteria), the pair count is checked against plain SQL over
sqlite3 on the same file; elsewhere the query must run.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from ibis import _

from synphys_ibis import CellClass, SynphysDatabase
from synphys_ibis.errors import SynphysError
from tests.conftest import ENGINES, open_engine

FUZZ = settings(
    derandomize=True,
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

#: DuckDB always; PostgreSQL too when the suite has a server (a few seconds more)
FUZZ_ENGINES = ["duckdb-native", *(["postgres"] if "postgres" in ENGINES else [])]


@pytest.fixture(scope="module", params=FUZZ_ENGINES)
def fuzz_db(request: pytest.FixtureRequest, release: Path) -> Iterator[SynphysDatabase]:
    database = open_engine(request.param, release, request)
    yield database
    database.close()


# -- values ---------------------------------------------------------------------------------------
def mostly(
    valid: st.SearchStrategy[Any], invalid: st.SearchStrategy[Any]
) -> st.SearchStrategy[Any]:
    """Draw from ``valid`` four times in five, so that combined arguments are often all valid."""
    return st.sampled_from([True, True, True, True, False]).flatmap(
        lambda ok: valid if ok else invalid
    )


def ordered(pair: tuple[Any, Any]) -> tuple[Any, Any]:
    """A (min, max) with min <= max where both are given."""
    low, high = pair
    return (high, low) if low is not None and high is not None and low > high else (low, high)


huge_ints = st.sampled_from([2**63, -(2**63) - 1, 2**64, 10**400, -(10**400), 10**5000])
numbers = st.one_of(
    st.integers(min_value=-1000, max_value=1000),
    st.floats(allow_nan=True, allow_infinity=True),
    huge_ints,
)
nasty_text = st.one_of(
    st.text(alphabet=st.sampled_from(list("ab'\";-\x00 %_\\é")), max_size=8),
    st.sampled_from(["mouse' OR '1'='1", "x'; DROP TABLE pair; --", "\x00", "NULL", ""]),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, nasty_text)
junk = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.tuples(scalars),
    st.tuples(scalars, scalars, scalars),
    st.dictionaries(st.text(max_size=3), scalars, max_size=2),
)
plain_bounds = st.one_of(st.none(), st.integers(0, 100), st.floats(0, 200e-6))
bounds = mostly(
    st.one_of(
        st.none(),
        st.tuples(plain_bounds, plain_bounds).map(ordered),
    ),
    st.one_of(
        st.tuples(plain_bounds, plain_bounds),
        st.tuples(st.one_of(st.none(), numbers), st.one_of(st.none(), numbers)),
        st.lists(st.one_of(st.none(), numbers), min_size=2, max_size=2),
        junk,
    ),
)


def real_or(values: list[Any]) -> st.SearchStrategy[Any]:
    """Mostly the real values of an argument, sometimes junk."""
    return mostly(st.sampled_from(values), junk)


# -- the independent answer -----------------------------------------------------------------------
def _sql_bound(bound: Any, low: bool) -> float | None:
    """A bound as the documented semantics define it: None or an infinity on its side is none."""
    if bound is None or (math.isinf(bound) and (bound < 0) == low):
        return None
    return float(bound)


def expected_count(
    ref: sqlite3.Connection, species: Any, age: Any, distance: Any, cre_types: Any = None
) -> int:
    sql = [
        "SELECT COUNT(*) FROM pair JOIN cell pre ON pre.id = pair.pre_cell_id",
        "JOIN cell post ON post.id = pair.post_cell_id",
        "JOIN experiment ON experiment.id = pair.experiment_id",
        "LEFT JOIN slice ON slice.id = experiment.slice_id WHERE 1",
    ]
    params: list[Any] = []
    if species is not None:
        sql.append("AND slice.species = ?")
        params.append(species)
    for column, pair in (("slice.age", age), ("pair.distance", distance)):
        if pair is None:
            continue
        for bound, op, low in ((pair[0], ">=", True), (pair[1], "<=", False)):
            value = _sql_bound(bound, low)
            if value is not None:
                sql.append(f"AND {column} {op} ?")
                params.append(value)
    if cre_types is not None:
        sql.append(f"AND pre.cre_type IN ({', '.join('?' * len(cre_types))})")
        params += cre_types
    return int(ref.execute(" ".join(sql), params).fetchone()[0])


def is_valid_bound_pair(value: Any) -> bool:
    """Whether ``value`` is a (min, max) the documentation promises to answer."""
    if value is None:
        return True
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return False
    low, high = value
    for bound, is_low in ((low, True), (high, False)):
        if bound is None:
            continue
        if isinstance(bound, bool) or not isinstance(bound, (int, float)):
            return False
        if isinstance(bound, int) and abs(bound) > 1e308:
            return False
        if math.isnan(bound) or (math.isinf(bound) and (bound < 0) != is_low):
            return False
    lo, hi = _bound_or_none(low, True), _bound_or_none(high, False)
    return lo is None or hi is None or lo <= hi


def _bound_or_none(bound: Any, low: bool) -> float | None:
    return None if bound is None else _sql_bound(bound, low)


def count(table: Any) -> int:
    return int(table.count().to_pyarrow().as_py())


# -- the fuzz tests -------------------------------------------------------------------------------
@FUZZ
@given(
    species=real_or(["mouse", "human", None]),
    age=bounds,
    distance=bounds,
)
def test_simple_filters_give_the_sqlite_count_or_a_typed_error(
    fuzz_db: SynphysDatabase, ref: sqlite3.Connection, species: Any, age: Any, distance: Any
) -> None:
    valid = (
        (species is None or (isinstance(species, str) and "\x00" not in species))
        and is_valid_bound_pair(age)
        and is_valid_bound_pair(distance)
    )
    try:
        got = count(fuzz_db.pair_query(species=species, age=age, distance=distance))
    except SynphysError as err:
        event(f"refused: {type(err).__name__}")
        assert not valid, (species, age, distance)  # a documented input must be answered
        return
    event("answered")
    assert valid, (species, age, distance)  # junk must not be answered silently
    assert got == expected_count(ref, species, age, distance)


FILTER_COLUMNS = ["distance", "pre_cell_cre_type", "slice_age", "nope", "synapse_psp_amplitude"]
filters = st.one_of(
    st.builds(lambda c, v: _[c] > v, st.sampled_from(FILTER_COLUMNS), scalars),
    st.builds(lambda c, v: getattr(_, c) == v, st.sampled_from(FILTER_COLUMNS), scalars),
    junk,
)


@FUZZ
@given(
    args=st.fixed_dictionaries(
        {},
        optional={
            "synapse": real_or([True, False, None]),
            "synapse_type": real_or(["ex", "in", "mixed", None]),
            "synapse_probed": real_or([True, False, None]),
            "electrical": real_or([True, False, None]),
            "experiment_type": real_or(["standard multipatch", None]),
            "project_name": real_or(["mouse V1 coarse matrix", ["human coarse matrix"], None]),
            "acsf": real_or(["Standard", ["2mM Ca & Mg", "x"], None]),
            "internal": real_or(["Standard K-Gluc", None]),
            "species": real_or(["mouse", "human", None]),
            "age": bounds,
            "distance": bounds,
            "preload": real_or([(), ["cell"], ("synapse", "experiment"), "synapse_prediction"]),
            "session": st.one_of(st.none(), junk),
            "filter_exprs": st.one_of(st.none(), filters, st.lists(filters, max_size=2)),
        },
    )
)
def test_any_pair_query_arguments_run_or_raise_a_typed_error(
    fuzz_db: SynphysDatabase, args: dict[str, Any]
) -> None:
    try:
        table = fuzz_db.pair_query(**args)
    except SynphysError as err:
        event(f"refused: {type(err).__name__}")
        return
    event("answered")
    assert 0 <= count(table) <= count(fuzz_db.pair_query())


CRITERIA = ["cre_type", "cortical_layer", "id", "depth", "pyramidal", "fractional_layer_depth"]
criterion_values = mostly(
    st.sampled_from(["sst", "pvalb", ("sst", "vip"), "2/3", 1, 2.0, True, None]), junk
)
predicates = st.builds(
    lambda c, v: _[c] < v,
    st.sampled_from(["fractional_layer_depth", "depth", "cre_type", "nope"]),
    scalars,
)


@FUZZ
@given(
    criteria=st.dictionaries(
        mostly(st.sampled_from(CRITERIA), st.sampled_from(["nope", "cre_typ"])),
        criterion_values,
        max_size=3,
    ),
    exprs=st.lists(mostly(predicates, junk), max_size=1),
    name=mostly(st.one_of(st.none(), nasty_text), junk),
)
def test_cell_classes_run_or_raise_a_typed_error(
    fuzz_db: SynphysDatabase,
    ref: sqlite3.Connection,
    criteria: dict[str, Any],
    exprs: list[Any],
    name: Any,
) -> None:
    try:
        cls = CellClass(*exprs, name=name, **criteria)
        table = fuzz_db.pair_query(pre_class=cls)
        got = count(table)
    except SynphysError as err:
        event(f"refused: {type(err).__name__}")
        return
    event("answered")
    assert 0 <= got <= count(fuzz_db.pair_query())
    cre = criteria.get("cre_type")
    if list(criteria) == ["cre_type"] and not exprs:
        cre_types = [cre] if isinstance(cre, str) else cre
        if isinstance(cre_types, (list, tuple)) and all(isinstance(c, str) for c in cre_types):
            assert got == expected_count(ref, None, None, None, cre_types=list(cre_types))


classes = mostly(
    st.one_of(
        st.just({"sst": CellClass(cre_type="sst"), "all": CellClass()}),
        st.just([CellClass(cre_type="pvalb", name="pv")]),
        st.dictionaries(nasty_text, st.just(CellClass(cortical_layer="5")), max_size=2),
    ),
    st.one_of(st.dictionaries(nasty_text, junk, min_size=1, max_size=2), junk),
)
pair_query_args = mostly(
    st.one_of(
        st.none(),
        st.fixed_dictionaries(
            {}, optional={"species": real_or(["mouse", "human"]), "age": bounds, "distance": bounds}
        ),
    ),
    st.one_of(
        st.dictionaries(
            st.sampled_from(["species", "synapse", "bogus", "session", "pre_class"]),
            junk,
            max_size=2,
        ),
        junk,
    ),
)


@FUZZ
@given(
    pre=classes,
    post=classes,
    columns=mostly(
        st.sampled_from([None, ["synapse_psp_amplitude"], "synapse.psp_amplitude"]),
        st.one_of(st.just(["nope"]), junk),
    ),
    args=pair_query_args,
)
def test_matrix_queries_run_or_raise_a_typed_error(
    fuzz_db: SynphysDatabase, pre: Any, post: Any, columns: Any, args: Any
) -> None:
    try:
        table = fuzz_db.matrix_pair_query(pre, post, columns=columns, pair_query_args=args)
        got = count(table)
    except SynphysError as err:
        event(f"refused: {type(err).__name__}")
        return
    event("answered")
    assert got >= 0
