"""Checks of user values at the edges of what every engine accepts, shared by the query builders.

A few values are legal Python but not portable SQL: a NUL character ends a string literal (DuckDB
and PostgreSQL refuse the statement, SQLite cuts the text), an integer past 64 bits has no column
type, and NaN equals itself in DuckDB and PostgreSQL but is NULL in SQLite. These checks refuse such
values before anything is built, with an :class:`~synphys_ibis.errors.InvalidArgumentError` naming
the argument; they also translate Ibis' errors about a user's expression into the library's.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable
from typing import Any

import ibis.common.exceptions as com
import ibis.expr.operations as ops
from ibis.expr.types import Value

from synphys_ibis.errors import InvalidArgumentError, SynphysError, format_value

__all__ = [
    "INT64_MAX",
    "INT64_MIN",
    "check_literals",
    "check_text",
    "is_nan",
    "resolve_user_expression",
]

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def check_text(name: str, value: str) -> str:
    """Return ``value``, or raise if it holds a NUL character (which no engine stores in text)."""
    if "\x00" in value:
        raise InvalidArgumentError(
            f"{name}={format_value(value)} contains a NUL character ('\\x00'), which no engine "
            f"accepts in text; remove it"
        )
    return value


def is_nan(value: Any) -> bool:
    """Whether ``value`` is a float NaN (numpy and Decimal NaNs included)."""
    try:
        return math.isnan(value)
    except (TypeError, ValueError, OverflowError):
        return False


def check_literals(name: str, expr: Value) -> None:
    """Refuse an expression holding a text literal with a NUL character."""
    for literal in expr.op().find(ops.Literal):
        values = (
            literal.value if isinstance(literal.value, (tuple, frozenset)) else (literal.value,)
        )
        for value in values:
            if isinstance(value, str):
                check_text(name, value)


_MISSING_COLUMN = re.compile(r"^Column ('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\") is not found")


def resolve_user_expression(
    resolve: Callable[[], Any],
    *,
    what: str,
    missing: Callable[[str, BaseException], Exception],
) -> Any:
    """Run ``resolve()`` (binding a user's deferred or callable to a table) with typed errors.

    An unknown column, whether spelled ``_.name`` or ``_["name"]``, raises ``missing(name, err)``;
    any other Ibis error building the expression (``_.cre_type > 1``) an InvalidArgumentError
    naming ``what``.
    """
    try:
        return resolve()
    except AttributeError as err:
        raise missing(str(err).rsplit("attribute ", 1)[-1].strip("'\" "), err) from err
    except com.IbisTypeError as err:
        match = _MISSING_COLUMN.match(str(err))
        if match:
            raise missing(ast.literal_eval(match.group(1)), err) from err
        raise InvalidArgumentError(f"{what} cannot be built: {err}") from err
    except (com.IbisError, TypeError, ValueError, OverflowError) as err:
        if isinstance(err, SynphysError):
            raise
        raise InvalidArgumentError(f"{what} cannot be built: {err}") from err
