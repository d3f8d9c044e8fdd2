"""Exporting query results: Arrow, pandas, Parquet and CSV writers with provenance, the
array/JSON codecs of stored columns, and Parquet datasets of whole releases.

The writers are re-exported here (``from synphys_ibis import export; export.to_parquet(...)``);
submodules: :mod:`~synphys_ibis.export.writers`, :mod:`~synphys_ibis.export.provenance`,
:mod:`~synphys_ibis.export.codecs`, :mod:`~synphys_ibis.export.parquet` (release datasets) and
:mod:`~synphys_ibis.export.dataset` (their manifest).
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
