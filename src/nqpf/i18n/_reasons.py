"""Reasons of the audit table, and warnings, as codes with arguments, written in the reader's language.

Every row of the audit (``tables/audit.csv``) says why a value was read, changed, flagged or dropped.
The producers (readers, preparation, index, pipeline) give the reason as a code and its arguments
(:func:`reason`): the row keeps the code (``reason_code``), the arguments as JSON (``reason_args``)
and, for a reader of the CSV, the English sentence (``reason``), so the computed table is the same
whatever the output language. The workbook and the reports write the sentence of the catalogue key
``audit.reason.<code>`` in their language (:func:`render`); a row without a code (a reason not yet
given as one) keeps its English sentence.

Warnings work the same way: :class:`Notice` is a ``UserWarning`` whose text is the catalogue key
``warning.<code>`` with arguments; ``str()`` of it is the English sentence (what filters, logs and tests
see), and the command line and the web app write it in their language (:func:`warning_text`).

Arguments are numbers or text; a text starting with ``@`` is a catalogue key (a word that is itself
translated, ``"@audit.word.change_log"``); a mapping ``{"@": key, **args}`` is a catalogue text with its
own arguments (a clause of a sentence); and a list is written as the language's list, each element
translated the same way; a mapping of languages to texts (``{"zh": "发明专利授权数", "en":
"invention_patents"}``, a name of the user's indicator system) is the text of the language (or of its
fallback language).
"""
from __future__ import annotations

import json
from collections.abc import Mapping

__all__ = ["reason", "render", "REASON_COLUMNS", "Notice", "warning_text", "error_text", "listed", "and_more"]

#: The audit columns that carry a reason: the English sentence, the code and its arguments (JSON).
REASON_COLUMNS = ("reason", "reason_code", "reason_args")


def _plain(v):
    """``v`` as a JSON value: numpy scalars as Python numbers, tuples as lists."""
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        try:
            return v.item()
        except (TypeError, ValueError):
            pass
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    return v


def _args_in(args: Mapping, lang: str) -> dict:
    from . import pick, t

    sep = t("lang.list_sep", lang)

    def one(v):
        if isinstance(v, str) and v.startswith("@"):
            return t(v[1:], lang)
        if isinstance(v, dict) and "@" in v:   # a clause: a catalogue text with its own arguments
            inner = {k: x for k, x in v.items() if k != "@"}
            return t(str(v["@"]), lang, **_args_in(inner, lang)) if inner else t(str(v["@"]), lang)
        if isinstance(v, dict):   # a text per language (a name of the user's indicator system)
            return pick(v, lang, default="")
        return v

    return {k: (sep.join(str(one(x)) for x in v) if isinstance(v, list) else one(v)) for k, v in args.items()}


def _say(key: str, args: Mapping, lang: str) -> str | None:
    """The catalogue text ``key`` in ``lang`` with ``args`` written in it, or None when the language
    has no text for it (or the text does not take these arguments)."""
    from . import t

    try:
        got = t(key, lang, **_args_in(args, lang))
    except (KeyError, IndexError, ValueError):
        return None
    return None if got == key else got


def and_more(n: int):
    """The clause " and ``n`` more" (``warning.and_more``) of a list cut short; ``""`` for ``n`` ≤ 0."""
    return {"@": "warning.and_more", "n": int(n)} if n > 0 else ""


def listed(items, limit: int) -> tuple[list, object]:
    """At most ``limit`` of ``items`` (an argument written as the reader's language lists) and the clause
    counting the others (:func:`and_more`)."""
    items = list(items)
    return items[:limit], and_more(len(items) - limit)


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and v != v) or str(v) == ""


def reason(code: str, **args) -> dict:
    """The audit fields of the reason ``code`` with ``args``: ``reason`` (the English sentence of
    ``audit.reason.<code>``), ``reason_code`` and ``reason_args`` (the arguments as JSON, keys sorted).

    >>> reason("outside_period", y0=2011, y1=2023)["reason"]
    'outside the study period 2011-2023'
    """
    args = {k: _plain(v) for k, v in args.items()}
    key = f"audit.reason.{code}"
    text = _say(key, args, "en")
    if text is None:
        raise KeyError(f"audit reason {code!r} has no text in the catalogue ({key})")
    return {"reason": text, "reason_code": code,
            "reason_args": json.dumps(args, ensure_ascii=False, sort_keys=True, separators=(",", ":"))}


def render(code, args, text, lang: str) -> str:
    """The reason of one audit row in ``lang``: the catalogue's sentence of ``code`` with ``args``
    (JSON text or a mapping); ``text`` (the English sentence) when the row has no code or the code is
    unknown."""
    out = None
    if not _blank(code):
        try:
            a = json.loads(args) if isinstance(args, str) and args else dict(args or {})
        except (TypeError, ValueError):
            a = {}
        out = _say(f"audit.reason.{code}", a, lang)
    return out if out is not None else ("" if _blank(text) else str(text))


class Notice(UserWarning):
    """A warning written in the reader's language: the catalogue text ``warning.<code>`` with ``args``.

    ``str()`` is the English text (filters, ``pytest.warns(match=...)`` and logs see it);
    :meth:`text` writes it in any language. Raise it as any warning::

        warnings.warn(Notice("coupling_zero", {"n": 3, "first": "内蒙古 2018"}), stacklevel=2)
    """

    def __init__(self, code: str, args: Mapping | None = None):
        self.code = str(code)
        self.fields = {str(k): _plain(v) for k, v in dict(args or {}).items()}
        super().__init__(self.text("en"))

    def text(self, lang: str) -> str:
        """The warning in ``lang`` (English where the language has no text for it)."""
        got = _say(self._key, self.fields, lang) or _say(self._key, self.fields, "en")
        if got is None:
            raise KeyError(f"{self.code!r} has no text in the catalogue ({self._key})")
        return got

    @property
    def _key(self) -> str:
        """``warning.<code>``; a code with a dot is a whole key (``error.not_provinces``: an error's text)."""
        return self.code if "." in self.code else f"warning.{self.code}"

    def __reduce__(self):   # pickled with its code and arguments (figure processes send it back)
        return (type(self), (self.code, self.fields))


def warning_text(message, lang: str) -> str:
    """A warning's message as the reader sees it: a :class:`Notice` in ``lang``, any other as written."""
    return message.text(lang) if isinstance(message, Notice) else str(message)


def error_text(exc, lang: str) -> str:
    """An error's message as the reader sees it: the text in ``lang`` of the :class:`Notice` it carries
    (attribute ``notice``, set where the error is raised; its ``str()`` is the English text), else its
    message as written."""
    notice = getattr(exc, "notice", None)
    return notice.text(lang) if isinstance(notice, Notice) else str(exc)
