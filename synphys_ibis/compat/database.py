"""``SynphysDatabase`` of the compat layer: aisynphys' query API over a native database.

It wraps a :class:`synphys_ibis.SynphysDatabase` (``db.native``) and offers what aisynphys'
``SynphysDatabase`` offers on the query side: the same loaders and constructor, table handles
named like the ORM classes (``db.Pair``, ``db.CorticalCellLocation``, also ``db.slice``),
``pair_query`` returning a lazy query with ``.all()``/``.dataframe()``, ``matrix_pair_query``
returning a pandas frame, ``db.query(db.Table)`` and the ``*_from_ext_id`` look-ups.

Examples
--------
>>> import os, tempfile
>>> from synphys_ibis import synthetic
>>> from synphys_ibis.compat import SynphysDatabase, CellClass
>>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=6)
>>> db = SynphysDatabase.load_sqlite(path, native_cache=False)
>>> q = db.pair_query(species="mouse", synapse=True, preload=["cell", "synapse"])
>>> pairs = q.all()
>>> bool(pairs[0].synapse.psp_amplitude == q.dataframe()["synapse.psp_amplitude"][0])
True
>>> list(q.dataframe().columns[:3])
['pair.id', 'pair.experiment_id', 'pair.pre_cell_id']
>>> db.query(db.Metadata).all()[0].meta["db_version"]
'22'
>>> db.Synaps
Traceback (most recent call last):
...
synphys_ibis.compat.errors.UnknownTableError: unknown table 'Synaps' in the tables of schema version 22 (as ORM class names); known tables: ... Did you mean 'Synapse'?
>>> db.close()
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import pandas as pd

from synphys_ibis.compat.errors import UnknownTableError, UnsupportedIdiomError
from synphys_ibis.compat.execution import run
from synphys_ibis.compat.expressions import ColumnElement, ColumnRef, Label
from synphys_ibis.compat.frames import FrameColumn, build_frame
from synphys_ibis.compat.pair_query import CompatPairQuery
from synphys_ibis.compat.query import TableQuery
from synphys_ibis.compat.records import Record
from synphys_ibis.compat.tables import TableHandle, class_name, table_for_attribute
from synphys_ibis.errors import InvalidArgumentError
from synphys_ibis.query.cell_class import CellClass, classify
from synphys_ibis.schema.constants import HUMAN_PROJECTS, MOUSE_PROJECTS
from synphys_ibis.synphys import DbSize
from synphys_ibis.synphys import SynphysDatabase as NativeDatabase

__all__ = ["CompatSession", "SynphysDatabase"]


class SynphysDatabase:
    """A release, queried with aisynphys' API (see the module docstring).

    Parameters
    ----------
    ro_host, rw_host, db_name, check_schema
        As aisynphys' constructor: ``SynphysDatabase('sqlite:///', None, path)`` or
        ``SynphysDatabase('postgresql://user@host', None, 'synphys')``.
    **options
        Keywords of the native constructor (``native_cache=``, ``cache_dir=``, ...).
    """

    mouse_projects: ClassVar[list[str]] = list(MOUSE_PROJECTS)
    human_projects: ClassVar[list[str]] = list(HUMAN_PROJECTS)
    default_sample_rate: ClassVar[int] = 20000

    def __init__(
        self,
        ro_host: str,
        rw_host: str | None = None,
        db_name: str | os.PathLike[str] | None = None,
        check_schema: bool = True,
        **options: Any,
    ) -> None:
        self._set_native(NativeDatabase(ro_host, rw_host, db_name, check_schema, **options))

    def _set_native(self, native: NativeDatabase) -> None:
        self.__dict__["native"] = native
        self.__dict__["_handles"] = {}

    @classmethod
    def wrap(cls, native: NativeDatabase) -> SynphysDatabase:
        """The compat view of an open native database (they share connections)."""
        db = object.__new__(cls)
        db._set_native(native)
        return db

    native: NativeDatabase

    # -- opening (aisynphys' loaders) ------------------------------------------------------------
    @classmethod
    def load_sqlite(
        cls, sqlite_file: str | os.PathLike[str], readonly: bool = True, **options: Any
    ) -> SynphysDatabase:
        """Open a SQLite release file (see the native ``load_sqlite``)."""
        return cls.wrap(NativeDatabase.load_sqlite(sqlite_file, readonly, **options))

    @classmethod
    def load_version(cls, db_file: str, **options: Any) -> SynphysDatabase:
        """Download (once) and open a published release by file name."""
        return cls.wrap(NativeDatabase.load_version(db_file, **options))

    @classmethod
    def load_current(cls, db_size: DbSize, **options: Any) -> SynphysDatabase:
        """Download (once) and open the current release of size 'small', 'medium' or 'full'."""
        return cls.wrap(NativeDatabase.load_current(db_size, **options))

    @classmethod
    def connect(cls, target: str | os.PathLike[str], **options: Any) -> SynphysDatabase:
        """Open a release named in any way the native ``connect`` accepts (path, URL, size)."""
        return cls.wrap(NativeDatabase.connect(target, **options))

    @classmethod
    def list_versions(cls, only_supported: bool = False) -> list[dict[str, Any]]:
        return NativeDatabase.list_versions(only_supported)

    @classmethod
    def list_current_versions(cls) -> dict[str, dict[str, Any] | None]:
        return NativeDatabase.list_current_versions()

    # -- what the native database knows ---------------------------------------------------------
    @property
    def schema_version(self) -> str:
        return self.native.schema_version

    @property
    def version_name(self) -> str:
        return self.native.version_name

    @property
    def backend(self) -> str:
        return self.native.backend

    @property
    def db_name(self) -> str | None:
        return self.native.db_name

    @property
    def metadata(self) -> dict[str, Any] | None:
        return self.native.metadata

    def list_project_names(self) -> list[str | None]:
        return self.native.list_project_names()

    def table_names(self) -> list[str]:
        return self.native.table_names()

    def orm_tables(self) -> dict[str, TableHandle]:
        """``{table name: handle}`` of the tables present, in dependency order."""
        return {name: self._handle(name) for name in self.native.table_names()}

    def close(self) -> None:
        self.native.close()

    def dispose_engines(self) -> None:
        self.native.dispose_engines()

    def __enter__(self) -> SynphysDatabase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<compat {self.native!r}>"

    # -- table handles ----------------------------------------------------------------------
    def _handle(self, table: str) -> TableHandle:
        handles: dict[str, TableHandle] = self.__dict__["_handles"]
        if table not in handles:
            handles[table] = TableHandle(self.native.rules, table)
        return handles[table]

    def __getattr__(self, name: str) -> TableHandle:
        if name.startswith("_") or "native" not in self.__dict__:
            raise AttributeError(name)
        rules = self.native.rules
        table = table_for_attribute(name, rules)
        if table is not None:
            return self._handle(table)
        known = [class_name(t) for t in rules.schema.table_names()]
        raise UnknownTableError.for_name(
            name, known, where=f"the tables of schema version {rules.version} (as ORM class names)"
        )

    # -- queries ----------------------------------------------------------------------------
    def pair_query(
        self,
        pre_class: CellClass | None = None,
        post_class: CellClass | None = None,
        synapse: bool | None = None,
        synapse_type: str | None = None,
        synapse_probed: bool | None = None,
        electrical: bool | None = None,
        experiment_type: str | None = None,
        project_name: str | Sequence[str] | None = None,
        acsf: str | Sequence[str] | None = None,
        age: tuple[float | None, float | None] | None = None,
        species: str | None = None,
        distance: tuple[float | None, float | None] | None = None,
        internal: str | Sequence[str] | None = None,
        preload: Sequence[str] = (),
        session: Any = None,
        filter_exprs: Sequence[Any] | None = None,
    ) -> CompatPairQuery:
        """Pairs of cells, filtered as aisynphys' ``pair_query`` filters them; lazy.

        ``filter_exprs`` may hold compat expressions (``db.Synapse.psp_amplitude > 1e-4``) and
        anything the native ``pair_query`` accepts (Ibis deferreds). ``session`` is accepted
        and ignored (every query reads the database's read-only connection). See the native
        :meth:`synphys_ibis.SynphysDatabase.pair_query` for the arguments and the errors.
        """
        compat = tuple(f for f in filter_exprs or () if isinstance(f, ColumnElement))
        others = [f for f in filter_exprs or () if not isinstance(f, ColumnElement)]
        arguments = {
            "pre_class": pre_class,
            "post_class": post_class,
            "synapse": synapse,
            "synapse_type": synapse_type,
            "synapse_probed": synapse_probed,
            "electrical": electrical,
            "experiment_type": experiment_type,
            "project_name": project_name,
            "acsf": acsf,
            "age": age,
            "species": species,
            "distance": distance,
            "internal": internal,
            "preload": preload,
            "filter_exprs": others or None,
        }
        return CompatPairQuery(self.native, arguments, compat)

    def matrix_pair_query(
        self,
        pre_classes: Mapping[str, CellClass],
        post_classes: Mapping[str, CellClass],
        columns: Sequence[Any] | None = None,
        pair_query_args: Mapping[str, Any] | None = None,
    ) -> pd.DataFrame | None:
        """Pairs of every (pre, post) class combination as ONE pandas frame, as aisynphys.

        The pair table's columns under their bare names, then ``columns`` (compat columns such
        as ``db.Synapse.latency``, optionally ``.label()``-ed, or pair-query names) under their
        column name or label, then ``pre_class`` / ``post_class`` holding the dict keys. A pair
        appears once per class combination it belongs to; the index restarts at 0 for each
        combination, as aisynphys' concatenation of per-combination frames. One statement
        (aisynphys ran one per combination). None when either dict is empty.
        """
        pre, post = classify(pre_classes), classify(post_classes)
        if not pre or not post:
            return None
        publics, frame_columns = self._matrix_columns(columns or ())
        table = self.native.matrix_pair_query(
            pre, post, columns=publics, pair_query_args=pair_query_args
        )
        arrow = run(table, "matrix pair query")
        keys = pd.DataFrame(
            {
                "pre": pd.Series(arrow.column("pre_class").to_pylist()).map(
                    {name: i for i, name in enumerate(pre)}
                ),
                "post": pd.Series(arrow.column("post_class").to_pylist()).map(
                    {name: i for i, name in enumerate(post)}
                ),
                "id": arrow.column("id").to_pylist(),
            }
        ).sort_values(["pre", "post", "id"], kind="stable")
        arrow = arrow.take(keys.index.to_numpy())
        frame = build_frame(arrow, frame_columns, rename_columns=False)
        frame["pre_class"] = arrow.column("pre_class").to_pylist()
        frame["post_class"] = arrow.column("post_class").to_pylist()
        frame.index = pd.Index(keys.groupby(["pre", "post"]).cumcount().to_numpy())
        return frame

    def _matrix_columns(self, columns: Sequence[Any]) -> tuple[list[str], list[FrameColumn]]:
        rules = self.native.rules
        frame = [
            FrameColumn(c.name, f"pair.{c.name}", c.name, c.type)
            for c in rules.schema.table("pair").columns
        ]
        publics: list[str] = []
        for column in columns:
            kind: str | None = None
            element = column.element if isinstance(column, Label) else column
            if isinstance(element, ColumnRef) and element.public is not None:
                public, kind, name = element.public, element.kind, column.name
            elif isinstance(column, str):
                public = column.replace(".", "_")
                alias, name = rules.pair_columns.get(public, (None, public))
                spec = rules.schema.table("pair" if alias is None else rules.aliases[alias].table)
                kind = spec.column(name).type if spec.has_column(name) else None
            else:
                raise InvalidArgumentError(
                    f"matrix_pair_query columns must be columns of the pair query's tables "
                    f"(db.Synapse.latency, 'synapse_latency'); got {column!r}"
                )
            publics.append(public)
            frame.append(FrameColumn(public, name, name, kind))
        return publics, frame

    def query(self, *entities: Any) -> TableQuery:
        """``db.query(db.Experiment)``: one table's rows as records (``.filter``, ``.all``, ...).

        Raises
        ------
        UnsupportedIdiomError
            For several entities or column entities (``db.query(db.Pair.id, ...)``).
        """
        if len(entities) == 1 and isinstance(entities[0], TableHandle):
            return TableQuery(self.native.catalog, entities[0])
        raise UnsupportedIdiomError.for_idiom(
            f"db.query({', '.join(repr(e) for e in entities)})",
            compat="db.query(db.Table) for one table, or db.pair_query(...).add_columns(...)",
            native="db.table('<table>') and Ibis select/join",
            why="only single-table queries are reproduced",
        )

    def session(self, readonly: bool = True) -> CompatSession:
        """A session-like object whose ``query`` is :meth:`query` (read-only)."""
        if not readonly:
            raise UnsupportedIdiomError.for_idiom(
                "db.session(readonly=False)",
                native="synphys_ibis.maintenance (create_tables, clone_database, bake_sqlite)",
                why="the compat layer is read-only",
            )
        return CompatSession(self)

    @property
    def default_session(self) -> CompatSession:
        return CompatSession(self)

    # -- look-ups by external id --------------------------------------------------------------
    def experiment_from_ext_id(self, ext_id: str) -> Record:
        """The experiment with this ``ext_id`` (e.g. ``'1537226662.484'``)."""
        return self._only(self.query(self.Experiment).filter(self.Experiment.ext_id == ext_id))

    def slice_from_ext_id(self, ext_id: str) -> Record:
        return self._only(self.query(self.Slice).filter(self.Slice.ext_id == ext_id))

    def experiment_from_timestamp(self, timestamp: float) -> Record:
        """The experiment acquired at ``timestamp`` (within 0.01 s, as aisynphys)."""
        experiment = self.Experiment
        close = (experiment.acq_timestamp > timestamp - 0.01) & (
            experiment.acq_timestamp < timestamp + 0.01
        )
        return self._only(self.query(experiment).filter(close))

    def list_experiments(self) -> list[Record]:
        return self.query(self.Experiment).all()

    def pair_from_ext_id(self, ext_id: tuple[str, str, str]) -> Record:
        """The pair ``(experiment ext_id, pre cell ext_id, post cell ext_id)``."""
        expt, pre, post = ext_id
        query = self.pair_query(filter_exprs=[self.Experiment.ext_id == expt])
        return self._only(
            query.filter(query.pre_cell.ext_id == pre, query.post_cell.ext_id == post)
        )

    def cell_from_ext_id(self, ext_id: tuple[str, str]) -> Record:
        """The cell ``(experiment ext_id, cell ext_id)``."""
        expt, cell = ext_id
        experiment = self.experiment_from_ext_id(expt)
        matches = [c for c in experiment.cell_list if c.ext_id == cell]
        if len(matches) != 1:
            raise KeyError(f"no cell {cell!r} in experiment {expt!r}")
        return matches[0]

    @staticmethod
    def _only(query: Any) -> Record:
        rows = query.limit(2).all()
        if len(rows) != 1:
            what = "no" if not rows else "several"
            raise KeyError(f"{what} rows match {query!r}")
        return rows[0]


class CompatSession:
    """``db.session()``: only ``query`` (one table) and ``close``, read-only."""

    def __init__(self, db: SynphysDatabase) -> None:
        self._db = db

    def query(self, *entities: Any) -> TableQuery:
        return self._db.query(*entities)

    def close(self) -> None:
        """Nothing to close: queries use the database's connection."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        raise UnsupportedIdiomError.for_idiom(
            f"session.{name}",
            compat="session.query(db.Table) or db.pair_query(...)",
            native="db.table('<table>') (lazy Ibis tables; writes go through "
            "synphys_ibis.maintenance)",
            why="the compat session only reads",
        )
