"""Database roles: the read-only role a lab gives ``ro_host``, so that read-only holds on a server.

A PostgreSQL session's read-only setting can be lifted by the session itself (``BEGIN READ
WRITE``); only the privileges of the role it logs in as enforce it. Create the role once per
database, as a role allowed to create roles, and give its name in ``ro_host``::

    from synphys_ibis import Database, SynphysDatabase
    from synphys_ibis.maintenance.roles import create_readonly_role

    admin = Database(pg, pg, "synphys_r21_small")  # pg = "postgresql://postgres@host:5432"
    create_readonly_role(admin, "synphys_reader", password="...")
    db = SynphysDatabase("postgresql://synphys_reader:...@host:5432", None, "synphys_r21_small")

Run it again with ``exist_ok=True`` after the database is replaced (``clone_database(...,
overwrite=True)`` publishes a new database, which holds no grants).
"""

from __future__ import annotations

from synphys_ibis.engines.base import DatabaseHandle
from synphys_ibis.engines.postgres_url import MAX_IDENTIFIER
from synphys_ibis.errors import InvalidArgumentError, format_value

__all__ = ["create_readonly_role", "drop_role"]


def _check_role(role: object) -> str:
    if (
        not isinstance(role, str)
        or not role
        or len(role.encode()) > MAX_IDENTIFIER
        or "\x00" in role
        or role.lower().startswith("pg_")
    ):
        raise InvalidArgumentError(
            f"role={format_value(role)} is not allowed; allowed values: a non-empty role name of "
            f"at most {MAX_IDENTIFIER} bytes, not starting with 'pg_'"
        )
    return role


def create_readonly_role(
    db: DatabaseHandle, role: str, *, password: str | None = None, exist_ok: bool = False
) -> None:
    """Create a login role that can read ``db`` and write nothing.

    The role gets ``LOGIN`` and no other attribute, ``CONNECT`` on the database, ``USAGE`` on its
    schema, ``SELECT`` on its tables and ``default_transaction_read_only = on`` in that database;
    it keeps what ``PUBLIC`` has (``TEMPORARY``, which the connectivity matrix's session
    functions need). Before the transaction commits, the role's privileges are checked: it must
    hold no write privilege on a table, no CREATE on the schema or the database.

    Parameters
    ----------
    db
        The database, opened with a read-write host whose role may create roles.
    role
        The new role's name.
    password
        Its password (None: a role that logs in without one, where ``pg_hba.conf`` allows).
        Never logged.
    exist_ok
        Grant an existing role read access again (e.g. to a database replaced by a new clone).

    Raises
    ------
    InvalidArgumentError
        For a bad role name, or an existing role without ``exist_ok``.
    ReadOnlyError
        If ``db`` was opened without ``rw_host``, or the role could still write (nothing is
        created then).
    UnsupportedOperationError
        For engines without roles (files: their permissions decide).
    """
    if password is not None and not isinstance(password, str):
        raise InvalidArgumentError(
            f"password of type {type(password).__name__} is not allowed; allowed values: a "
            f"string or None"
        )
    db.engine.create_readonly_role(db, _check_role(role), password=password, exist_ok=exist_ok)


def drop_role(db: DatabaseHandle, role: str) -> None:
    """Revoke what ``role`` holds in ``db``, then drop it (e.g. in a test's teardown).

    Raises
    ------
    UnsupportedOperationError
        For engines without roles.
    """
    db.engine.drop_role(db, _check_role(role))
