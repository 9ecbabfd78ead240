"""One home for language: catalogues of keyed texts, one per language.

Only the writers (:mod:`nqpf.outputs`, :mod:`nqpf.report`), the figures (:mod:`nqpf.plot`) and the
command line call :func:`t`. Computed tables hold codes; :func:`t` turns a code's key into words when
writing. Keys are dotted: ``col.<column>`` (headers), ``cat.<family>.<code>`` (category codes:
``cat.quadrant.HH``, ``cat.tier.high``, ``cat.group.east``), ``caption.<table>``, ``figure.<kind>``,
``section.<name>``, ``meta.<parameter>``, ``value.<parameter value>``, ``conv.<convention>``,
``word.*``, ``note.*``, ``plot.*`` (figure texts), ``report.*``.

Adding a language is one catalogue module (``xx.py`` holding ``CATALOGUE``) plus the rule templates of
the strategy table (a ``template_xx`` column of ``diagnose_rules/rules.csv``).
"""
from __future__ import annotations

import importlib
import os
from functools import lru_cache

from ..errors import InputError

__all__ = ["LANGS", "t", "has", "check_lang", "catalogue", "default_lang", "set_default_lang", "missing_keys"]

#: Languages with a catalogue.
LANGS = ("zh", "en")


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    """The catalogue of ``lang`` (key → text)."""
    check_lang(lang)
    return importlib.import_module(f"{__name__}.{lang}").CATALOGUE


def check_lang(lang) -> str:
    """``lang`` if a catalogue exists for it, else :class:`~nqpf.errors.InputError`."""
    if lang not in LANGS:
        raise InputError(f"unknown language {lang!r}; use one of {', '.join(LANGS)} (zh: Chinese, en: English)")
    return lang


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


def missing_keys(keys, langs=LANGS) -> list[tuple[str, str]]:
    """(lang, key) pairs of ``keys`` without a text."""
    return [(lg, k) for lg in langs for k in keys if k not in catalogue(lg)]


_DEFAULT: list[str] = []


def set_default_lang(lang: str) -> None:
    """Language of notebook displays from now on (``nqpf.i18n.set_default_lang("en")``)."""
    _DEFAULT[:] = [check_lang(lang)]


def default_lang() -> str:
    """Language of notebook displays: the one set by :func:`set_default_lang`, else ``NQPF_LANG`` if set,
    else Chinese."""
    if _DEFAULT:
        return _DEFAULT[0]
    lang = os.environ.get("NQPF_LANG", "zh")
    return lang if lang in LANGS else "zh"
