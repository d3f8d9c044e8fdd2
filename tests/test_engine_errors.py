"""Typed errors from the engines: a failing connection and a failing query.

Opening a PostgreSQL database that cannot be reached, does not exist, or refuses the credentials
is a :class:`ConnectionFailedError` naming the address (password redacted); an engine error while
a query the library built runs (a cast out of range, the logarithm of a negative number) is one
:class:`QueryError` on every engine, however the rows are asked for. Both keep the driver's
error as the cause.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from ibis import _

from synphys_ibis import ConnectionFailedError, QueryError, SynphysDatabase, SynphysError
from tests.conftest import PostgresServer

# distances are ~1e-4 m: times 1e9 they overflow a 1-byte (DuckDB) or 2-byte (PostgreSQL) int
OVERFLOW = (_.distance * 1e9).cast("int8") > 1

RUNS: dict[str, Callable[[Any], Any]] = {
    "to_pyarrow": lambda t: t.to_pyarrow(),
    "to_pandas": lambda t: t.to_pandas(),
    "execute": lambda t: t.execute(),
    "to_pyarrow_batches": lambda t: [b.num_rows for b in t.to_pyarrow_batches()],
    "count": lambda t: t.count().execute(),
}


@pytest.mark.parametrize("run", list(RUNS), ids=list(RUNS))
def test_an_overflowing_filter_is_a_query_error(db: SynphysDatabase, run: str) -> None:
    query = db.pair_query(filter_exprs=[OVERFLOW])
    with pytest.raises(QueryError, match="the query failed in") as info:
        RUNS[run](query)
    assert isinstance(info.value, SynphysError) and isinstance(info.value, RuntimeError)
    assert info.value.__cause__ is not None
    assert not isinstance(info.value.__cause__, SynphysError)  # the driver's own error


def test_the_logarithm_of_a_negative_number_is_a_query_error(db: SynphysDatabase) -> None:
    query = db.pair_query(filter_exprs=[(_.synapse_psp_amplitude - 1).log() > 0])
    with pytest.raises(QueryError, match=r"(?i)logarithm"):
        query.to_pyarrow()
    assert db.pair_query(synapse=True).count().execute() > 0  # the connection is still usable


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("make_host", "db_name", "expected"),
    [
        (lambda h: "postgresql://postgres:s3cret@127.0.0.1:1", "synphys", "127.0.0.1:1"),
        (lambda h: h, "synphys_no_such_database", "synphys_no_such_database"),
        (
            lambda h: h.replace("postgres@", "synphys_no_such_role:s3cret@", 1),
            "postgres",
            "synphys_no_such_role",
        ),
    ],
    ids=["unreachable-port", "missing-database", "bad-credentials"],
)
def test_a_failed_connection_is_a_connection_error(
    postgres_server: PostgresServer,
    make_host: Callable[[str], str],
    db_name: str,
    expected: str,
) -> None:
    import psycopg

    with pytest.raises(ConnectionFailedError) as info:
        SynphysDatabase(make_host(postgres_server.host), None, db_name)
    message = str(info.value)
    assert expected in message and "s3cret" not in message
    assert isinstance(info.value, ConnectionError)
    assert isinstance(info.value.__cause__, psycopg.Error)
