"""A compiled-SQL cache for Ibis backends, keyed by the expression itself.

Compiling a pair query (a join of up to 17 relations) costs tens of milliseconds, more than a
narrow query takes to run. Ibis operations are immutable values with structural equality and a
precomputed hash, so the SQL of an expression can be memoised by its operation: running the same
expression again, or an equal one built anew, reuses the SQL instead of compiling it again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from typing import Any

import ibis
from ibis.expr.types import Expr

__all__ = ["CompiledSQLCache"]

#: Distinct compiled statements kept per connection.
CACHE_SIZE = 512


class CompiledSQLCache:
    """Mixin for an Ibis SQL backend: ``compile`` memoised by ``(operation, limit, pretty)``.

    Expressions compiled with ``params`` are compiled every time (their SQL embeds the values).
    """

    def compile(
        self,
        expr: Expr,
        /,
        *,
        limit: int | None = None,
        params: Mapping[Any, Any] | None = None,
        pretty: bool = False,
    ) -> str:
        if params:
            return super().compile(expr, limit=limit, params=params, pretty=pretty)  # type: ignore[misc]
        if limit == "default":
            # resolved here, not inside Ibis' compile: the cache key must hold the value in force
            limit = ibis.options.sql.default_limit
        key: Hashable = (expr.op(), limit, pretty)
        cache, lock = self._compiled_sql()
        with lock:
            sql = cache.get(key)
            if sql is not None:
                cache.move_to_end(key)
                return sql
        sql = super().compile(expr, limit=limit, pretty=pretty)  # type: ignore[misc]
        with lock:
            cache[key] = sql
            if len(cache) > CACHE_SIZE:
                cache.popitem(last=False)
        return sql

    def _compiled_sql(self) -> tuple[OrderedDict[Hashable, str], threading.Lock]:
        state = self.__dict__.get("_synphys_compiled_sql")
        if state is None:
            state = self.__dict__.setdefault(
                "_synphys_compiled_sql", (OrderedDict(), threading.Lock())
            )
        return state
