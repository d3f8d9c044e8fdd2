"""Parquet datasets of a release: moved to :mod:`synphys_ibis.engines.dataset` (the engines that
read a dataset need its layout, and sit below ``export/``); this path re-exports it.

Examples
--------
>>> location = DatasetLocation.parse("/data/synphys_r2.1_small.parquet")
>>> location.is_local, location.url("pair/part-00000.parquet")
(True, '/data/synphys_r2.1_small.parquet/pair/part-00000.parquet')
"""

from synphys_ibis.engines.dataset import (
    MANIFEST_FORMAT,
    MANIFEST_NAME,
    DatasetFile,
    DatasetLocation,
    DatasetManifest,
    DatasetTable,
    is_dataset,
    read_manifest,
    validate_dataset,
)

__all__ = [
    "MANIFEST_FORMAT",
    "MANIFEST_NAME",
    "DatasetFile",
    "DatasetLocation",
    "DatasetManifest",
    "DatasetTable",
    "is_dataset",
    "read_manifest",
    "validate_dataset",
]
