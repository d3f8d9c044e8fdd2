"""A release missing tables opens on every engine; a query that needs one names it.

The partial release is a copy of the session's synthetic release with ``gap_junction`` (no query
needs it), ``dynamics`` (``preload=['synapse']`` joins it) and ``morphology`` (a cell class on
``dendrite_type`` reads it) dropped with the stdlib ``sqlite3``.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import ibis.common.exceptions as ibis_errors
import pytest
from ibis import _

from synphys_ibis import CellClass, Database, SynphysDatabase, TableNotFoundError
from tests.conftest import ENGINES, open_engine

DROPPED = ("gap_junction", "dynamics", "morphology")


@pytest.fixture(scope="session")
def partial_release(release: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("partial") / "synphys_test_partial.sqlite"
    shutil.copyfile(release, path)
    con = sqlite3.connect(path)
    try:
        for table in DROPPED:
            con.execute(f'DROP TABLE "{table}"')
        con.commit()
    finally:
        con.close()
    return path


@pytest.fixture(scope="module", params=ENGINES)
def partial_db(request: pytest.FixtureRequest, partial_release: Path) -> Iterator[SynphysDatabase]:
    database = open_engine(request.param, partial_release, request)
    if request.param == "postgres":  # a clone creates every table of the schema: drop them there
        writer = Database(database.ro_host, database.ro_host, database.db_name)
        writer.drop_tables(DROPPED)
        writer.close()
        database.close()
        database = SynphysDatabase(database.ro_host, None, database.db_name)
    yield database
    database.close()


def test_a_partial_release_opens_and_answers_queries(partial_db: SynphysDatabase) -> None:
    names = set(partial_db.table_names())
    assert not names & set(DROPPED)
    assert partial_db.table("pair").count().to_pyarrow().as_py() > 0
    pairs = partial_db.pair_query(preload=["experiment"], synapse=True)
    assert pairs.count().to_pyarrow().as_py() > 0
    sst = CellClass(cre_type="sst")
    matrix = partial_db.connectivity_matrix({"sst": sst}, {"sst": sst})
    assert matrix.to_pyarrow().num_rows == 1


def test_a_missing_table_is_the_librarys_error(partial_db: SynphysDatabase) -> None:
    with pytest.raises(TableNotFoundError, match=r"gap_junction.*schema version 22") as info:
        partial_db.table("gap_junction")
    assert not isinstance(info.value, ibis_errors.IbisError)


@pytest.mark.parametrize(
    ("arguments", "argument", "table"),
    [
        ({"preload": ["synapse"]}, "preload='synapse'", "dynamics"),
        ({"pre_class": CellClass(dendrite_type="spiny")}, "pre_class", "morphology"),
        ({"filter_exprs": [_.dynamics_paired_pulse_ratio_50hz > 1]}, "filter_exprs", "dynamics"),
    ],
    ids=["preload", "cell-class", "filter"],
)
def test_a_query_needing_a_missing_table_names_it_and_the_argument(
    partial_db: SynphysDatabase, arguments: dict, argument: str, table: str
) -> None:
    with pytest.raises(TableNotFoundError) as info:
        partial_db.pair_query(**arguments)
    message = str(info.value)
    assert f"{argument} needs table {table}" in message
    assert "schema version 22" in message


def test_matrix_queries_name_the_missing_table(partial_db: SynphysDatabase) -> None:
    spiny = CellClass(dendrite_type="spiny")
    with pytest.raises(TableNotFoundError, match=r"pre_classes\['spiny'\] needs table morphology"):
        partial_db.matrix_pair_query({"spiny": spiny}, {"all": CellClass()})
    with pytest.raises(TableNotFoundError, match=r"columns needs table dynamics"):
        partial_db.matrix_pair_query(
            {"all": CellClass()}, {"all": CellClass()}, columns=["dynamics.paired_pulse_ratio_50hz"]
        )
