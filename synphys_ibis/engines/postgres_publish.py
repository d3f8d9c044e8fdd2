"""Temporary databases of PostgreSQL copies: who owns them, how they are published, recovery.

A copy into database ``<name>`` is written into ``<prefix>_tmp_<token>`` on the same server
(``<prefix>``: the name cut to 40 bytes; ``<token>``: 10 random hex digits). Its process holds
the session advisory lock :func:`advisory_key` of the token, on a connection of its own, from
before the temporary is created until it is published or dropped; the server releases the lock
when that process dies, however it dies.

Publishing marks the temporary as a complete copy for ``<name>`` (``COMMENT ON DATABASE``, a JSON
object with the destination and the token), then, overwriting, renames the previous ``<name>`` to
``<prefix>_old_<token>``, renames the temporary to ``<name>`` and drops the old one. PostgreSQL
cannot rename two databases in one transaction, so a process killed between the renames leaves
no ``<name>``: only ``_tmp_`` and ``_old_`` of one token.

:func:`remove_abandoned` (run by the next copy into ``<name>``, before anything else) looks at the
databases of this naming whose advisory lock is free and which nobody is connected to:

* ``_old_<token>`` with no ``<name>`` and a ``_tmp_<token>`` marked complete for ``<name>``: the
  previous database is **renamed back** to ``<name>``. Putting the previous one back, rather than
  publishing the new copy, is the safe choice: the interrupted call never returned, so nobody
  was told the copy was done, and the destination is again exactly what it was before the call
  (as for any other failure); a re-run copies again.
* ``_old_<token>`` with a ``<name>`` whose marker carries the same token: the new copy was
  published and only dropping the old one was left; it is dropped.
* any other ``_old_`` is kept (with a warning): nothing says which database it was.
* ``_tmp_<token>``: dropped (never published; another copy's in progress holds its lock).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

from synphys_ibis.engines.postgres import (
    database_exists,
    drop_database,
    execute,
    quote_identifier,
    rename_database,
)
from synphys_ibis.errors import CopyError

__all__ = [
    "advisory_key",
    "holding",
    "publish",
    "remove_abandoned",
    "temporary_name",
]

logger = logging.getLogger("synphys_ibis")

#: The high bits of every advisory lock key the library takes ("SY").
_KEY_CLASS = 0x5359 << 40
_TOKEN = r"[0-9a-f]{10}"
_MARKER = "synphys_ibis complete copy"


def prefix(name: str) -> str:
    """``name`` cut to 40 bytes, so that ``_tmp_<token>`` fits PostgreSQL's 63."""
    return name.encode()[:40].decode(errors="ignore")


def temporary_name(name: str, token: str) -> str:
    """``<prefix>_tmp_<token>``."""
    return f"{prefix(name)}_tmp_{token}"


def advisory_key(token: str) -> int:
    """The advisory lock (a bigint) held by the process that copies into ``*_tmp_<token>``."""
    return _KEY_CLASS | int(token, 16)


def _token_of(temp_name: str) -> str:
    match = re.search(rf"_tmp_({_TOKEN})$", temp_name)
    if match is None:  # pragma: no cover - names come from temporary_name
        raise CopyError(f"{temp_name!r} is not a temporary database name of synphys_ibis")
    return match[1]


@contextlib.contextmanager
def holding(maint: Any, temp_name: str) -> Iterator[None]:
    """Hold the advisory lock of ``temp_name`` on ``maint`` (a connection of its own) for the block."""
    execute(maint, "SELECT pg_advisory_lock(%s)", [advisory_key(_token_of(temp_name))])
    yield


def publish(maint: Any, temp_name: str, name: str, *, overwrite: bool) -> None:
    """Mark ``temp_name`` complete and rename it to ``name`` (see the module docstring)."""
    token = _token_of(temp_name)
    marker = json.dumps({"synphys_ibis": _MARKER, "destination": name, "token": token})
    literal = marker.replace("'", "''")
    execute(maint, f"COMMENT ON DATABASE {quote_identifier(temp_name)} IS '{literal}'")
    previous = None
    if overwrite and database_exists(maint, name):
        previous = f"{prefix(name)}_old_{token}"
        try:
            rename_database(maint, name, previous)
        except Exception as err:
            raise CopyError(
                f"cannot replace database {name!r}: {err} (close the sessions connected to it)"
            ) from err
    try:
        rename_database(maint, temp_name, name)
    except Exception as err:
        if previous is not None:
            with contextlib.suppress(Exception):
                rename_database(maint, previous, name)
        raise CopyError(f"cannot publish the copy as {name!r}: {err}") from err
    if previous is not None:
        drop_database(maint, previous, force=True)


def remove_abandoned(maint: Any, name: str) -> list[str]:
    """Recover ``name`` and drop the temporaries of killed copies into it; return what was done."""
    pattern = re.compile(rf"^{re.escape(prefix(name))}_(tmp|old)_({_TOKEN})$")
    rows = execute(
        maint,
        "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database "
        "WHERE starts_with(datname, %s)",
        [prefix(name) + "_"],
    )
    found: dict[str, dict[str, str | None]] = {}
    for datname, comment in rows:
        if match := pattern.match(datname):
            found.setdefault(match[2], {})[match[1]] = comment
    done: list[str] = []
    for token, kinds in sorted(found.items()):
        if not _try_lock(maint, token):
            logger.debug("keeping the copy %s into %r: its process is still running", token, name)
            continue
        try:
            done += _recover(maint, name, token, kinds)
        finally:
            execute(maint, "SELECT pg_advisory_unlock(%s)", [advisory_key(token)])
    return done


def _try_lock(maint: Any, token: str) -> bool:
    return bool(execute(maint, "SELECT pg_try_advisory_lock(%s)", [advisory_key(token)])[0][0])


def _recover(maint: Any, name: str, token: str, kinds: dict[str, str | None]) -> list[str]:
    tmp, old = f"{prefix(name)}_tmp_{token}", f"{prefix(name)}_old_{token}"
    present = [n for kind, n in (("tmp", tmp), ("old", old)) if kind in kinds]
    connected = execute(
        maint, "SELECT count(*) FROM pg_stat_activity WHERE datname = ANY(%s)", [present]
    )[0][0]
    if connected:
        logger.debug("keeping %s: sessions are connected to it", present)
        return []
    done = []
    if "old" in kinds:
        if not database_exists(maint, name) and _marks(kinds.get("tmp"), name, token):
            rename_database(maint, old, name)
            logger.warning(
                "database %r was missing: a copy that replaced it was killed between two renames; "
                "the previous database (%s) is back under its name",
                name, old,
            )  # fmt: skip
            done.append(f"{old} -> {name}")
        elif _marks(_comment(maint, name), name, token):
            drop_database(maint, old)
            logger.info("dropped %s, the database a finished copy replaced", old)
            done.append(old)
        else:
            logger.warning(
                "keeping database %s: it may be the previous %r, but nothing says so", old, name
            )
    if "tmp" in kinds:
        drop_database(maint, tmp)
        logger.info("dropped %s, left by a copy into %r that did not finish", tmp, name)
        done.append(tmp)
    return done


def _comment(maint: Any, name: str) -> str | None:
    rows = execute(
        maint,
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        [name],
    )
    return rows[0][0] if rows else None


def _marks(comment: str | None, name: str, token: str) -> bool:
    """Whether ``comment`` is the marker of a complete copy into ``name`` with ``token``."""
    try:
        marker = json.loads(comment or "")
    except ValueError:
        return False
    return isinstance(marker, dict) and marker == {
        "synphys_ibis": _MARKER,
        "destination": name,
        "token": token,
    }
