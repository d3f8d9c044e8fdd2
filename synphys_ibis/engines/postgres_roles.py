"""PostgreSQL roles that can only read a release: what enforces read-only on a server.

A session's read-only setting is advisory: ``SET SESSION CHARACTERISTICS AS TRANSACTION READ
ONLY`` (what every read-only connection of the library runs) refuses ordinary writes, but a
later ``BEGIN READ WRITE``, ``SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE`` or ``SET
default_transaction_read_only = off`` lifts it (measured, see the engine notes). Only the
privileges of the role the session logs in as enforce it. :func:`create_readonly_role` makes
such a role: ``LOGIN`` and nothing else (no superuser, CREATEDB, CREATEROLE, replication,
bypass of row security), ``CONNECT`` on the database, ``USAGE`` on its schema and ``SELECT`` on
its tables, with ``default_transaction_read_only`` as its setting. It may still create
temporary objects (``TEMPORARY``, granted explicitly, since a server may revoke it from
``PUBLIC``), which the connectivity matrix's interval functions need and which vanish with the
session.
"""

from __future__ import annotations

import logging
from typing import Any

from synphys_ibis.engines.base import DatabaseHandle
from synphys_ibis.errors import InvalidArgumentError, ReadOnlyError

__all__ = ["create_readonly_role", "drop_role", "write_privileges"]

logger = logging.getLogger("synphys_ibis")

#: What a read-only role must not hold, as ``(description, SQL of a boolean)``; ``%(role)s``,
#: ``%(schema)s`` and ``%(db)s`` are parameters.
_WRITE_CHECKS: tuple[tuple[str, str], ...] = (
    (
        "a write privilege (INSERT, UPDATE, DELETE, TRUNCATE) on a table",
        "SELECT coalesce(bool_or(has_table_privilege(%(role)s, c.oid, "
        "'INSERT, UPDATE, DELETE, TRUNCATE')), false) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %(schema)s AND c.relkind IN ('r', 'p')",
    ),
    ("CREATE on the schema", "SELECT has_schema_privilege(%(role)s, %(schema)s, 'CREATE')"),
    ("CREATE on the database", "SELECT has_database_privilege(%(role)s, %(db)s, 'CREATE')"),
    (
        "superuser, CREATEDB, CREATEROLE, REPLICATION or BYPASSRLS",
        "SELECT rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls "
        "FROM pg_roles WHERE rolname = %(role)s",
    ),
)


def write_privileges(con: Any, role: str, db_name: str) -> list[str]:
    """What ``role`` can write in database ``db_name`` (its current schema); empty if nothing.

    ``con`` is an Ibis PostgreSQL connection to that database.
    """
    from synphys_ibis.engines.postgres import execute

    schema = execute(con, "SELECT current_schema()")[0][0]
    params = {"role": role, "schema": schema, "db": db_name}
    found = []
    for description, query in _WRITE_CHECKS:
        logger.debug("postgres: %s %r", query, params)
        with con.con.cursor() as cursor:
            row = cursor.execute(query, params).fetchone()
        if row and row[0]:
            found.append(description)
    return found


def create_readonly_role(
    db: DatabaseHandle, role: str, *, password: str | None, exist_ok: bool
) -> None:
    """Create (or, with ``exist_ok``, re-grant) a role that can only read ``db``.

    Runs in one transaction on ``db``'s read-write connection, checked before it commits.

    Raises
    ------
    InvalidArgumentError
        If the role exists and ``exist_ok`` is False.
    ReadOnlyError
        If the role could still write afterwards (e.g. ``PUBLIC`` holds CREATE on the schema,
        the default before PostgreSQL 15): nothing is created.
    """
    from psycopg import sql

    from synphys_ibis.engines.postgres import execute

    name = db.require_name()
    con = db.rw
    exists = bool(execute(con, "SELECT 1 FROM pg_roles WHERE rolname = %s", [role]))
    if exists and not exist_ok:
        raise InvalidArgumentError(
            f"role={role!r} is not allowed: that role exists already; pick another name, or pass "
            f"exist_ok=True to grant it read access to {name!r} again"
        )
    ident = sql.Identifier(role)
    schema = sql.Identifier(execute(con, "SELECT current_schema()")[0][0])
    statements: list[tuple[Any, str | None]] = []  # (statement, what the log shows instead)
    if not exists:
        create = sql.SQL(
            "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
        ).format(ident)
        shown = None
        if password is not None:
            create = sql.SQL("{} PASSWORD {}").format(create, sql.Literal(password))
            shown = f"CREATE ROLE {role} LOGIN ... PASSWORD '***'"
        statements.append((create, shown))
    for statement in (
        sql.SQL("ALTER ROLE {} IN DATABASE {} SET default_transaction_read_only = on").format(
            ident, sql.Identifier(name)
        ),
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(name), ident),
        # explicit, for servers that revoke it from PUBLIC: the interval functions live in pg_temp
        sql.SQL("GRANT TEMPORARY ON DATABASE {} TO {}").format(sql.Identifier(name), ident),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, ident),
        sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(schema, ident),
    ):
        statements.append((statement, None))
    raw = con.con
    with raw.transaction(), raw.cursor() as cursor:
        for statement, shown in statements:
            logger.debug("postgres: %s", shown or statement.as_string(raw))
            cursor.execute(statement)
        problems = write_privileges(con, role, name)
        if problems:
            raise ReadOnlyError(
                f"role {role!r} could still write to database {name!r}: it holds "
                f"{'; '.join(problems)}. Nothing was created; revoke those from PUBLIC (e.g. "
                f"REVOKE CREATE ON SCHEMA public FROM PUBLIC) and try again"
            )


def drop_role(db: DatabaseHandle, role: str) -> None:
    """Revoke what ``role`` holds in ``db`` (and on the database itself), then drop the role.

    A role holding privileges in other databases cannot be dropped until they are revoked there.
    """
    from psycopg import sql

    ident = sql.Identifier(role)
    raw = db.rw.con
    with raw.transaction(), raw.cursor() as cursor:
        for statement in (
            sql.SQL("DROP OWNED BY {}").format(ident),
            sql.SQL("DROP ROLE {}").format(ident),
        ):
            logger.debug("postgres: %s", statement.as_string(raw))
            cursor.execute(statement)
