"""Map any common spelling of a Chinese provincial-level unit to its GB/T 2260 code.

Accepted spellings
------------------
* the code itself: ``"110000"``, ``110000``, ``110000.0``, the two-digit prefix ``"11"``/``11``, and the
  ISO 3166-2 code ``"CN-BJ"``;
* full and short Chinese names (北京市, 北京, 内蒙古自治区, 内蒙古, 内蒙), traditional characters (臺灣,
  陝西), the common "wrong suffix" forms (广西省, 内蒙古省, 新疆自治区), one-character abbreviations
  (京, 沪, 粤, 陕 …);
* English names and pinyin in any case (Beijing, Inner Mongolia, Nei Mongol, Neimenggu, Tibet, Xizang,
  Hong Kong SAR, Macau …), with or without a suffix (Province, Municipality, City, Autonomous Region,
  SAR, Sheng, Shi, Zizhiqu) and the ethnic part of the autonomous regions' names (Guangxi Zhuang,
  Ningxia Hui, Xinjiang Uygur/Uyghur); a few postal romanisations (Peking, Shensi, Shansi, Szechwan);
* any of these with stray spaces inside (``北   京``, ``内蒙 古``), full-width characters, or
  punctuation (``Hong-Kong``, ``Xi'an`` style apostrophes).

陕西 and 山西 are kept apart: ``Shaanxi`` (and ``Shensi``, ``Shǎnxī`` with its tone marks) is 610000;
``Shanxi`` (``Shansi``, ``Shānxī``) is 140000. ``Shan'xi`` is refused as ambiguous: the apostrophe is
only a syllable separator in pinyin, so the spelling cannot tell the two provinces apart.

OCR repair
----------
Yearbook tables that went through OCR contain one-character slips such as 江两 (江西), 山两 (山西), 两藏
and 四藏 (西藏), 江四 (江西), 内蒙占 (内蒙古), 浙汀 (浙江). When a name matches nothing, each character that
appears in :data:`OCR_CONFUSABLES` is replaced, one at a time, by the characters it is mistaken for;
the name is accepted only when exactly one province results. :func:`resolve` reports such matches
with ``method="ocr"`` so that readers can log them.

Aggregates
----------
全国, 合计, 总计, 东部地区, 中部, 西部地区, 东北地区 and their English equivalents are *not* provinces: they
raise :class:`AggregateRegionError` (a subclass of :class:`~nqpf.errors.UnknownRegionError`), and
:func:`is_aggregate` recognises them (OCR-damaged ones such as 尔部地区 included) so that readers can
drop those rows deliberately.
"""
from __future__ import annotations

import difflib
import numbers
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from ..errors import UnknownRegionError
from ._table import GROUPS, PROVINCES, _data_path

__all__ = [
    "normalize", "normalize_many", "resolve", "Match", "name", "group", "is_province", "is_aggregate", "name_key",
    "spellings", "AggregateRegionError", "OCR_CONFUSABLES",
]

#: OCR confusions seen in scanned yearbook tables: printed character → characters it stands for.
#: (Seen in the province column of Chinese statistical yearbook tables: 江两, 山两, 两藏, 四藏, 江四,
#: 内蒙占, 浙汀, 尔部地区.)
OCR_CONFUSABLES: dict[str, str] = {
    "两": "西",
    "四": "西",
    "占": "古",
    "汀": "江",
    "尔": "东",
}

# Traditional → simplified, for the characters that occur in province and aggregate names.
_T2S = str.maketrans({
    "內": "内", "遼": "辽", "寧": "宁", "龍": "龙", "蘇": "苏", "東": "东", "廣": "广", "慶": "庆",
    "貴": "贵", "雲": "云", "陝": "陕", "肅": "肃", "臺": "台", "灣": "湾", "門": "门", "區": "区",
    "壯": "壮", "維": "维", "爾": "尔", "別": "别", "國": "国", "計": "计", "總": "总", "陸": "陆",
    "滬": "沪", "魯": "鲁", "閩": "闽", "贛": "赣", "黔": "黔", "隴": "陇", "瓊": "琼", "蒙": "蒙",
})

# Aggregates that look like region names but are not provinces.
_AGGREGATES = [
    "全国", "全国合计", "全国总计", "合计", "总计", "总量", "平均", "全国平均", "中国", "全国总体",
    "东部", "中部", "西部", "东北", "东部地区", "中部地区", "西部地区", "东北地区", "东北部",
    "东部合计", "中部合计", "西部合计", "东北合计", "地区", "省份", "中央", "中央级", "不分地区",
    "China", "National", "Nationwide", "Total", "Sum", "All", "Average", "Mean",
    "East", "Central", "West", "Northeast", "Eastern", "Western", "Northeastern",
    "Eastern Region", "Central Region", "Western Region", "Northeastern Region", "Northeast Region",
]

# Spellings that denote more than one province; mapping them would be a guess.
_AMBIGUOUS = {"shan'xi": ("610000", "140000"), "shanxi'": ("610000", "140000")}

_MUNICIPALITIES = {"110000", "120000", "310000", "500000"}
_SAR = {"810000", "820000"}


def name_key(s) -> str:
    """The one canonical lookup key of a name (regions, cities, counties, yearbook labels): NFKC
    (full-width → ASCII), simplified characters, case-folded, with every space and punctuation mark
    removed. Tone marks are kept (see :func:`_loose`)."""
    s = unicodedata.normalize("NFKC", str(s)).translate(_T2S).casefold()
    return re.sub(r"[\W_]+", "", s)


_key = name_key

#: Aggregate rows that follow a pattern rather than a list (东部沿海, 长江经济带, 京津冀城市群, 其他 …).
_AGGREGATE_RE = re.compile(
    r"^(全国|全国合计|全国总计|合计|总计|总和|共计|全部|中国|中央|中央级|地方|地方合计|不分地区|其他|其它|"
    r"total|national|china|all|.{0,2}部地区|东北地区|东部|中部|西部|东北|东部沿海|"
    r".{1,6}(经济带|城市群|经济区))$", re.IGNORECASE)


def _loose(key: str) -> str:
    """``key`` without diacritics (Shǎnxī → shanxi)."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", key) if not unicodedata.combining(ch))


def _kind(code: str, full: str) -> str:
    if code in _MUNICIPALITIES:
        return "municipality"
    if code in _SAR:
        return "sar"
    if full.endswith("自治区"):
        return "autonomous"
    return "province"


_ZH_SUFFIX = {
    "municipality": ["市"],
    "province": ["省"],
    "autonomous": ["自治区", "省"],
    "sar": ["特别行政区", "特区", "地区"],
}
_EN_SUFFIX = {
    "municipality": ["municipality", "city", "shi"],
    "province": ["province", "sheng"],
    "autonomous": ["autonomous region", "ar", "zizhiqu", "province"],
    "sar": ["sar", "special administrative region", "sar china", "tebie xingzhengqu"],
}


def _read_aliases() -> pd.DataFrame:
    with _data_path("aliases.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def spellings() -> pd.DataFrame:
    """Every spelling the normaliser accepts directly.

    Returns
    -------
    DataFrame with columns ``code, spelling, kind`` (``kind`` one of ``code, iso, full, short, zh,
    abbr, en, pinyin, historical``), one row per spelling, before the key normalisation (spaces,
    case, full-width forms) that :func:`normalize` also applies.
    """
    rows: list[tuple[str, str, str]] = []
    aliases = _read_aliases()
    for r in PROVINCES.itertuples(index=False):
        kind = _kind(r.code, r.name_full)
        rows += [(r.code, r.code, "code"), (r.code, r.code[:2], "code"), (r.code, r.iso, "iso"),
                 (r.code, r.name_full, "full"), (r.code, r.name_short, "short")]
        rows += [(r.code, r.name_short + suf, "zh") for suf in _ZH_SUFFIX[kind]]
        latin = [(r.name_en, "en"), (r.pinyin, "pinyin")]
        latin += [(a.alias, a.kind) for a in aliases[aliases.code == r.code].itertuples()
                  if a.kind in ("en", "pinyin", "historical")]
        for text, k in latin:
            rows.append((r.code, text, k))
            if _loose(_key(text)) == _key(text):  # no suffixes on tone-marked forms
                rows += [(r.code, f"{text} {suf}", k) for suf in _EN_SUFFIX[kind]]
        if r.code == "710000":
            rows += [(r.code, "Taiwan Province", "en"), (r.code, "台湾地区", "zh")]
        rows += [(r.code, a.alias, a.kind) for a in aliases[aliases.code == r.code].itertuples()
                 if a.kind not in ("en", "pinyin", "historical")]
    out = pd.DataFrame(rows, columns=["code", "spelling", "kind"])
    return out.drop_duplicates(["code", "spelling"]).reset_index(drop=True)


def _build_tables():
    sp = spellings()
    exact: dict[str, str] = {}
    for code, text in zip(sp["code"], sp["spelling"]):
        k = _key(text)
        if exact.setdefault(k, code) != code:
            raise RuntimeError(f"spelling {text!r} maps to both {exact[k]} and {code}")  # pragma: no cover
    loose: dict[str, set[str]] = {}
    for k, code in exact.items():
        loose.setdefault(_loose(k), set()).add(code)
    aggregates = {_key(a) for a in _AGGREGATES}
    clash = aggregates & exact.keys()
    if clash:  # pragma: no cover - guards the data files
        raise RuntimeError(f"aggregate names also listed as provinces: {sorted(clash)}")
    return exact, loose, aggregates


_EXACT, _LOOSE, _AGG = _build_tables()
_BY_CODE = PROVINCES.set_index("code")
# Suggestions are drawn from short Chinese names and English names (plus pinyin for matching only).
_SUGGEST = {}
for _r in PROVINCES.itertuples(index=False):
    for _text in (_r.name_short, _r.name_full, _r.name_en, _r.pinyin):
        _SUGGEST.setdefault(_key(_text), _r.code)


class AggregateRegionError(UnknownRegionError):
    """A name that denotes an aggregate (全国, 东部地区, Total …), not a provincial-level unit."""

    def __init__(self, name, suggestions=(), where=""):
        super().__init__(name, suggestions, where)
        msg = f"{name!r} is an aggregate (a national or regional total), not a province"
        if where:
            msg += f" ({where})"
        msg += "; drop these rows or select provinces only"
        self.args = (msg,)


@dataclass(frozen=True)
class Match:
    """Result of :func:`resolve`.

    Attributes
    ----------
    code : str
        GB/T 2260 code, e.g. ``"110000"``.
    method : str
        ``"code"`` (given as a code), ``"exact"`` (a known spelling after removing spaces, case and
        full-width forms), ``"loose"`` (known spelling after also dropping tone marks) or ``"ocr"``
        (repaired by one substitution from :data:`OCR_CONFUSABLES`).
    matched : str
        The known spelling (key form) that was matched.
    """

    code: str
    method: str
    matched: str


def _edits(a: str, b: str) -> int:
    """Levenshtein distance of ``a`` and ``b`` (insertions, deletions, substitutions; O(len a · len b))."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def closest(text: str, names, n: int = 12, cutoff: float = 0.5) -> list[str]:
    """The names of ``names`` close to ``text`` (difflib ratio at least ``cutoff``, at most ``n``),
    ranked by edit distance (Levenshtein) first and difflib's ratio second, so that a one-character
    typo of a short name comes first: ``西臧`` → 西藏 (one edit) before 陕西 and 江西 (two edits),
    although difflib alone ranks 陕西 first. ``text`` itself is never among them."""
    # a wide pool: short names tie on difflib's ratio (西臧 scores 0.5 with 西藏, 陕西, 鸡西, 靖西 …)
    cands = [c for c in difflib.get_close_matches(text, list(names), n=max(10 * n, 100), cutoff=cutoff)
             if c != text]
    ratio = {c: difflib.SequenceMatcher(None, text, c).ratio() for c in cands}
    return sorted(cands, key=lambda c: (_edits(text, c), -ratio[c]))[:n]


def _suggest(key: str, n: int = 3) -> list[str]:
    return list(_suggest_cached(key, n))


@lru_cache(maxsize=4096)
def _suggest_cached(key: str, n: int) -> tuple:
    """Closest short Chinese and English names of ``key`` (:func:`closest`: difflib candidates ranked
    by edit distance; computed once per key, and only for names that match nothing)."""
    if not key:
        return ()
    cands = closest(key, _SUGGEST)
    if not cands:  # fall back on every spelling (aliases, suffixed forms)
        cands = closest(key, _EXACT)
        codes = [_EXACT[c] for c in cands]
    else:
        codes = [_SUGGEST[c] for c in cands]
    seen: list[str] = []
    for c in codes:
        if c not in seen:
            seen.append(c)
    latin = key.isascii()
    out: list[str] = []
    for c in seen[:n]:
        zh, en = _BY_CODE.at[c, "name_short"], _BY_CODE.at[c, "name_en"]
        out += [en, zh] if latin else [zh, en]
    return tuple(x for x in out if _key(x) != key)   # never the input itself


def _with(where: str, reason: str) -> str:
    return f"{where}; {reason}" if where else reason


def _as_text(value, where: str) -> str:
    if isinstance(value, bool):
        raise UnknownRegionError(value, (), _with(where, "a boolean is not a region"))
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        if value != value or float(value) != int(value):  # NaN or not integral
            return str(value)
        return str(int(value))
    text = str(value)
    if re.fullmatch(r"\s*\d+\.0+\s*", text):  # "110000.0" from a float column read as text
        text = text.split(".")[0]
    return text


def resolve(value, *, where: str = "") -> Match:
    """Match a region name or code, reporting how it matched.

    Parameters
    ----------
    value : str or int
        Any spelling accepted by :func:`normalize`.
    where : str
        Where the value came from (file, sheet, row, column), used in error messages.

    Returns
    -------
    Match

    Raises
    ------
    AggregateRegionError
        For aggregates such as 全国 or 东部地区.
    UnknownRegionError
        When nothing matches; ``suggestions`` holds the closest short Chinese and English names.
    """
    return _resolve(value, where, suggest=True)


def _resolve(value, where: str, suggest: bool) -> Match:
    """:func:`resolve`; ``suggest=False`` raises the same errors without looking for suggestions
    (difflib), for callers that only ask *whether* a name is a province."""
    if value is None or value is pd.NA or (isinstance(value, numbers.Real) and value != value):
        raise UnknownRegionError(value, (), _with(where, "the region name is missing"))
    text = _as_text(value, where)
    key = _key(text)
    ambig = _AMBIGUOUS.get(re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).casefold())
                           .replace("’", "'").replace("‘", "'"))
    if ambig:
        sugg = [s for c in ambig for s in (_BY_CODE.at[c, "name_en"], _BY_CODE.at[c, "name_short"])]
        raise UnknownRegionError(text, sugg, _with(where, "ambiguous: 陕西 is Shaanxi, 山西 is Shanxi"))
    if key in _AGG or _AGGREGATE_RE.match(re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))):
        raise AggregateRegionError(text, (), where)
    if key.isdigit():
        code = key + "0000" if len(key) == 2 else key
        if code in _BY_CODE.index:
            return Match(code, "code", code)
        raise UnknownRegionError(text, (), _with(where, "not the code of a provincial-level unit "
                                                 "(GB/T 2260 codes end in 0000, e.g. 110000)"))
    if key in _EXACT:
        return Match(_EXACT[key], "exact", key)
    codes = _LOOSE.get(_loose(key), set())
    if len(codes) == 1:
        return Match(next(iter(codes)), "loose", _loose(key))
    if len(codes) > 1:
        sugg = [s for c in sorted(codes) for s in (_BY_CODE.at[c, "name_en"], _BY_CODE.at[c, "name_short"])]
        raise UnknownRegionError(text, sugg, _with(where, "ambiguous without tone marks"))
    # OCR repair: one confusable character replaced at a time; accept a unique result.
    hits: dict[str, str] = {}
    agg_hit = False
    for i, ch in enumerate(key):
        for rep in OCR_CONFUSABLES.get(ch, ""):
            cand = key[:i] + rep + key[i + 1:]
            if cand in _EXACT:
                hits.setdefault(_EXACT[cand], cand)
            elif cand in _AGG:
                agg_hit = True
    if len(hits) == 1 and not agg_hit:
        code, cand = next(iter(hits.items()))
        return Match(code, "ocr", cand)
    if agg_hit and not hits:
        raise AggregateRegionError(text, (), where)
    raise UnknownRegionError(text, _suggest(key) if suggest else [], where)


def normalize(name, *, where: str = "") -> str:
    """GB/T 2260 code of a provincial-level unit from any common spelling.

    Parameters
    ----------
    name : str or int
        A code (``"110000"``, ``110000``, ``"11"``, ``"CN-BJ"``), a Chinese name (full, short,
        traditional, abbreviation), an English name or pinyin; spaces, case and full-width forms do
        not matter. See the module docstring for the rules.
    where : str
        Where the name came from, e.g. ``"data.xlsx, sheet 2020, row 7"``; included in errors.

    Returns
    -------
    str
        The six-digit code, e.g. ``"150000"``.

    Raises
    ------
    AggregateRegionError
        If ``name`` is an aggregate such as 全国 or 东部地区.
    nqpf.errors.UnknownRegionError
        If ``name`` matches no province; ``suggestions`` lists the closest names.

    Examples
    --------
    >>> normalize("内蒙 古"), normalize("Shaanxi"), normalize("Shanxi"), normalize(11)
    ('150000', '610000', '140000', '110000')
    """
    return resolve(name, where=where).code


def normalize_many(names, where: str = "") -> list[str]:
    """Codes of many names at once; every unknown name is reported in one error.

    Parameters
    ----------
    names : iterable of str or int
    where : str
        Where the names came from (file, column); included in the error message.

    Returns
    -------
    list of str
        Codes in the order of ``names``.

    Raises
    ------
    nqpf.errors.UnknownRegionError
        Listing every distinct name that failed, with suggestions; ``.errors`` holds the
        individual errors and ``.name`` the tuple of failing names.
    """
    out: list[str] = []
    errors: dict[str, UnknownRegionError] = {}
    done: dict = {}  # each distinct name is resolved once (exact matches cost a dictionary lookup)
    for value in names:
        try:
            key = (type(value), value)
            hash(key)
        except TypeError:
            key = None
        if key is not None and key in done:
            code = done[key]
            if code is not None:
                out.append(code)
            continue
        try:
            code = normalize(value)
            out.append(code)
        except UnknownRegionError as exc:
            code = None
            errors.setdefault(str(value), exc)
        if key is not None:
            done[key] = code
    if errors:
        parts = []
        for bad, exc in errors.items():
            if isinstance(exc, AggregateRegionError):
                parts.append(f"{bad!r} (an aggregate, not a province)")
            elif exc.suggestions:
                parts.append(f"{bad!r} (did you mean {', '.join(exc.suggestions)}?)")
            else:
                parts.append(repr(bad))
        sugg = [s for exc in errors.values() for s in exc.suggestions]
        err = UnknownRegionError(tuple(errors), sugg, where)
        msg = f"{len(errors)} unknown region name{'s' if len(errors) > 1 else ''}"
        if where:
            msg += f" ({where})"
        err.args = (msg + ": " + "; ".join(parts),)
        err.errors = list(errors.values())
        raise err
    return out


def name(code, style: str = "short") -> str:
    """Display name of a province.

    Parameters
    ----------
    code : str or int
        A code or any spelling accepted by :func:`normalize`.
    style : {"short", "full", "en", "pinyin"}
        ``"short"`` → 内蒙古, ``"full"`` → 内蒙古自治区, ``"en"`` → Inner Mongolia, ``"pinyin"`` → Nei Menggu.
    """
    cols = {"short": "name_short", "full": "name_full", "en": "name_en", "pinyin": "pinyin"}
    if style not in cols:
        raise ValueError(f"style must be one of {sorted(cols)}, not {style!r}")
    return str(_BY_CODE.at[normalize(code), cols[style]])


def group(code, lang: str = "zh") -> str:
    """NBS four-region group (东部/中部/西部/东北 or East/Central/West/Northeast).

    Hong Kong, Macao and Taiwan are outside the NBS division: the result is ``""``.
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    g = str(_BY_CODE.at[normalize(code), "group"])
    return GROUPS.get(g, "") if lang == "en" else g


#: NBS four-region group codes (language-free; words in the catalogues as ``cat.group.<code>``).
GROUP_CODES = {"东部": "east", "中部": "central", "西部": "west", "东北": "northeast"}


def group_code(code) -> str:
    """NBS four-region group code of a province: ``east``, ``central``, ``west`` or ``northeast``
    (``""`` for Hong Kong, Macao and Taiwan)."""
    return GROUP_CODES.get(str(_BY_CODE.at[normalize(code), "group"]), "")


def is_province(name) -> bool:
    """True if ``name`` normalises to a provincial-level unit (aggregates and unknown names: False)."""
    try:
        _resolve(name, "", suggest=False)
    except UnknownRegionError:
        return False
    return True


def is_aggregate(name) -> bool:
    """True if ``name`` denotes an aggregate row (全国, 合计, 东部地区, Total …), OCR slips included."""
    try:
        _resolve(name, "", suggest=False)
    except AggregateRegionError:
        return True
    except UnknownRegionError:
        return False
    return False
