"""Which engine a host names, and how a database is named: the one place targets are routed.

A host's scheme picks its engine (``sqlite``, ``duckdb``, ``postgresql`` or ``postgres``,
``parquet``, ``spark``). :func:`split_address` reads the database addresses users write
(``postgresql://user@host:5432/synphys``, ``duckdb:///path``) into a host and a database name;
:meth:`~synphys_ibis.synphys.SynphysDatabase.connect` and the command line both route through it.

Examples
--------
>>> engine_for_host("postgres://u@h:5432").name
'postgresql'
>>> split_address("postgresql://postgres@127.0.0.1:5432/synphys")
('postgresql://postgres@127.0.0.1:5432', 'synphys')
>>> split_address("duckdb:////data/r.duckdb")
('duckdb:///', '/data/r.duckdb')
>>> split_address("/data/r.sqlite") is None
True
"""

from __future__ import annotations

import re
from collections.abc import Callable

from synphys_ibis.engines import duckdb, parquet, postgres, spark, sqlite
from synphys_ibis.engines.base import Capabilities, DatabaseHandle, Engine
from synphys_ibis.errors import InvalidArgumentError

__all__ = [
    "ENGINES",
    "describe_engine",
    "display_address",
    "engine_for_host",
    "engine_names",
    "redact_password",
    "split_address",
]

#: The engine of every host scheme.
ENGINES: dict[str, Engine] = {
    "sqlite": sqlite.ENGINE,
    "duckdb": duckdb.ENGINE,
    "postgresql": postgres.ENGINE,
    "postgres": postgres.ENGINE,
    "parquet": parquet.ENGINE,
    "spark": spark.ENGINE,
}

_HOSTS_HINT = (
    "Hosts look like 'sqlite:///', 'duckdb:///', 'parquet:///', 'spark:///' or "
    "'postgresql://user@host:5432'."
)


def engine_for_host(host: str) -> Engine:
    """The engine of a host URL such as ``'sqlite:///'`` or ``'postgresql://u@h'``.

    Raises
    ------
    InvalidArgumentError
        For a host whose scheme names no engine.
    """
    scheme = host.split("://", 1)[0] if "://" in host else None
    if scheme not in ENGINES:
        raise InvalidArgumentError.for_value(
            "host scheme",
            scheme if scheme is not None else host,
            sorted(ENGINES),
            hint=_HOSTS_HINT,
        )
    return ENGINES[scheme]


def engine_names(where: Callable[[Capabilities], bool] = lambda _: True) -> list[str]:
    """Sorted names of the engines whose capabilities satisfy ``where``."""
    return sorted({e.name for e in ENGINES.values() if where(e.capabilities)})


def split_address(target: str) -> tuple[str, str] | None:
    """``(host, db_name)`` of a database address, or None when ``target`` is not one.

    ``postgresql://user@host:port/dbname`` (or ``postgres://``) splits at its last ``/``;
    ``duckdb:///path`` names the DuckDB file ``path`` (``duckdb:////abs/path`` an absolute one),
    as :func:`~synphys_ibis.database.db_address` writes them.

    Raises
    ------
    InvalidArgumentError
        For a PostgreSQL URL that names no database.
    """
    if target.startswith(("postgresql://", "postgres://")):
        host, _, name = target.rpartition("/")
        if "://" not in host or host.endswith(":/") or not name:
            raise InvalidArgumentError(
                f"{target!r} names no database; write postgresql://user@host:port/dbname"
            )
        return host, name
    if target.startswith("duckdb://"):
        return "duckdb:///", target.removeprefix("duckdb://").removeprefix("/")
    return None


def redact_password(host: str) -> str:
    """``host`` with its password (if any) replaced by ``***``, for messages and reprs."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", host)


#: What runs the queries of a database of each engine, in words.
_DESCRIPTIONS = {
    "sqlite": "DuckDB (SQLite file attached read-only)",
    "duckdb": "DuckDB",
    "postgresql": "PostgreSQL",
    "parquet": "DuckDB (Parquet dataset)",
    "spark": "Spark (Parquet dataset)",
}


def describe_engine(db: DatabaseHandle) -> str:
    """What really runs the queries of ``db``, e.g. ``'DuckDB (native copy of the SQLite file)'``.

    Examples
    --------
    >>> from synphys_ibis import Database
    >>> describe_engine(Database("postgresql://u:pw@h:5432", None, "synphys"))
    'PostgreSQL'
    """
    from synphys_ibis import settings

    name = db.engine.name
    if name == "sqlite" and settings.native_cache_enabled(db.native_cache):
        return "DuckDB (native copy of the SQLite file)"
    return _DESCRIPTIONS.get(name, name)


def display_address(db: DatabaseHandle) -> str:
    """Where ``db`` lives, for reprs: a file path, or its address without the password."""
    capabilities = db.engine.capabilities
    if capabilities.local_file or capabilities.dataset:
        return str(db.db_name)
    return redact_password(db.ro_address or db.ro_host)
