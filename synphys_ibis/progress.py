"""Progress bars: one policy for every long operation.

Downloads, the native copy of a release, exports, copies, clones and bakes all draw their bars
through :func:`bar`: ``tqdm.auto`` (a widget in Jupyter when ``ipywidgets`` is installed, the
``notebooks`` extra; terminal text otherwise), shown when the operation's ``progress=`` argument
is true and ``SYNPHYS_IBIS_PROGRESS`` is not ``0``. The variable is read at each call, so
``SYNPHYS_IBIS_PROGRESS=0`` silences every bar, whatever the arguments say.

Examples
--------
>>> import os
>>> enabled(True), enabled(False)
(True, False)
>>> os.environ["SYNPHYS_IBIS_PROGRESS"] = "0"
>>> enabled(True)
False
>>> del os.environ["SYNPHYS_IBIS_PROGRESS"]
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterable
from typing import Any

from synphys_ibis.settings import env_flag

__all__ = ["bar", "enabled"]


def enabled(progress: bool = True) -> bool:
    """Whether a bar is drawn: ``progress`` and ``$SYNPHYS_IBIS_PROGRESS`` (default on).

    Raises
    ------
    InvalidArgumentError
        If ``SYNPHYS_IBIS_PROGRESS`` is not a boolean word (``0``/``1``, ``true``/``false``, ...).
    """
    return bool(progress) and env_flag("SYNPHYS_IBIS_PROGRESS", default=True)


def bar(iterable: Iterable[Any] | None = None, *, progress: bool = True, **options: Any) -> Any:
    """A ``tqdm`` bar over ``iterable`` (or to ``update()`` by hand), disabled unless :func:`enabled`.

    ``options`` go to ``tqdm`` (``total``, ``desc``, ``unit``, ``unit_scale``, ``leave``, ...).
    In Jupyter with ``ipywidgets`` the bar is a widget; without ``ipywidgets`` it falls back to
    terminal text rather than to no bar at all.

    Examples
    --------
    >>> with bar(total=3, desc="demo", progress=False) as b:
    ...     b.update(3)
    >>> list(bar([1, 2], progress=False))
    [1, 2]
    """
    return _tqdm_class()(iterable, disable=not enabled(progress), **options)


def _tqdm_class() -> Any:
    """``tqdm.auto.tqdm`` where it can draw (a widget needs ipywidgets), else ``tqdm.std.tqdm``."""
    in_ipython = "IPython" in sys.modules
    if in_ipython and importlib.util.find_spec("ipywidgets") is None:
        from tqdm.std import tqdm as text_bar

        return text_bar
    from tqdm.auto import tqdm as auto_bar

    return auto_bar
