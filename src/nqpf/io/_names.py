"""Region names of a panel: aliases applied, Chinese provinces recognised and normalised to GB/T 2260
codes (aggregates dropped, unknown names reported with suggestions and the alias that would map them).

Internal to :mod:`nqpf.io.readers`, whose docstring states the rules.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

import pandas as pd

from ..errors import InputError, UnknownRegionError
from ..i18n._reasons import Notice, reason


def is_aggregate(name: str) -> bool:
    """True for names of aggregates rather than provinces: 全国, 合计, 东部地区, 中部, 长江经济带 …
    (:func:`nqpf.regions.is_aggregate`, the one rule, OCR slips included)."""
    from .. import regions as R
    return bool(R.is_aggregate(re.sub(r"\s+", "", str(name))))


def _china_mode(names, regions_mode):
    """Whether to normalise region names to GB/T 2260 codes.

    ``"auto"`` normalises when every name (aggregates aside) is a province. When only some are, the
    names are kept as given (a panel of cities such as Beijing, Tianjin, Shijiazhuang …) unless at least
    half are provinces and one of the others is within a typo of a province's spelling (``河鼈`` for
    ``河北``): then normalising reports that name with suggestions (pass ``regions="as-is"`` to keep it).
    """
    if regions_mode == "as-is":
        return False
    if regions_mode == "china":
        return True
    if regions_mode != "auto":
        raise InputError(f"regions must be 'auto', 'china' or 'as-is', got {regions_mode!r}")
    from .. import regions as R
    cand = [n for n in names if not is_aggregate(n)]
    if not cand:
        return False
    unknown = [n for n in cand if not R.is_province(_squash(n))]
    if not unknown:
        return True
    if len(cand) - len(unknown) < max(1, 0.5 * len(cand)):
        return False
    return any(_near_province(n) for n in unknown)


@lru_cache(maxsize=1)
def _province_spellings() -> tuple:
    from .. import regions as R
    P = R.PROVINCES
    out = set()
    for col in ("name_full", "name_short", "name_en", "pinyin"):
        if col in P.columns:
            out.update(_key(v) for v in P[col].dropna().astype(str))
    return tuple(sorted(k for k in out if k))


def _key(name: str) -> str:
    from ..regions import name_key

    return name_key(name)


def _osa(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein with adjacent transpositions)."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def _near_province(name: str) -> bool:
    """True when ``name`` is one edit from a province's spelling (two for Latin names of 8+ letters)."""
    k = _key(_squash(name))
    if not k:
        return False
    limit = 1 if (not k.isascii() or len(k) < 8) else 2
    return any(abs(len(k) - len(s)) <= limit and _osa(k, s) <= limit for s in _province_spellings())


def _squash(name: str) -> str:
    """Remove spaces inside Chinese names (``北   京`` → ``北京``); keep them in Latin ones."""
    s = name.strip()
    return re.sub(r"\s+", "", s) if re.search(r"[\u4e00-\u9fff]", s) else s


def _name_regions(rec: pd.DataFrame, regions: str, aliases, audit_rows: list):
    """Give every record its region id: aliases applied to the spellings first (one ``alias`` audit row
    per cell), then, for Chinese provinces, aggregates dropped and names normalised to GB/T codes.

    Returns the records with a ``region`` column, the labels (id → the name as written, or as the alias
    gives it) and whether the names were read as Chinese provinces."""
    named = {n: n for n in dict.fromkeys(rec["raw"])}
    used = _apply_aliases(rec, named, aliases, audit_rows)
    china = _china_mode([_squash(v) for v in dict.fromkeys(named.values())], regions)
    if used:
        _check_alias_targets(used, aliases, named, china)
    mapping, region_label = {}, {}
    if china:
        from .. import regions as R
        agg = rec["raw"].map(lambda n: is_aggregate(_squash(named[n])))
        for r in rec[agg].itertuples():
            audit_rows.append(dict(stage="read", file=r.file, sheet=r.sheet, row=r.row, column=r.col, region=r.raw,
                                   year=r.year, variable=r.variable, action="dropped",
                                   old=r.value, new=None, **reason("aggregate_row")))
        rec = rec[~agg.to_numpy()]
        counts = rec.drop_duplicates(["file", "sheet", "rrow", "rcol"])["raw"].value_counts()  # region cells
        unknown: list = []
        for r in rec.drop_duplicates("raw").itertuples():
            name = _squash(named[r.raw])
            where = _cell_where(r.file, r.sheet, r.rrow, _region_letter(r))
            try:
                code = _normalize(R, name, where, n_cells=int(counts.get(r.raw, 1)))
            except UnknownRegionError as exc:
                exc.file, exc.cell = str(r.file), where[len(str(r.file)) + 2:]
                unknown.append(exc)
                continue
            mapping[r.raw] = code
            region_label.setdefault(code, name)
            if name != code:
                audit_rows.append(dict(stage="read", file=r.file, sheet=r.sheet, row=r.rrow,
                                       column=_region_letter(r), region=code, year=None, variable="",
                                       action="renamed", old=name, new=code, **reason("renamed_code")))
        if unknown:
            raise _unknown_regions_error(unknown)
    else:
        for raw, name in named.items():
            mapping[raw] = name.strip()
            region_label.setdefault(name.strip(), name.strip())
        _check_ambiguous_units(rec, mapping)
    # audit rows of cells carry the region id
    for a in audit_rows:
        if a.get("region") in mapping and a["action"] in ("missing", "coerced", "alias"):
            a["region"] = mapping[a["region"]]
    return rec.assign(region=rec["raw"].map(mapping)), region_label, china


def _cell_where(file, sheet, row, column=None) -> str:
    """``file, sheet 'S', row 5, column C`` (sheet and column where given): a cell as messages name it."""
    return f"{file}" + (f", sheet {sheet!r}" if sheet else "") + f", row {row}" \
        + (f", column {column}" if column is not None else "")


def _check_ambiguous_units(rec: pd.DataFrame, mapping: dict) -> None:
    """Names kept as given that two region cells carry for one year and variable, and that name several
    Chinese administrative units (朝阳区: a district of Beijing and one of Changchun), are an
    :class:`~nqpf.errors.UnknownRegionError` naming the file, row and column of the first cell and the
    qualified spellings that tell the units apart, before the readers report the two rows as a duplicate.
    Only such duplicated names are looked up (a panel naming 朝阳区 once keeps it as its id)."""
    if rec.empty:
        return
    region = rec["raw"].map(mapping).to_numpy()
    dup = pd.DataFrame({"region": region, "year": rec["year"].to_numpy(),
                        "variable": rec["variable"].to_numpy()}).duplicated(keep=False).to_numpy()
    if not dup.any():
        return
    from .. import regions as R

    for name in dict.fromkeys(region[dup]):
        try:
            R.normalize_admin(name)
        except UnknownRegionError as exc:
            if not getattr(exc, "candidates", None):
                continue
            cells = rec[dup & (region == name)]
            a = cells.iloc[0]
            b = cells[(cells["year"] == a["year"]) & (cells["variable"] == a["variable"])].iloc[1]
            where = _cell_where(a["file"], a["sheet"], a["rrow"], a["rcol"] or "")
            second = (f"row {b['rrow']}" if (b["file"], b["sheet"]) == (a["file"], a["sheet"]) else
                      _cell_where(b["file"], b["sheet"], b["rrow"]))
            err = UnknownRegionError(name, exc.suggestions, where=where)
            err.args = (f"{where}: region {exc.args[0]} in each row (this row and {second} both name {name!r} "
                        f"for year {a['year']}, variable {a['variable']!r})",)
            err.file, err.cell, err.candidates = str(a["file"]), where[len(str(a["file"])) + 2:], exc.candidates
            units = [f"{s} ({c})" for s, c in zip(exc.suggestions, exc.candidates)]
            notice = Notice("error.region_ambiguous_rows", {
                "file": str(a["file"]), "sheet": str(a["sheet"] or ""), "row": int(a["rrow"]),
                "column": str(a["rcol"] or ""), "other": int(b["rrow"]), "name": name, "n": len(units),
                "units": units, "year": str(a["year"]), "variable": str(a["variable"])})
            err.notice = notice   # the message in the reader's language (the English one is kept as is)
            raise err from None
        except Exception:  # noqa: BLE001 - not a unit, or no boundary data: the duplicate is reported later
            continue


def _apply_aliases(rec, named: dict, aliases, audit_rows: list) -> dict:
    """Rename the spellings in ``named`` (raw → name) that an alias maps; one ``alias`` audit row per
    region cell. Returns the aliases used (alias as given → [raw spellings]); warns about the others."""
    if not aliases:
        return {}
    from .aliases import alias_key

    look = aliases.lookup()
    used: dict = {}
    for raw in list(named):
        hit = look.get(alias_key(raw))
        if hit is None or alias_key(hit[1]) == alias_key(raw):
            continue
        named[raw] = hit[1]
        used.setdefault(hit[0], []).append(raw)
    if used:
        hit_rows = rec[rec["raw"].isin([r for rs in used.values() for r in rs])]
        alias_of = {r: a for a, rs in used.items() for r in rs}
        for r in hit_rows.drop_duplicates(["file", "sheet", "rrow", "rcol"]).itertuples():
            a = alias_of[r.raw]
            audit_rows.append(dict(stage="read", file=r.file, sheet=r.sheet, row=r.rrow, column=_region_letter(r),
                                   region=r.raw, year=r.year, variable="", action="alias",
                                   old=r.raw, new=aliases[a],
                                   **reason("alias", alias=a, target=aliases[a], where=aliases.where.get(a, "aliases"))))
    unused = [a for a in aliases if a not in used and alias_key(a) != alias_key(aliases[a])]
    if unused:
        import warnings

        warnings.warn("alias(es) matching no region of the data, not used: "
                      + ", ".join(f"{a!r} (given in {aliases.where.get(a, 'aliases')})" for a in unused[:10])
                      + (f" and {len(unused) - 10} more" if len(unused) > 10 else ""), UserWarning, stacklevel=4)
    return used


def _check_alias_targets(used: dict, aliases, named: dict, china: bool) -> None:
    """Every alias used must map to a known region: a province's name or code when the names are read as
    Chinese provinces; else a name the data use elsewhere, a province or a Chinese administrative unit.
    An unknown target is an :class:`~nqpf.errors.UnknownRegionError` naming where the alias was given."""
    from .. import regions as R

    aliased = {r for rs in used.values() for r in rs}
    others = {_squash(n) for raw, n in named.items() if raw not in aliased}
    for a in used:
        target = aliases[a]
        where = f"alias {a!r} → {target!r} given in {aliases.where.get(a, 'aliases')}"
        try:
            R.normalize(_squash(target))
            continue
        except UnknownRegionError as exc:
            sugg = list(getattr(exc, "suggestions", []))
        if not china:
            if _squash(target) in others or _is_admin_unit(R, target):
                continue
            import difflib

            sugg = difflib.get_close_matches(_squash(target), sorted(others), n=3, cutoff=0.5)
        err = UnknownRegionError(target, sugg, where=where)
        fix = ("a province's name or GB/T 2260 code" if china else
               "a name the data use for another region (" + ", ".join(sorted(others)[:10])
               + (" …" if len(others) > 10 else "") + "), a province, or a Chinese city or county")
        tail = f"the region an alias maps to must be {fix}: correct the alias"
        err.args = (f"{err.args[0]} {tail[0].upper()}{tail[1:]}" if err.args[0].endswith("?")
                    else f"{err.args[0]}; {tail}",)
        raise err


def _is_admin_unit(R, name) -> bool:
    """True when ``name`` names a Chinese prefecture-level city or county (ambiguous names included)."""
    try:
        R.normalize_admin(name)
    except UnknownRegionError as exc:
        return "ambiguous" in str(exc)
    except Exception:  # noqa: BLE001 - the boundary data may be absent: then not known
        return False
    return True


def _region_letter(r) -> str:
    return getattr(r, "rcol", "") or ""


def _normalize(R, name, where, n_cells: int = 1):
    """GB/T code of a province's ``name`` read at ``where``; an unknown name is an
    :class:`~nqpf.errors.UnknownRegionError` with suggestions, the number of cells spelling it so and
    the alias that would map it (its attributes ``target``, ``n_cells`` and ``where`` let
    :func:`_unknown_regions_error` report several names at once)."""
    try:
        return R.normalize(name, where=where)
    except UnknownRegionError as exc:
        if re.fullmatch(r"\d{6}", name) and name in set(R.PROVINCES["code"]):
            return name
        sugg = list(getattr(exc, "suggestions", []))
        err = UnknownRegionError(name, sugg, where=where) if where and where not in str(exc) else exc
        target = next((s for s in sugg if re.search(r"[\u4e00-\u9fff]", s)), sugg[0] if sugg else "REGION")
        cells = f"{n_cells} cells spell it so" if n_cells > 1 else "1 cell spells it so"
        sep = " " if err.args[0].endswith("?") else "; "
        err.args = (f"{err.args[0]}{sep}{cells}: correct them, or {alias_hint([(name, target)])}",)
        err.name, err.target, err.n_cells, err.where = name, target, n_cells, where
        raise err from None


#: How messages tell the user to map a spelling to a region: ``"cli"`` (the command line's ``--alias``,
#: the config key and the Python keyword) or ``"web"`` (the web page's field). Set with
#: :func:`alias_hint_style`.
_HINT_STYLE: ContextVar[str] = ContextVar("nqpf_alias_hint_style", default="cli")

#: Unknown names listed one by one in a message; the others are counted ("and N more").
MAX_LISTED = 10


@contextmanager
def alias_hint_style(style: str):
    """Within the block, messages about unknown regions name the remedy of ``style``: ``"cli"`` (default:
    ``--alias 'Yunan=云南' (config: [data] aliases; Python: aliases={…})``) or ``"web"`` (the web page's
    field *alias*, one ``ALIAS=REGION`` a line)."""
    if style not in ("cli", "web"):
        raise ValueError(f"alias hint style must be 'cli' or 'web', got {style!r}")
    token = _HINT_STYLE.set(style)
    try:
        yield
    finally:
        _HINT_STYLE.reset(token)


def alias_hint(pairs) -> str:
    """``"map the spelling to a region with --alias 'A=X' (config: …; Python: …)"`` for the ``(spelling,
    region)`` pairs, in the style of :func:`alias_hint_style`."""
    pairs = list(pairs)
    one = len(pairs) == 1
    if _HINT_STYLE.get() == "web":
        lines = ", ".join(f"{a}={t}" for a, t in pairs)
        return (f"map {'the spelling' if one else 'each spelling'} to a region: write {lines} in the field "
                "'Region aliases' (地区别名, one ALIAS=REGION a line) and run again")
    opts = " ".join(f"--alias '{a}={t}'" for a, t in pairs)
    cfg = "" if one else " = {" + ", ".join(f'"{a}" = "{t}"' for a, t in pairs) + "}"
    py = "{" + ", ".join(f"{a!r}: {t!r}" for a, t in pairs) + "}"
    return (f"map {'the spelling' if one else 'each spelling'} to a region with {opts} "
            f"(config: [data] aliases{cfg}; Python: aliases={py})")


def _unknown_regions_error(errors: list) -> UnknownRegionError:
    """One :class:`~nqpf.errors.UnknownRegionError` for every unknown name of the file (errors of
    :func:`_normalize`): the message of the one, or each name with where it was read, its suggestions and
    its cells (the first :data:`MAX_LISTED`, then "and N more"), and the aliases that would map them all.
    ``.errors`` holds the single errors, ``.name`` the tuple of names."""
    from .aliases import alias_key

    seen: dict = {}
    for e in errors:   # spellings one alias maps alike (Yunan, yunan) are named once, at the first met
        seen.setdefault(alias_key(e.name), e)
    errors = list(seen.values())
    if len(errors) == 1:
        return errors[0]
    files = {getattr(e, "file", None) for e in errors}
    one_file = len(files) == 1 and None not in files
    parts = []
    for e in errors[:MAX_LISTED]:
        place = e.cell if one_file else e.where
        bits = [place] if place else []
        if e.suggestions:
            bits.append("did you mean " + ", ".join(map(repr, e.suggestions)) + "?")
        bits.append(f"{e.n_cells} cells" if e.n_cells > 1 else "1 cell")
        parts.append(f"{e.name!r} ({'; '.join(bits)})")
    more = f"; and {len(errors) - MAX_LISTED} more" if len(errors) > MAX_LISTED else ""
    err = UnknownRegionError(tuple(e.name for e in errors), [s for e in errors for s in e.suggestions])
    err.args = (f"{len(errors)} unknown region names" + (f" in {next(iter(files))}" if one_file else "") + ": "
                + "; ".join(parts) + more
                + ". Correct them, or " + alias_hint([(e.name, e.target) for e in errors[:MAX_LISTED]]),)
    err.errors = list(errors)
    return err
