"""Published releases: manifests, listing, download, verification and cache.

Downloads go to a real HTTP server on 127.0.0.1 (:mod:`tests.release_server`) serving synthetic
releases with correct metadata; nothing in the network stack or the database is mocked.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from synphys_ibis import SynphysDatabase, releases, synthetic
from synphys_ibis.cli import main
from synphys_ibis.engines import sqlite as sqlite_engine
from synphys_ibis.errors import (
    DownloadError,
    InvalidArgumentError,
    SynphysError,
    UnknownReleaseError,
    VerificationError,
)
from synphys_ibis.releases import cache as release_cache
from synphys_ibis.releases.manifest import ManifestError, parse_manifest, read_manifest
from tests.release_server import ReleaseServer

SMALL = "synphys_r2.1_small.sqlite"
MEDIUM = "synphys_r2.1_medium.sqlite"
WRONG_SCHEMA = "synphys_r2.0_small.sqlite"  # holds a schema-21 release; the manifest says 22
NOT_SQLITE = "synphys_r2.0_medium.sqlite"  # an HTML page, as a misconfigured mirror returns
# a release whose header does not record its page count (as SQLite before 3.7.0 wrote them), so
# that only a structural check can tell a file cut at a page boundary from a whole one
LEGACY = "synphys_r2.0-pre5_small.sqlite"
# large enough (2.6 MB) that the schema and metadata pages survive damage further on
LARGER = "synphys_r2.0-pre4_medium.sqlite"
ALL = (WRONG_SCHEMA, NOT_SQLITE, SMALL, MEDIUM, LEGACY, LARGER)

PUBLISHED_ORDER = [
    "synphys_r1.0_2019-08-29_small.sqlite",
    "synphys_r1.0_small.sqlite",
    "synphys_r1.0_2019-08-29_medium.sqlite",
    "synphys_r1.0_medium.sqlite",
    "synphys_r1.0_2019-08-29_full.sqlite",
    "synphys_r1.0_full.sqlite",
    "synphys_r2.0-pre1_small.sqlite",
    "synphys_r2.0-pre1_medium.sqlite",
    "synphys_r2.0-pre1_full.sqlite",
    "synphys_r2.0-pre2_small.sqlite",
    "synphys_r2.0-pre2_medium.sqlite",
    "synphys_r2.0-pre3_small.sqlite",
    "synphys_r2.0-pre3_medium.sqlite",
    "synphys_r2.0-pre4_small.sqlite",
    "synphys_r2.0-pre4_medium.sqlite",
    "synphys_r2.0-pre5_small.sqlite",
    "synphys_r2.0-pre5_medium.sqlite",
    "synphys_r2.0_small.sqlite",
    "synphys_r2.0_medium.sqlite",
    "synphys_r2.0_full.sqlite",
    "synphys_r2.1_small.sqlite",
    "synphys_r2.1_medium.sqlite",
    "synphys_r2.1_full.sqlite",
]


# -- fixtures ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("served")
    synthetic.write_release(root / SMALL, n_experiments=3, seed=1)
    synthetic.write_release(root / MEDIUM, n_experiments=5, seed=2)
    synthetic.write_release(root / WRONG_SCHEMA, n_experiments=2, seed=3, schema_version="21")
    (root / NOT_SQLITE).write_bytes(b"<html>not found</html>\n" * 4096)
    synthetic.write_release(root / LARGER, n_experiments=60, seed=5)
    legacy = bytearray(
        synthetic.write_release(root / LEGACY, n_experiments=60, seed=4).read_bytes()
    )
    legacy[92:96] = (int.from_bytes(legacy[24:28], "big") + 1).to_bytes(4, "big")
    (root / LEGACY).write_bytes(legacy)  # 'version-valid-for' != change counter: no page count
    return root


@pytest.fixture
def server(served: Path) -> Iterator[ReleaseServer]:
    srv = ReleaseServer(served).start()
    yield srv
    srv.stop()


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("SYNPHYS_IBIS_CACHE_DIR", str(directory))
    monkeypatch.delenv("SYNPHYS_IBIS_OFFLINE", raising=False)
    monkeypatch.delenv("SYNPHYS_IBIS_MANIFEST", raising=False)
    return directory


def write_manifest(path: Path, base_url: str, **extra: dict[str, Any]) -> Path:
    """An upstream-format manifest serving ALL from ``base_url``; ``extra`` adds entry keys."""
    entries = [{"file": name, "schema_version": "22", **extra.get(name, {})} for name in ALL]
    data = {"default_url_path": base_url, "databases": entries, "note": "extra keys are fine"}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def manifest(
    tmp_path: Path, server: ReleaseServer, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The test manifest, named by SYNPHYS_IBIS_MANIFEST."""
    path = write_manifest(tmp_path / "manifest.json", server.url)
    monkeypatch.setenv("SYNPHYS_IBIS_MANIFEST", str(path))
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(cache: Path) -> list[str]:
    """Files and directories in the release cache other than lock files and saved manifests."""
    directory = cache / "releases"
    if not directory.exists():
        return []
    return sorted(
        p.name for p in directory.iterdir() if p.suffix != ".lock" and p.name != "manifests"
    )


# -- listing -----------------------------------------------------------------------------------
def test_published_order_and_current_versions(cache: Path) -> None:
    versions = releases.list_versions()
    assert [v["db_file"] for v in versions] == PUBLISHED_ORDER
    assert set(versions[0]) >= {"db_file", "release_version", "db_size", "schema_version"}
    alias = versions[0]
    assert (alias["release_version"], alias["db_size"], alias["schema_version"]) == (
        "1.0",
        "small",
        "15",
    )
    assert alias["file"] == "synphys_r1.0_small.sqlite"
    assert (
        alias["url"] == "https://allen-synphys.s3-us-west-2.amazonaws.com/synphys_r1.0_small.sqlite"
    )
    supported = [v["db_file"] for v in releases.list_versions(only_supported=True)]
    assert supported == PUBLISHED_ORDER  # every published schema version (15-22) is supported
    current = SynphysDatabase.list_current_versions()
    assert {size: v and v["db_file"] for size, v in current.items()} == {
        "small": "synphys_r2.1_small.sqlite",
        "medium": "synphys_r2.1_medium.sqlite",
        "full": "synphys_r2.1_full.sqlite",
    }
    assert SynphysDatabase.list_versions() == versions


def test_current_is_the_last_supported_entry_of_each_size(cache: Path) -> None:
    data = {
        "default_url_path": "https://example.org",
        "databases": [
            {"file": "synphys_r3.0-pre1_small.sqlite", "schema_version": "23"},  # unsupported
            {"file": "synphys_r2.0_small.sqlite", "schema_version": "22"},
            {"file": "synphys_r2.0-pre9_full.sqlite", "schema_version": "22"},
            {"file": "synphys_r2.0-pre10_full.sqlite", "schema_version": "22"},
        ],
    }
    current = releases.list_current_versions(manifest=data)
    assert current["small"]["db_file"] == "synphys_r2.0_small.sqlite"
    assert current["medium"] is None
    assert current["full"]["db_file"] == "synphys_r2.0-pre10_full.sqlite"
    with pytest.raises(UnknownReleaseError, match=r"no 'medium' release .* supported schema"):
        releases.fetch_current("medium", manifest=data)


def test_unknown_names_list_the_valid_ones(cache: Path) -> None:
    with pytest.raises(UnknownReleaseError) as info:
        releases.fetch("synphys_r2.1_smal.sqlite")
    message = str(info.value)
    assert "'synphys_r2.1_smal.sqlite'" in message
    assert "Did you mean 'synphys_r2.1_small.sqlite'?" in message
    assert "'synphys_r1.0_full.sqlite'" in message  # the known names are listed
    assert isinstance(info.value, ValueError) and isinstance(info.value, SynphysError)
    with pytest.raises(UnknownReleaseError, match="Did you mean 'small'"):
        SynphysDatabase.load_current("smal")
    assert releases.find_release("synphys_r1.0_2019-08-29_full.sqlite").file == (
        "synphys_r1.0_full.sqlite"
    )


# -- manifests ---------------------------------------------------------------------------------
def test_manifest_upstream_format_extra_keys_and_errors(tmp_path: Path) -> None:
    digest = "AB" * 32
    manifest = parse_manifest(
        {
            "default_url_path": "https://mirror.example/synphys/",
            "databases": [
                {
                    "file": "synphys_r2.1_small.sqlite",
                    "schema_version": 22,
                    "sha256": digest,
                    "size": 123,
                    "comment": "ignored",
                },
                {
                    "file": "custom.sqlite",
                    "schema_version": "22",
                    "release_version": "2.1",
                    "db_size": "medium",
                    "url": "s3://bucket/custom.sqlite",
                },
            ],
        }
    )
    small = manifest.lookup("synphys_r2.1_small.sqlite")
    assert small is not None
    assert (small.url, small.sha256, small.size, small.schema_version) == (
        "https://mirror.example/synphys/synphys_r2.1_small.sqlite",
        digest.lower(),
        123,
        "22",
    )
    custom = manifest.lookup("custom.sqlite")
    assert custom is not None and (custom.url, custom.db_size) == (
        "s3://bucket/custom.sqlite",
        "medium",
    )
    assert parse_manifest(manifest.to_json()).files == manifest.files

    bad_entries: list[tuple[dict[str, Any], str]] = [
        ({"file": "notes.sqlite", "schema_version": "22"}, "does not match"),
        ({"file": "synphys_r2.1_small.sqlite"}, "schema_version"),
        ({"file": "synphys_r2.1_small.sqlite", "schema_version": "22", "sha256": "x"}, "sha256"),
        ({"file": "synphys_r2.1_small.sqlite", "schema_version": "22", "size": -1}, "size"),
    ]
    for entry, problem in bad_entries:
        with pytest.raises(ManifestError, match=problem):
            parse_manifest({"default_url_path": "https://x", "databases": [entry]})
    with pytest.raises(ManifestError, match="twice"):
        parse_manifest(
            {
                "default_url_path": "https://x",
                "databases": [
                    {"file": "synphys_r2.1_small.sqlite", "schema_version": "22"},
                    {
                        "file": "synphys_r2.2_small.sqlite",
                        "schema_version": "22",
                        "aliases": ["synphys_r2.1_small.sqlite"],
                    },
                ],
            }
        )

    # a relative default_url_path is relative to the manifest file
    (tmp_path / "mirror").mkdir()
    path = tmp_path / "m.json"
    path.write_text(
        json.dumps(
            {
                "default_url_path": "mirror",
                "databases": [{"file": "synphys_r2.1_small.sqlite", "schema_version": "22"}],
            }
        )
    )
    assert read_manifest(path).files[0].url == (tmp_path / "mirror" / SMALL).as_uri()


def test_manifest_from_url_saved_copy_and_refresh_fallback(
    tmp_path: Path, served: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    srv = ReleaseServer(tmp_path).start()
    write_manifest(tmp_path / "manifest.json", srv.url)
    url = f"{srv.url}/manifest.json"
    monkeypatch.setenv("SYNPHYS_IBIS_MANIFEST", url)
    assert releases.load_manifest().source == url
    assert releases.find_release("small").url == f"{srv.url}/{SMALL}"

    # a local manifest naming a live one: refresh reads it
    local = tmp_path / "local.json"
    local.write_text(
        json.dumps(
            {
                "live_manifest_url": url,
                "default_url_path": "https://x",
                "databases": [{"file": SMALL, "schema_version": "22"}],
            }
        )
    )
    assert releases.load_manifest(local, refresh=True).source == url
    dead = srv.url  # nothing listens there once the server is stopped
    srv.stop()

    with pytest.warns(UserWarning, match="saved at"):
        saved = releases.load_manifest()  # the URL is gone: the saved copy is used
    assert saved.files == read_manifest(tmp_path / "manifest.json").files
    with pytest.warns(UserWarning, match="saved at"):
        assert releases.load_manifest(local, refresh=True).source == f"{url} (saved copy)"

    # refresh with a live URL never read before falls back to the manifest itself
    never = tmp_path / "never.json"
    never.write_text(
        json.dumps(
            {
                "live_manifest_url": f"{dead}/live.json",
                "default_url_path": "https://x",
                "databases": [{"file": SMALL, "schema_version": "22"}],
            }
        )
    )
    with pytest.warns(
        UserWarning, match=rf"could not read the release manifest .* using {re.escape(str(never))}"
    ):
        assert releases.load_manifest(never, refresh=True).source == str(never)

    monkeypatch.setenv("SYNPHYS_IBIS_MANIFEST", f"{dead}/never-saved.json")
    with pytest.raises(DownloadError, match="no copy of it is saved"):
        releases.load_manifest()

    # offline: no request, no warning; refresh falls back quietly
    monkeypatch.delenv("SYNPHYS_IBIS_MANIFEST")
    monkeypatch.setenv("SYNPHYS_IBIS_OFFLINE", "1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert releases.load_manifest(refresh=True).source == "<bundled>"


# -- downloads ---------------------------------------------------------------------------------
def test_first_download_then_cached_reopen_with_server_stopped(
    manifest: Path,
    server: ReleaseServer,
    served: Path,
    cache: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = releases.fetch(SMALL)
    assert path == cache / "releases" / SMALL
    assert sha256(path) == sha256(served / SMALL)
    err = capsys.readouterr().err
    assert "100%" in err and "B/s" in err  # the progress bar: size, rate, time
    marker = release_cache.read_marker(path)
    assert marker is not None and marker.sha256 == sha256(served / SMALL)
    assert marker.sha256_source == "first download" and marker.size == path.stat().st_size
    assert [r[3] for r in server.requests_for(SMALL)] == [200]
    assert leftovers(cache) == [SMALL, SMALL + ".verified.json"]

    server.stop()
    assert releases.fetch(SMALL, progressbar=False) == path
    with SynphysDatabase.load_current("small", native_cache=False) as db:
        assert db.schema_version == "22"
        assert db.table("pair").count().execute() > 0
    with SynphysDatabase.connect(SMALL, native_cache=False) as db:
        assert db.schema_version == "22"


def test_offline_mode_never_touches_the_network(
    manifest: Path, server: ReleaseServer, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNPHYS_IBIS_OFFLINE", "1")
    with pytest.raises(DownloadError) as info:
        releases.fetch("small")
    assert SMALL in str(info.value) and "not in the cache" in str(info.value)
    assert str(cache / "releases" / SMALL) in str(info.value)
    assert server.log == []

    monkeypatch.delenv("SYNPHYS_IBIS_OFFLINE")
    path = releases.fetch("small", progressbar=False)
    monkeypatch.setenv("SYNPHYS_IBIS_OFFLINE", "1")
    server.log.clear()
    assert releases.fetch("small") == path
    assert server.log == []


def test_sha256_mismatch_leaves_nothing(
    tmp_path: Path, server: ReleaseServer, served: Path, cache: Path
) -> None:
    wrong = write_manifest(tmp_path / "wrong.json", server.url, **{SMALL: {"sha256": "0" * 64}})
    with pytest.raises(VerificationError, match=r"sha256 .* does not match"):
        releases.fetch(SMALL, manifest=wrong, progressbar=False)
    assert leftovers(cache) == []

    right = write_manifest(
        tmp_path / "right.json", server.url, **{SMALL: {"sha256": sha256(served / SMALL)}}
    )
    path = releases.fetch(SMALL, manifest=right, progressbar=False)
    marker = release_cache.read_marker(path)
    assert marker is not None and marker.sha256_source == "manifest"
    # the manifest now names other content: the cached file is stale and is downloaded again
    server.log.clear()
    with pytest.raises(VerificationError):
        releases.fetch(SMALL, manifest=wrong, progressbar=False)
    assert len(server.requests_for(SMALL)) == 1 and leftovers(cache) == []


def test_size_mismatch_is_refused(tmp_path: Path, server: ReleaseServer, cache: Path) -> None:
    wrong = write_manifest(tmp_path / "size.json", server.url, **{SMALL: {"size": 1234}})
    with pytest.raises(DownloadError, match="manifest says 1234"):
        releases.fetch(SMALL, manifest=wrong, progressbar=False)
    assert leftovers(cache) == []


def test_truncated_transfer_then_resume(
    manifest: Path, server: ReleaseServer, served: Path, cache: Path
) -> None:
    server.modes[SMALL] = "truncate"  # every response stops half-way
    with pytest.raises(DownloadError, match="without progress"):
        releases.fetch(SMALL, progressbar=False)
    full = (served / SMALL).stat().st_size
    # nothing a later call would take as complete; the partial file is kept for resuming
    assert not (cache / "releases" / SMALL).exists()
    assert leftovers(cache) == [SMALL + ".part", SMALL + ".part.json"]
    kept = (cache / "releases" / (SMALL + ".part")).stat().st_size
    assert 0 < kept <= full // 2  # bytes of a chunk cut short are not kept
    assert [f.status for f in releases.list_cache()] == ["partial"]
    assert len(server.requests_for(SMALL)) == 4  # 1 that added bytes + 3 that did not

    server.modes[SMALL] = "ok"
    server.log.clear()
    path = releases.fetch(SMALL, progressbar=False)
    assert sha256(path) == sha256(served / SMALL)
    [(_, _, range_header, status)] = server.requests_for(SMALL)
    assert range_header == f"bytes={kept}-" and status == 206
    assert leftovers(cache) == [SMALL, SMALL + ".verified.json"]
    assert release_cache.read_marker(path).sha256 == sha256(served / SMALL)


def test_dropped_connection_resumes_with_range(
    manifest: Path, server: ReleaseServer, served: Path, cache: Path
) -> None:
    server.modes[SMALL] = "truncate_once"
    path = releases.fetch(SMALL, progressbar=False)
    full = (served / SMALL).stat().st_size
    [(_, _, first, status1), (_, _, second, status2)] = server.requests_for(SMALL)
    assert (first, status1, status2) == (None, 200, 206)
    assert 0 < int(second.removeprefix("bytes=").rstrip("-")) <= full // 2
    assert sha256(path) == sha256(served / SMALL)
    # the hash computed while streaming across the two requests is the file's
    assert release_cache.read_marker(path).sha256 == sha256(served / SMALL)


def test_server_without_range_support_restarts(
    manifest: Path, server: ReleaseServer, served: Path, cache: Path
) -> None:
    server.modes[SMALL] = "truncate"
    with pytest.raises(DownloadError):
        releases.fetch(SMALL, progressbar=False)
    server.modes[SMALL] = "no_range"
    path = releases.fetch(SMALL, progressbar=False)
    assert sha256(path) == sha256(served / SMALL)
    assert release_cache.read_marker(path).sha256 == sha256(served / SMALL)


# -- broken mirrors: nothing corrupt is ever kept ---------------------------------------------
def test_resumed_206_whose_body_restarts_at_byte_0_is_not_kept(
    manifest: Path, server: ReleaseServer, served: Path, cache: Path
) -> None:
    server.modes[LARGER] = "resume_from_zero"  # right Content-Range and length, wrong bytes
    with pytest.raises(VerificationError) as info:
        releases.fetch(LARGER, progressbar=False)
    message = str(info.value)
    assert LARGER in message and "quick_check" in message and "resumed at byte" in message
    assert "nothing was kept" in message
    assert [r[3] for r in server.requests_for(LARGER)] == [200, 206]
    assert leftovers(cache) == []
    assert releases.verify_cache() == []
    # the next call starts again from byte 0 and gets the right file
    server.modes[LARGER] = "ok"
    server.log.clear()
    path = releases.fetch(LARGER, progressbar=False)
    assert sha256(path) == sha256(served / LARGER)
    assert [r[2] for r in server.requests_for(LARGER)] == [None]


def test_206_with_a_wrong_content_range_start_restarts_from_byte_0(
    manifest: Path,
    server: ReleaseServer,
    served: Path,
    cache: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server.modes[SMALL] = "wrong_range"  # 'Content-Range: bytes 0-...' answers 'Range: bytes=N-'
    with caplog.at_level("WARNING", logger="synphys_ibis"):
        path = releases.fetch(SMALL, progressbar=False)
    assert sha256(path) == sha256(served / SMALL)
    requests = server.requests_for(SMALL)
    assert [(r[2] is None, r[3]) for r in requests] == [(True, 200), (False, 206), (True, 200)]
    [warning] = [r for r in caplog.records if r.levelname == "WARNING"]
    assert "Content-Range 'bytes 0-" in warning.getMessage()
    assert f"bytes={requests[1][2].removeprefix('bytes=')}" in warning.getMessage()
    assert "restarting from byte 0" in warning.getMessage()
    assert leftovers(cache) == [SMALL, SMALL + ".verified.json"]


def test_flipped_bytes_without_a_manifest_sha256_are_not_kept(
    manifest: Path, server: ReleaseServer, cache: Path
) -> None:
    assert releases.find_release(LARGER).sha256 is None  # as in the bundled manifest
    server.modes[LARGER] = "flip"
    with pytest.raises(VerificationError, match=rf"{re.escape(LARGER)}: .*quick_check"):
        releases.fetch(LARGER, progressbar=False)
    assert leftovers(cache) == []
    assert releases.list_cache() == []


def test_body_cut_at_a_page_boundary_is_not_kept(
    manifest: Path, server: ReleaseServer, cache: Path
) -> None:
    server.modes[LEGACY] = "short_close"  # no Content-Length: the cut looks like the end
    with pytest.raises(VerificationError, match=rf"{re.escape(LEGACY)}: .*quick_check"):
        releases.fetch(LEGACY, progressbar=False)
    assert leftovers(cache) == []
    server.modes[LEGACY] = "ok"  # the same file served whole passes
    assert releases.fetch(LEGACY, progressbar=False).is_file()


def test_verify_cache_rechecks_structure_and_the_recorded_sha256(
    manifest: Path, server: ReleaseServer, served: Path, cache: Path
) -> None:
    path = releases.fetch(SMALL, progressbar=False)
    release = releases.find_release(SMALL)
    [check] = releases.verify_cache()
    assert check.ok and check.sha256 == sha256(served / SMALL)

    # damaged after the download, mtime kept: both the recorded sha256 and the structure fail
    stat = path.stat()
    data = bytearray(path.read_bytes())
    middle = len(data) // 2 // 4096 * 4096
    data[middle : middle + 4096] = bytes(b ^ 0xFF for b in data[middle : middle + 4096])
    path.write_bytes(data)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    [check] = releases.verify_cache()
    assert not check.ok
    assert "changed after it was verified" in check.problem and "quick_check" in check.problem

    # a corrupt file whose marker records its own sha256 (what earlier versions kept when the
    # manifest had no sha256): the hash agrees, the structure does not
    release_cache.write_marker(path, release, sha256=sha256(path))
    assert release_cache.cache_state(path, release) == "verified"
    [check] = releases.verify_cache()
    assert not check.ok and "quick_check" in check.problem
    assert "changed after it was verified" not in check.problem
    [check] = releases.verify_cache(remove_bad=True)
    assert check.removed and leftovers(cache) == []


def test_structure_check_of_huge_files_is_limited_to_the_query_tables(
    manifest: Path, server: ReleaseServer, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNPHYS_IBIS_QUICK_CHECK_MAX_GB", "0.0001")  # 100 kB: SMALL is larger
    path = releases.fetch(SMALL, progressbar=False)
    [check] = releases.verify_cache()
    assert check.ok
    # a damaged page of a table that queries do not read passes the limited check ...
    with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as con:
        [[root]] = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'pipeline'")
        page_size = con.execute("PRAGMA page_size").fetchone()[0]
    stat = path.stat()
    with open(path, "r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\xff" * 16)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    release_cache.write_marker(path, releases.find_release(SMALL), sha256=sha256(path))
    assert releases.verify_cache()[0].ok
    # ... and not the check of the whole file
    monkeypatch.setenv("SYNPHYS_IBIS_QUICK_CHECK_MAX_GB", "inf")
    [check] = releases.verify_cache()
    assert not check.ok and "quick_check" in check.problem
    monkeypatch.setenv("SYNPHYS_IBIS_QUICK_CHECK_MAX_GB", "lots")
    with pytest.raises(InvalidArgumentError, match="SYNPHYS_IBIS_QUICK_CHECK_MAX_GB='lots'"):
        releases.verify_cache()


def test_metadata_and_header_reads_create_no_files_beside_a_wal_release(tmp_path: Path) -> None:
    (tmp_path / "wal").mkdir()
    path = synthetic.write_release(tmp_path / "wal" / "r.sqlite", n_experiments=2)
    with contextlib.closing(sqlite3.connect(path)) as con:
        assert con.execute("PRAGMA journal_mode = WAL").fetchone() == ("wal",)
    assert sorted(p.name for p in path.parent.iterdir()) == ["r.sqlite"]
    assert path.read_bytes()[18:20] == b"\x02\x02"  # WAL mode is recorded in the header
    assert sqlite_engine.read_schema_version(path) == "22"
    assert "pair" in sqlite_engine.read_table_columns(path)
    assert sqlite_engine.check_structure(path) == []
    release_cache.validate(path, releases.find_release(SMALL, manifest=_one_file_manifest()))
    assert sorted(p.name for p in path.parent.iterdir()) == ["r.sqlite"]


def _one_file_manifest() -> dict[str, Any]:
    return {
        "default_url_path": "https://example.org",
        "databases": [{"file": SMALL, "schema_version": "22"}],
    }


def test_server_error(manifest: Path, server: ReleaseServer, cache: Path) -> None:
    server.modes[SMALL] = "error"
    with pytest.raises(DownloadError, match="HTTP 500"):
        SynphysDatabase.load_version(SMALL, progressbar=False)
    assert leftovers(cache) == []
    with pytest.raises(DownloadError, match="HTTP 404"):
        releases.fetch(
            SMALL,
            manifest={
                "default_url_path": server.url + "/missing",
                "databases": [{"file": SMALL, "schema_version": "22"}],
            },
        )


def test_schema_version_disagreeing_with_the_manifest(
    manifest: Path, server: ReleaseServer, cache: Path
) -> None:
    with pytest.raises(VerificationError, match=r"schema version '21'.*manifest says '22'"):
        releases.fetch(WRONG_SCHEMA, progressbar=False)
    assert leftovers(cache) == []
    with pytest.raises(VerificationError, match="not a SQLite database"):
        releases.fetch(NOT_SQLITE, progressbar=False)
    assert leftovers(cache) == []


def test_file_url_through_fsspec(served: Path, cache: Path) -> None:
    data = {
        "default_url_path": served.as_uri(),
        "databases": [
            {"file": SMALL, "schema_version": "22"},
            {"file": WRONG_SCHEMA, "schema_version": "22"},
        ],
    }
    path = releases.fetch("small", manifest=data, progressbar=False)
    assert sha256(path) == sha256(served / SMALL)
    with pytest.raises(VerificationError):
        releases.fetch(WRONG_SCHEMA, manifest=data, progressbar=False)
    assert leftovers(cache) == [SMALL, SMALL + ".verified.json"]


def test_cache_dir_override(
    manifest: Path, server: ReleaseServer, cache: Path, tmp_path: Path
) -> None:
    explicit = tmp_path / "explicit"
    path = releases.fetch(SMALL, cache_dir=explicit, progressbar=False)
    assert path == explicit / "releases" / SMALL
    assert not (cache / "releases" / SMALL).exists()
    assert releases.fetch(SMALL, progressbar=False) == cache / "releases" / SMALL  # the env var
    with SynphysDatabase.load_version(
        SMALL, cache_dir=tmp_path / "third", native_cache=False, progressbar=False
    ) as db:
        assert db.db_name == str((tmp_path / "third" / "releases" / SMALL).resolve())


def test_changed_cached_files_are_caught(
    manifest: Path, server: ReleaseServer, served: Path, cache: Path
) -> None:
    path = releases.fetch(SMALL, progressbar=False)
    # touched (same bytes, new mtime): re-hashed once, accepted, marker refreshed
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert release_cache.cache_state(path, releases.find_release(SMALL)) == "touched"
    assert releases.fetch(SMALL) == path
    assert release_cache.cache_state(path, releases.find_release(SMALL)) == "verified"
    # damaged in place with the mtime kept: opening trusts the marker, verify_cache finds it
    stat = path.stat()
    with open(path, "r+b") as fh:
        fh.seek(5000)
        fh.write(b"\xff" * 16)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    [check] = releases.verify_cache()
    assert not check.ok and "changed after it was verified" in check.problem
    [check] = releases.verify_cache(remove_bad=True)
    assert check.removed and not path.exists()
    # truncated: the size no longer matches, so it is downloaded again
    releases.fetch(SMALL, progressbar=False)
    with open(path, "r+b") as fh:
        fh.truncate(4096)
    server.log.clear()
    assert sha256(releases.fetch(SMALL, progressbar=False)) == sha256(served / SMALL)
    assert len(server.requests_for(SMALL)) == 1


# -- separate processes ------------------------------------------------------------------------
_LOADER = """
import logging, sys, time, pathlib
from synphys_ibis import releases
logging.basicConfig(level=logging.INFO)
ready, go = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
ready.touch()
while not go.exists():
    time.sleep(0.01)
print(releases.fetch(sys.argv[3], progressbar=False))
"""


def _start_loader(
    tmp_path: Path, tag: str, name: str = SMALL
) -> tuple[subprocess.Popen[str], Path]:
    ready = tmp_path / f"ready-{tag}"
    proc = subprocess.Popen(
        [sys.executable, "-c", _LOADER, str(ready), str(tmp_path / "go"), name],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parent.parent,
    )
    return proc, ready


def _wait_for(condition: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        time.sleep(0.01)


def test_concurrent_loaders_download_once(
    manifest: Path, server: ReleaseServer, served: Path, cache: Path, tmp_path: Path
) -> None:
    server.modes[SMALL] = "slow"  # ~1.6 s, so that both processes ask while it runs
    server.slow_pause = 0.1
    loaders = [_start_loader(tmp_path, tag) for tag in "ab"]
    _wait_for(lambda: all(ready.exists() for _, ready in loaders))
    (tmp_path / "go").touch()
    outputs = [proc.communicate(timeout=60) for proc, _ in loaders]
    for (proc, _), (out, err) in zip(loaders, outputs, strict=True):
        assert proc.returncode == 0, err
        assert out.strip() == str(cache / "releases" / SMALL)
    assert [r[3] for r in server.requests_for(SMALL)] == [200]
    assert sha256(cache / "releases" / SMALL) == sha256(served / SMALL)
    # they overlapped: one downloaded while the other waited for the lock
    errs = sorted(err for _, err in outputs)
    assert ["waiting for another process" in err for err in errs].count(True) == 1
    assert ["downloading synphys_r2.1_small.sqlite from" in err for err in errs].count(True) == 1


def test_killed_download_resumes(
    manifest: Path, server: ReleaseServer, served: Path, cache: Path, tmp_path: Path
) -> None:
    server.modes[SMALL] = "slow"
    proc, _ = _start_loader(tmp_path, "killed")
    (tmp_path / "go").touch()
    part = cache / "releases" / (SMALL + ".part")
    _wait_for(lambda: (part.exists() and part.stat().st_size > 0) or proc.poll() is not None)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    full = (served / SMALL).stat().st_size
    kept = part.stat().st_size
    assert 0 < kept < full
    assert not (cache / "releases" / SMALL).exists()

    server.modes[SMALL] = "ok"
    server.log.clear()
    path = releases.fetch(SMALL, progressbar=False)
    assert sha256(path) == sha256(served / SMALL)
    assert server.requests_for(SMALL) == [("GET", SMALL, f"bytes={kept}-", 206)]


def _entries(directory: Path) -> set[Path]:
    """Every file and directory under ``directory`` except lock files and saved manifests."""
    return {
        p
        for p in directory.rglob("*")
        if p.suffix != ".lock" and "manifests" not in p.relative_to(directory).parts
    }


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_killed_downloads_leftovers_are_removed_but_not_a_live_downloads(
    manifest: Path, server: ReleaseServer, served: Path, cache: Path, tmp_path: Path
) -> None:
    directory = cache / "releases"
    server.modes[SMALL] = server.modes[MEDIUM] = "slow"
    server.slow_pause = 0.2
    (tmp_path / "go").touch()
    killed, _ = _start_loader(tmp_path, "killed", SMALL)
    part = directory / (SMALL + ".part")
    _wait_for(lambda: (part.exists() and part.stat().st_size > 0) or killed.poll() is not None)
    killed.send_signal(signal.SIGKILL)
    killed.communicate(timeout=30)
    resumable = {part, directory / (SMALL + ".part.json")}
    stale = _entries(directory) - resumable
    # a marker being written when its process died
    stale.add(directory / f".{SMALL}.verified.json.{_dead_pid()}.tmp")
    for path in stale:
        if not path.exists():
            path.write_text("{}")
    assert stale, "the killed download left no temporaries"

    live, _ = _start_loader(tmp_path, "live", MEDIUM)
    medium_part = directory / (MEDIUM + ".part")
    _wait_for(lambda: medium_part.exists() and medium_part.stat().st_size > 0)
    live_temporaries = _entries(directory) - stale - resumable
    assert medium_part in live_temporaries

    server.modes[SMALL] = "ok"
    path = releases.fetch(SMALL, progressbar=False)
    assert live.poll() is None, "the live download should still be running"
    assert sha256(path) == sha256(served / SMALL)
    left = _entries(directory)
    assert not (stale & left), f"stale temporaries kept: {sorted(map(str, stale & left))}"
    assert live_temporaries <= left, "a live download's temporaries were removed"

    out, err = live.communicate(timeout=60)
    assert live.returncode == 0, err
    assert sha256(Path(out.strip())) == sha256(served / MEDIUM)
    assert leftovers(cache) == sorted(
        [SMALL, SMALL + ".verified.json", MEDIUM, MEDIUM + ".verified.json"]
    )


# -- command line ------------------------------------------------------------------------------
def test_cli_versions_download_and_cache(
    manifest: Path,
    server: ReleaseServer,
    cache: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert main(["versions"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == [
        "name",
        "release",
        "size",
        "schema",
        "supported",
        "cached",
        "current",
    ]
    assert lines[-1] == f"manifest: {manifest}"
    small_line = next(line for line in lines if line.startswith(SMALL))
    assert small_line.split() == [SMALL, "2.1", "small", "22", "yes", "no", "current"]

    assert main(["download", "small", "--no-progress"]) == 0
    assert capsys.readouterr().out.strip() == str(cache / "releases" / SMALL)
    assert main(["versions", "--supported"]) == 0
    small_line = next(
        line for line in capsys.readouterr().out.splitlines() if line.startswith(SMALL)
    )
    assert small_line.split()[5] == "yes"

    assert main(["download", "synphys_r2.1_smal.sqlite"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "Did you mean 'synphys_r2.1_small.sqlite'?" in captured.err

    assert main(["download", WRONG_SCHEMA, "--no-progress"]) == 1
    assert "schema version '21'" in capsys.readouterr().err

    monkeypatch.setenv("SYNPHYS_IBIS_OFFLINE", "1")
    assert main(["download", "medium"]) == 1
    assert f"{MEDIUM} is not in the cache" in capsys.readouterr().err
    monkeypatch.delenv("SYNPHYS_IBIS_OFFLINE")

    assert main(["cache", "path"]) == 0  # the whole cache: releases are one kind of entry
    assert capsys.readouterr().out.strip() == str(cache)
    assert main(["cache"]) == 0
    out = capsys.readouterr().out
    assert f"cache: {cache}" in out and f"releases/{SMALL}" in out
    assert SMALL in out and "1.0 MiB" in out and "verified" in out
    assert main(["cache", "verify"]) == 0
    assert capsys.readouterr().out.startswith(f"ok   {SMALL}")

    with open(cache / "releases" / SMALL, "r+b") as fh:
        fh.write(b"garbage!")
    assert main(["cache", "verify", "--remove-bad"]) == 1
    assert f"BAD  {SMALL} (removed)" in capsys.readouterr().out
    assert main(["cache"]) == 0
    assert SMALL not in capsys.readouterr().out

    other = cache.parent / "other-cache"
    assert main(["download", SMALL, "--no-progress", "--cache-dir", str(other)]) == 0
    assert capsys.readouterr().out.strip() == str(other / "releases" / SMALL)
