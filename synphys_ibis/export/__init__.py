"""Exporting query results: Arrow, pandas, Parquet and CSV writers with provenance, the
array/JSON codecs of stored columns, and Parquet datasets of whole releases.

The writers are re-exported here (``from synphys_ibis import export; export.to_parquet(...)``);
submodules: :mod:`~synphys_ibis.export.writers`, :mod:`~synphys_ibis.export.provenance`,
:mod:`~synphys_ibis.export.codecs`, :mod:`~synphys_ibis.export.parquet` (release datasets) and
:mod:`~synphys_ibis.export.dataset` (their manifest).

Examples
--------
>>> import tempfile, os
>>> from synphys_ibis import SynphysDatabase, CellClass, synthetic, export
>>> tmp = tempfile.mkdtemp()
>>> path = synthetic.write_release(os.path.join(tmp, "demo.sqlite"), n_experiments=5)
>>> with SynphysDatabase.load_sqlite(path, native_cache=False) as db:
...     query = export.record(db, "pair_query", pre_class=CellClass(cre_type="sst"), synapse=True)
...     written = export.to_parquet(query, os.path.join(tmp, "sst.parquet"), progress=False)
>>> record = export.read_provenance(os.path.join(tmp, "sst.parquet"))
>>> record.release, record.params["synapse"], record.params["pre_class"]["criteria"]
('demo.sqlite', True, {'cre_type': 'sst'})
>>> record == written
True
"""

from synphys_ibis.export.writers import (
    PROVENANCE_FORMAT,
    PROVENANCE_KEY,
    SHA256_AUTO_LIMIT,
    MissingProvenanceError,
    Provenance,
    RecordedQuery,
    describe_params,
    provenance_of,
    read_provenance,
    record,
    release_sha256,
    to_arrow,
    to_csv,
    to_pandas,
    to_parquet,
)

__all__ = [
    "PROVENANCE_FORMAT",
    "PROVENANCE_KEY",
    "SHA256_AUTO_LIMIT",
    "MissingProvenanceError",
    "Provenance",
    "RecordedQuery",
    "describe_params",
    "provenance_of",
    "read_provenance",
    "record",
    "release_sha256",
    "to_arrow",
    "to_csv",
    "to_pandas",
    "to_parquet",
]
