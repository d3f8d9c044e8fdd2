"""PostgreSQL addresses: host URLs, database names and quoted identifiers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from synphys_ibis.errors import InvalidArgumentError

__all__ = ["MAX_IDENTIFIER", "PostgresURL", "check_database_name", "quote_identifier"]

#: Longest PostgreSQL identifier, in bytes.
MAX_IDENTIFIER = 63


@dataclass(frozen=True)
class PostgresURL:
    """The parts of a ``postgresql://user:password@host:port`` host URL.

    Examples
    --------
    >>> url = PostgresURL.parse("postgresql://postgres:secret@127.0.0.1:5433")
    >>> url.host, url.port, url.user
    ('127.0.0.1', 5433, 'postgres')
    >>> url.conninfo("synphys")
    'postgresql://postgres:secret@127.0.0.1:5433/synphys'
    """

    host: str | None
    port: int
    user: str | None
    password: str | None
    options: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, host_url: str) -> PostgresURL:
        """Split a host URL (``postgres://`` or ``postgresql://``, no database name)."""
        parts = urlsplit(host_url)
        if parts.scheme not in ("postgres", "postgresql"):
            raise InvalidArgumentError.for_value(
                "PostgreSQL URL scheme", parts.scheme, ["postgres", "postgresql"]
            )
        try:
            port = parts.port or 5432
        except ValueError as err:
            raise InvalidArgumentError(f"invalid port in PostgreSQL URL {host_url!r}") from err
        return cls(
            host=parts.hostname,
            port=port,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            options=tuple(parse_qsl(parts.query)),
        )

    def redacted(self) -> str:
        """The host URL for messages: ``postgresql://user:***@host:port`` (no password shown).

        Examples
        --------
        >>> PostgresURL.parse("postgresql://u:secret@db.lab:5433").redacted()
        'postgresql://u:***@db.lab:5433'
        """
        auth = ""
        if self.user:
            auth = self.user + (":***" if self.password else "") + "@"
        return f"postgresql://{auth}{self.host or ''}:{self.port}"

    def conninfo(self, db_name: str) -> str:
        """A libpq URI for database ``db_name`` (used by DuckDB's postgres scanner)."""
        from urllib.parse import quote, urlencode

        auth = ""
        if self.user:
            auth = quote(self.user, safe="")
            if self.password:
                auth += ":" + quote(self.password, safe="")
            auth += "@"
        query = f"?{urlencode(self.options)}" if self.options else ""
        return f"postgresql://{auth}{self.host or ''}:{self.port}/{quote(db_name, safe='')}{query}"

    def connect_kwargs(self, db_name: str) -> dict[str, Any]:
        """Keyword arguments of ``ibis.postgres.connect`` for database ``db_name``."""
        kwargs: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "database": db_name,
        }
        kwargs.update(dict(self.options))
        return kwargs


def check_database_name(name: object) -> str:
    """Return ``name`` if it is a usable PostgreSQL database name, else raise."""
    if (
        not isinstance(name, str)
        or not name
        or len(name.encode()) > MAX_IDENTIFIER
        or "\x00" in name
    ):
        raise InvalidArgumentError(
            f"db_name={name!r} is not allowed; allowed values: a non-empty PostgreSQL database "
            f"name of at most {MAX_IDENTIFIER} bytes."
        )
    return name


def quote_identifier(name: str) -> str:
    """Quote an identifier for PostgreSQL, doubling embedded double quotes.

    Examples
    --------
    >>> quote_identifier('pair')
    '"pair"'
    >>> quote_identifier('we"ird')
    '"we""ird"'
    """
    return '"' + name.replace('"', '""') + '"'
