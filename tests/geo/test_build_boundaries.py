"""Tests of geo.build_boundaries against the raw sources (skipped without ../shared/geo)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from geo.build_boundaries import DEFAULT_CROSSWALK, DEFAULT_OUT, DEFAULT_SOURCE, build

pytestmark = pytest.mark.skipif(
    not (DEFAULT_SOURCE / "raw").is_dir(),
    reason=f"raw boundary sources not available at {DEFAULT_SOURCE} (only needed to rebuild geo/data)",
)


@pytest.fixture()
def crosswalk_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "crosswalk"
    shutil.copytree(DEFAULT_CROSSWALK, folder)
    return folder


def _edit_districts(folder: Path, edit: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    path = folder / "districts.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    edit(frame).to_csv(path, index=False)


def test_rebuild_reproduces_committed_files(tmp_path: Path):
    summary = build(DEFAULT_SOURCE, tmp_path / "out", DEFAULT_CROSSWALK)
    assert summary["districts"] == 148 and summary["provinces"] == 18
    assert summary["hdx_overlap_checked"] == 71 and summary["transliteration"] == 77
    for filename in ("provinces.geojson", "districts.geojson", "districts_detail.geojson"):
        assert (tmp_path / "out" / filename).read_bytes() == (DEFAULT_OUT / filename).read_bytes(), (
            f"{filename} is stale: run python -m geo.build_boundaries")


def test_missing_crosswalk_row_fails_loudly(tmp_path: Path, crosswalk_copy: Path):
    _edit_districts(crosswalk_copy, lambda f: f[f["code"] != "0708"])
    with pytest.raises(SystemExit, match=r"not in geo/crosswalk/districts.csv[\s\S]*'Add' \(province 07\)"):
        build(DEFAULT_SOURCE, tmp_path / "out", crosswalk_copy)
    assert not (tmp_path / "out").exists()  # nothing written on failure


def test_code_used_twice_fails(tmp_path: Path, crosswalk_copy: Path):
    _edit_districts(crosswalk_copy, lambda f: f.assign(code=f["code"].replace("0709", "0708")))
    with pytest.raises(SystemExit, match="code used more than once[\\s\\S]*0708"):
        build(DEFAULT_SOURCE, tmp_path / "out", crosswalk_copy)


def test_code_in_wrong_province_fails(tmp_path: Path, crosswalk_copy: Path):
    def move(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(code=frame["code"].replace("0708", "0899"))

    _edit_districts(crosswalk_copy, move)
    with pytest.raises(SystemExit, match="province prefix disagrees[\\s\\S]*'Add': point in province 07"):
        build(DEFAULT_SOURCE, tmp_path / "out", crosswalk_copy)


def test_swapped_codes_caught_by_hdx_overlap(tmp_path: Path, crosswalk_copy: Path):
    def swap(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(code=frame["code"].replace({"0701": "0702", "0702": "0701"}))

    _edit_districts(crosswalk_copy, swap)
    with pytest.raises(SystemExit, match="HDX district polygons[\\s\\S]*'Xamneua': crosswalk 0702"):
        build(DEFAULT_SOURCE, tmp_path / "out", crosswalk_copy)


def test_wrong_lao_name_in_crosswalk_fails(tmp_path: Path, crosswalk_copy: Path):
    def typo(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(name_lo=frame["name_lo"].where(frame["code"] != "1502", "7386"))

    _edit_districts(crosswalk_copy, typo)
    with pytest.raises(SystemExit, match="1502: crosswalk name_lo '7386'"):
        build(DEFAULT_SOURCE, tmp_path / "out", crosswalk_copy)


def test_a_crosswalk_name_without_a_reason_fails(tmp_path: Path, crosswalk_copy: Path):
    _edit_districts(crosswalk_copy, lambda f: f.assign(reason=f["reason"].where(f["code"] != "1008", "")))
    with pytest.raises(SystemExit, match="1008: the crosswalk gives no reason"):
        build(DEFAULT_SOURCE, tmp_path / "out", crosswalk_copy)


def test_hdx_english_is_replaced_only_where_reviewed(tmp_path: Path, crosswalk_copy: Path):
    # Publishing HDX's "Add" again for 0708 disagrees with the reviewed fix: the build stops.
    _edit_districts(crosswalk_copy, lambda f: f.assign(name_en=f["name_en"].where(f["code"] != "0708", "Add")))
    with pytest.raises(SystemExit, match="0708"):
        build(DEFAULT_SOURCE, tmp_path / "out", crosswalk_copy)
