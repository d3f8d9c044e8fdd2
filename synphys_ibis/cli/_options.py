"""Parsing the text forms of the CLI's options, and opening the databases they name.

The command modules (:mod:`~synphys_ibis.cli.query`, :mod:`~synphys_ibis.cli.maintenance`,
:mod:`~synphys_ibis.cli.parquet`) define their options and handlers; this module turns option
text into library values. Every mistake is an
:class:`~synphys_ibis.errors.InvalidArgumentError` (or ``ColumnNotFoundError``) naming the option
and showing the form it takes.

Text forms
----------
* a cell class: ``cre_type=sst,cortical_layer=2/3``; alternatives with ``|``
  (``cre_type=nr5a1|rorb``); ``none`` for NULL; ``name=...`` sets the class's name.
* a range (``--age``, ``--distance``): ``MIN:MAX``, either side may be empty (``:100e-6``).
* a filter: ``COLUMN OP VALUE`` with OP one of ``< <= > >= == !=`` (``synapse_psp_amplitude>1e-4``).
* a class set (``matrix --classes``): ``mouse-layer``, ``tutorial``, ``human-layer``, ``mouse-ei``,
  or a JSON/YAML file mapping class names to criteria
  (``{"l23sst": {"cre_type": "sst", "cortical_layer": "2/3"}}``).
* a column list (``--columns``): comma-separated names.
* a release (``--db``): anything :meth:`~synphys_ibis.synphys.SynphysDatabase.connect` opens, or
  ``demo``; a database to copy or export: a SQLite path, ``duckdb:///path`` or
  ``postgresql://user@host:port/dbname``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from synphys_ibis.errors import ColumnNotFoundError, InvalidArgumentError

__all__ = [
    "DB_HELP",
    "STANDARD_CLASS_SETS",
    "TARGET_HELP",
    "check_format",
    "load_class_set",
    "open_database",
    "parse_cell_class",
    "parse_columns",
    "parse_database",
    "parse_filter",
    "parse_positive",
    "parse_range",
    "parse_skip_columns",
]

#: Names accepted by ``matrix --classes`` for the standard class sets.
STANDARD_CLASS_SETS = ("mouse-layer", "tutorial", "human-layer", "mouse-ei")
_OPERATORS = ("<=", ">=", "==", "!=", "<", ">", "=")
_FILTER = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|==|!=|<|>|=)\s*(.*?)\s*$")
#: What ``--db`` accepts (see :func:`open_database`).
DB_HELP = (
    "the release: a path to a .sqlite file, duckdb:///path, postgresql://user@host:port/db, a "
    "size (small, medium, full), a release name (synphys_r2.1_small.sqlite), or 'demo' for the "
    "offline synthetic demo release"
)
#: What a database to copy or export accepts (see :func:`parse_database`).
TARGET_HELP = "a SQLite file path, duckdb:///path or postgresql://user@host:port/dbname"


# -- query options -----------------------------------------------------------------------------------
def parse_cell_class(spec: str, *, option: str = "--pre") -> Any:
    """Build a :class:`~synphys_ibis.query.cell_class.CellClass` from ``key=value,key=value``.

    Examples
    --------
    >>> parse_cell_class("cre_type=nr5a1|rorb,cortical_layer=4,name=L4 pyr")
    CellClass(cre_type=('nr5a1', 'rorb'), cortical_layer='4', name='L4 pyr')
    """
    from synphys_ibis.query.cell_class import CellClass, any_version_cell_columns

    known = any_version_cell_columns()
    criteria: dict[str, Any] = {}
    name = None
    for part in filter(None, (p.strip() for p in spec.split(","))):
        key, sep, raw = part.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InvalidArgumentError(
                f"{option} {spec!r}: {part!r} is not key=value; write e.g. "
                f"{option} cre_type=sst,cortical_layer=2/3"
            )
        if key == "name":
            name = raw.strip()
            continue
        kind = known[key][1].type if key in known else "str"
        values = [_criterion_value(v.strip(), kind, option) for v in raw.split("|")]
        criteria[key] = values[0] if len(values) == 1 else tuple(values)
    if not criteria and name is None:
        raise InvalidArgumentError(f"{option} {spec!r} holds no criteria; write key=value pairs")
    return CellClass(name=name, **criteria)


def _criterion_value(text: str, kind: str, option: str) -> Any:
    if text.lower() in ("none", "null"):
        return None
    if kind == "bool":
        lowered = text.lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise InvalidArgumentError.for_value(option, text, ["true", "false", "none"])
    return text


def parse_range(text: str | None, option: str) -> tuple[float | None, float | None] | None:
    """``'MIN:MAX'`` -> ``(min, max)``, either side None when empty; None for no option.

    Examples
    --------
    >>> parse_range(":150e-6", "--distance")
    (None, 0.00015)
    """
    if text is None:
        return None
    low, sep, high = text.partition(":")
    try:
        if not sep:
            raise ValueError(text)
        return (float(low) if low.strip() else None, float(high) if high.strip() else None)
    except ValueError:
        raise InvalidArgumentError(
            f"{option} {text!r} is not MIN:MAX; write e.g. {option} 0:100e-6 (either side may be "
            f"empty)"
        ) from None


def parse_filter(text: str) -> Any:
    """An Ibis deferred condition from ``COLUMN OP VALUE``, checked against the pair columns."""
    import ibis.common.exceptions as ibis_errors
    from ibis import _

    from synphys_ibis.query.pairs import any_version_pair_namespace

    match = _FILTER.match(text)
    if not match:
        raise InvalidArgumentError(
            f"--filter {text!r} is not COLUMN OP VALUE with OP one of "
            f"{' '.join(_OPERATORS)}; write e.g. --filter 'synapse_psp_amplitude>1e-4'"
        )
    column, op, raw = match.groups()
    value = _filter_value(raw)
    ops: dict[str, Callable[[Any, Any], Any]] = {
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
        "==": lambda a, b: a == b,
        "=": lambda a, b: a == b,
        "!=": lambda a, b: a != b,
    }
    expr = ops[op](_[column], value)
    namespace = any_version_pair_namespace()  # the database checks its own version's columns
    if column not in namespace.columns:
        raise ColumnNotFoundError.for_name(
            column,
            namespace.columns,
            where="pair query columns",
            hint="Joined columns are named <table>_<column>, e.g. synapse_psp_amplitude.",
        )
    try:
        expr.resolve(namespace)
    except (ibis_errors.IbisError, TypeError, ValueError) as err:
        raise InvalidArgumentError(
            f"--filter {text!r}: cannot compare {column} ({namespace[column].type()}) with {value!r}"
        ) from err
    return expr


def _filter_value(raw: str) -> Any:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1]
    lowered = raw.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return int(raw)
    except ValueError:
        pass
    try:
        return float(raw)
    except ValueError:
        return raw


def load_class_set(name_or_path: str, *, option: str = "--classes") -> dict[str, Any]:
    """A standard class set by name, or the classes of a JSON/YAML file.

    Raises
    ------
    InvalidArgumentError
        For an unknown set name, or a file that is not a mapping of class names to criteria.
    FileNotFoundError
        For a file that does not exist.
    """
    from synphys_ibis.query import cell_class

    sets: dict[str, Callable[[], dict[str, Any]]] = {
        "mouse-layer": cell_class.mouse_layer_classes,
        "tutorial": cell_class.tutorial_classes,
        "human-layer": cell_class.human_layer_classes,
        "mouse-ei": cell_class.mouse_ei_classes,
    }
    if name_or_path in sets:
        return sets[name_or_path]()
    path = Path(name_or_path)
    if path.suffix.lower() not in (".json", ".yaml", ".yml"):
        raise InvalidArgumentError.for_value(
            option, name_or_path, sets, hint="Or give a .json/.yaml/.yml file of classes."
        )
    if not path.is_file():
        raise FileNotFoundError(f"no such class file: {path}")
    data = _read_class_file(path)
    if not isinstance(data, dict) or not data:
        raise InvalidArgumentError(
            f"{path} must map class names to criteria, e.g. "
            '{"l23sst": {"cre_type": "sst", "cortical_layer": "2/3"}}'
        )
    classes = {}
    for name, criteria in data.items():
        if not isinstance(criteria, dict):
            raise InvalidArgumentError(
                f"{path}: class {name!r} must map column names to values, not {criteria!r}"
            )
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in criteria.items()}
        classes[str(name)] = cell_class.CellClass(name=str(name), **values)
    return classes


def _read_class_file(path: Path) -> Any:
    text = path.read_text()
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except ValueError as err:
            raise InvalidArgumentError(f"{path} is not valid JSON: {err}") from err
    try:
        import yaml
    except ImportError as err:
        raise ImportError(
            "reading YAML class files needs PyYAML; install it with: pip install "
            "'synphys_ibis[yaml]' (or give a .json file)"
        ) from err
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise InvalidArgumentError(f"{path} is not valid YAML: {err}") from err


def parse_columns(text: str | None) -> list[str] | None:
    """``'id,distance'`` -> ``['id', 'distance']``; None for no option."""
    if text is None:
        return None
    names = [c.strip() for c in text.split(",") if c.strip()]
    if not names:
        raise InvalidArgumentError("--columns needs comma-separated column names")
    return names


def parse_positive(text: str | None, option: str, *, allow_zero: bool = False) -> int | None:
    """A positive (or with ``allow_zero``, non-negative) integer; None for no option."""
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0 or (value == 0 and not allow_zero):
        kind = "a non-negative" if allow_zero else "a positive"
        raise InvalidArgumentError(f"{option} {text!r} is not {kind} integer")
    return value


def check_format(value: str, allowed: Sequence[str]) -> str:
    """``value`` if it is one of the ``allowed`` ``--format`` values."""
    if value not in allowed:
        raise InvalidArgumentError.for_value("--format", value, allowed)
    return value


# -- databases ---------------------------------------------------------------------------------------
@contextmanager
def open_database(target: str) -> Iterator[Any]:
    """Open ``--db`` (or the demo release for 'demo') and close it afterwards."""
    from synphys_ibis.synphys import SynphysDatabase

    if target == "demo":
        from synphys_ibis.demo import load_demo

        db = load_demo()
    else:
        db = SynphysDatabase.connect(target)
    try:
        yield db
    finally:
        db.close()


def parse_database(target: str, *, writable: bool, schema_version: str | None = None) -> Any:
    """The :class:`~synphys_ibis.database.Database` named by ``target``.

    Addresses are read by :func:`~synphys_ibis.engines.registry.split_address` (as
    :meth:`~synphys_ibis.synphys.SynphysDatabase.connect` reads them); anything else is the path
    of a SQLite file. ``schema_version`` is that of a database to be written.

    Examples
    --------
    >>> parse_database("postgresql://postgres@127.0.0.1:5432/synphys", writable=True)
    Database('postgresql://postgres@127.0.0.1:5432', 'postgresql://postgres@127.0.0.1:5432', 'synphys')
    >>> parse_database("/data/r.sqlite", writable=False)
    Database('sqlite:///', None, '/data/r.sqlite')
    """
    from synphys_ibis.database import Database
    from synphys_ibis.engines.registry import split_address

    host, name = split_address(target) or ("sqlite:///", os.path.abspath(target))
    return Database(host, host if writable else None, name, schema_version=schema_version)


# -- copy options ------------------------------------------------------------------------------------
def parse_skip_columns(values: list[str] | None) -> dict[str, list[str]]:
    """``['pulse_response.data', 'baseline.meta']`` -> ``{'pulse_response': ['data'], ...}``.

    Examples
    --------
    >>> parse_skip_columns(["pulse_response.data,pulse_response.meta", "baseline.data"])
    {'pulse_response': ['data', 'meta'], 'baseline': ['data']}
    """
    result: dict[str, list[str]] = {}
    for value in values or []:
        for item in value.split(","):
            table, dot, column = item.strip().partition(".")
            if not dot or not table or not column:
                raise InvalidArgumentError(
                    f"--skip-columns {item!r} is not allowed; allowed values: table.column"
                )
            result.setdefault(table, []).append(column)
    return result
