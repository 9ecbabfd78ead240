"""One home for language: catalogues of keyed texts, one per language.

Only the writers (:mod:`nqpf.outputs`, :mod:`nqpf.report`), the figures (:mod:`nqpf.plot`) and the
command line call :func:`t`. Computed tables hold codes; :func:`t` turns a code's key into words when
writing. Keys are dotted: ``col.<column>`` (headers), ``cat.<family>.<code>`` (category codes:
``cat.quadrant.HH``, ``cat.tier.high``, ``cat.group.east``), ``caption.<table>``, ``figure.<kind>``,
``section.<name>``, ``meta.<parameter>``, ``value.<parameter value>``, ``conv.<convention>``,
``word.*``, ``note.*``, ``plot.*`` (figure texts), ``report.*``.

What differs between languages beyond words is a property of the language, read from its catalogue
(``lang.*`` keys), never decided in code by comparing language codes: ``lang.list_sep`` (、 / ", "),
``lang.cjk`` (a CJK font for figures; Latin names spaced inside sentences), ``lang.numerals`` (一、二、
section numbers), ``lang.region_names`` (the name style of :func:`nqpf.regions.name`), ``lang.indent``
(Word's first-line indent) … (see :data:`PROPERTIES`). Optional ``region.<GB code>`` entries name
regions in a script :mod:`nqpf.regions` does not hold (Traditional Chinese).

Adding a language is one catalogue module (``xx.py`` holding ``CATALOGUE``; ``zh_Hant.py`` for the code
``zh-Hant``) plus the rule templates of the strategy table (a ``template_xx`` column of
``diagnose/rules.csv``). :data:`LANGS` is discovered from the modules present.
"""
from __future__ import annotations

import difflib
import importlib
import os
import pkgutil
from collections.abc import Mapping
from functools import lru_cache

from ..errors import InputError

__all__ = ["LANGS", "DEFAULT_LANG", "PROPERTIES", "OPTIONAL_PREFIXES", "t", "has", "check_lang",
           "lang_code", "lang_ident", "catalogue", "default_lang", "set_default_lang", "missing_keys", "flag",
           "pick", "region_name", "family_parts", "conflicts"]

#: The language of the command line and of notebook displays unless told otherwise.
DEFAULT_LANG = "zh"


def _discover() -> tuple[str, ...]:
    """Codes of the catalogue modules of this package (``zh_Hant.py`` → ``zh-Hant``), the default first."""
    mods = [m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")]
    codes = {m.replace("_", "-") for m in mods}
    return tuple(sorted(codes, key=lambda c: (c != DEFAULT_LANG, c.casefold())))


#: Languages with a catalogue: every module ``i18n/<code>.py`` (``-`` spelled ``_``).
LANGS: tuple[str, ...] = _discover()

#: Language properties every catalogue defines (``lang.<name>``), read by the writers.
PROPERTIES = {
    "name": "the language's own name (中文, English, 繁體中文)",
    "name_en": "its English name, for messages",
    "aliases": "other codes users may type, separated by spaces (zh-TW zh-HK); case and -/_ ignored",
    "fallback": "language whose user-given names (indicator names) stand in when there are none in this "
                "one; empty for none",
    "list_sep": "separator of several names or words in one table cell (、 or \", \")",
    "qualifier_sep": "separator inside the brackets of a per-group header (泰尔指数 T[东部，西部])",
    "clause_sep": "separator of clauses in one message (；)",
    "cjk": "yes/no: figures need a CJK font; a Latin name is set off by spaces inside sentences",
    "english_text": "yes/no: texts nqpf holds only in English (the index stage's conventions) are shown",
    "numerals": "digits 1–10 of section numbers (一二三四五六七八九十), empty for 1, 2, 3",
    "section_number": "a section number ({n} the number in words or digits)",
    "region_names": "name style of nqpf.regions.name for Chinese regions (short, full, en, pinyin)",
    "indent": "first-line indent of Word paragraphs, in points (0: none)",
    "docx_font_body": "East Asian font of Word's body text",
    "docx_font_heading": "East Asian font of Word's headings and captions",
    "docx_east_asia": "East Asian language tag of Word's normal style",
    "css_fonts": "CSS font-family of the HTML report",
    "plot_fonts": "font families tried first for figures (comma separated), before the general CJK list",
}
#: Key families a catalogue may hold or not: ``region.<GB code>`` overrides the name style.
OPTIONAL_PREFIXES = ("region.",)


def lang_ident(lang: str) -> str:
    """The identifier spelling of a language code (``zh-Hant`` → ``zh_Hant``): its module name, its
    ``template_<ident>`` column and ``{tier_<ident>}`` placeholders."""
    return str(lang).replace("-", "_")


def family_parts() -> dict[str, dict]:
    """The texts of analysis families kept beside the catalogues: every module
    ``i18n/_families/<name>.py`` holding ``TEXTS = {"zh": {...}, "en": {...}}`` (a family's headers,
    captions, codes and methods text; the Traditional Chinese ones are generated into ``zh_Hant.py``)."""
    from . import _families

    out = {}
    for m in pkgutil.iter_modules(_families.__path__):
        if not m.name.startswith("_"):
            out[m.name] = importlib.import_module(f"{_families.__name__}.{m.name}").TEXTS
    return out


_CONFLICTS: list[tuple[str, str, str]] = []


@lru_cache(maxsize=None)
def _load(code: str) -> dict[str, str]:
    cat = dict(importlib.import_module(f"{__name__}.{lang_ident(code)}").CATALOGUE)
    for name, texts in family_parts().items():
        for key, text in texts.get(code, {}).items():
            if cat.get(key, text) != text:   # the first text stays; the catalogue test reports the clash
                _CONFLICTS.append((code, name, key))
                continue
            cat[key] = text
    return cat


def conflicts() -> list[tuple[str, str, str]]:
    """(language, family, key) of family texts that redefine a key differently (should be none)."""
    for code in LANGS:
        _load(code)
    return sorted(set(_CONFLICTS))


def catalogue(lang: str) -> dict[str, str]:
    """The catalogue of ``lang`` (key → text); ``lang`` may be an alias (``zh-TW``)."""
    return _load(check_lang(lang))


def _key(s) -> str:
    return str(s).strip().replace("_", "-").casefold()


def lang_code(lang) -> str | None:
    """The code in :data:`LANGS` that ``lang`` names (case and ``-``/``_`` ignored; aliases of the
    catalogues' ``lang.aliases``), or ``None``."""
    if lang in LANGS:
        return lang
    if not isinstance(lang, str) or not lang.strip():
        return None
    key = _key(lang)
    for code in LANGS:
        if _key(code) == key:
            return code
    for code in LANGS:
        if key in {_key(a) for a in catalogue(code).get("lang.aliases", "").split()}:
            return code
    return None


def check_lang(lang) -> str:
    """The code of ``lang`` (:func:`lang_code`), else :class:`~nqpf.errors.InputError` listing the
    languages (and the closest spelling)."""
    code = lang_code(lang)
    if code is not None:
        return code
    listed = []
    for c in LANGS:
        cat = catalogue(c)
        names = list(dict.fromkeys(n for n in (cat.get("lang.name"), cat.get("lang.name_en")) if n))
        listed.append(f"{c} ({', '.join(names)})" if names else c)
    spellings = {_key(c): c for c in LANGS}
    for c in LANGS:
        spellings.update({_key(a): c for a in catalogue(c).get("lang.aliases", "").split()})
    close = difflib.get_close_matches(_key(lang), list(spellings), n=1, cutoff=0.6)
    hint = f"; did you mean {spellings[close[0]]}?" if close else ""
    raise InputError(f"unknown language {lang!r}; use one of {', '.join(listed)}{hint}")


def has(key: str, lang: str) -> bool:
    """Whether ``key`` has a text in ``lang``."""
    return key in catalogue(lang)


def t(key: str, lang: str, default: str | None = None, **fmt) -> str:
    """The text of ``key`` in ``lang``, with ``{placeholders}`` filled from ``fmt``.

    A missing key returns ``default`` when given, else the key itself (so that a gap is visible and
    the catalogue tests can find it).
    """
    text = catalogue(lang).get(key)
    if text is None:
        text = key if default is None else default
    return text.format(**fmt) if fmt else text


def flag(key: str, lang: str) -> bool:
    """A yes/no property of ``lang`` (``flag("lang.cjk", lang)``)."""
    return t(key, lang, default="no").strip().lower() in ("yes", "true", "1")


def pick(texts: Mapping, lang: str, default=None):
    """The entry of ``texts`` (language → text, e.g. an indicator's names) for ``lang``: its own, else
    its ``lang.fallback`` language's, else the first non-empty one, else ``default``."""
    code = check_lang(lang)
    if texts:
        fb = t("lang.fallback", code, default="")
        for k in (code, lang, fb):
            if k and texts.get(k):
                return texts[k]
        for v in texts.values():
            if v:
                return v
    return default


def region_name(code, lang: str) -> str:
    """Display name of the Chinese region with GB/T 2260 ``code`` in ``lang``: the catalogue's
    ``region.<code>`` if it has one, else :func:`nqpf.regions.name` in the language's
    ``lang.region_names`` style (:class:`KeyError` / ``ValueError`` for an unknown code)."""
    key = f"region.{code}"
    cat = catalogue(lang)
    if key in cat:
        return cat[key]
    from .. import regions

    return regions.name(str(code), t("lang.region_names", lang))


def missing_keys(keys, langs=None) -> list[tuple[str, str]]:
    """(lang, key) pairs of ``keys`` without a text."""
    return [(lg, k) for lg in (LANGS if langs is None else langs) for k in keys if k not in catalogue(lg)]


_DEFAULT: list[str] = []


def set_default_lang(lang: str) -> None:
    """Language of notebook displays from now on (``nqpf.i18n.set_default_lang("en")``)."""
    _DEFAULT[:] = [check_lang(lang)]


def default_lang() -> str:
    """Language of notebook displays: the one set by :func:`set_default_lang`, else ``NQPF_LANG`` if set
    (any spelling :func:`lang_code` knows), else :data:`DEFAULT_LANG`."""
    if _DEFAULT:
        return _DEFAULT[0]
    return lang_code(os.environ.get("NQPF_LANG", DEFAULT_LANG)) or DEFAULT_LANG
