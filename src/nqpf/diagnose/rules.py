"""The rules table of the strategy table: which sentence each region gets (data, not code).

``load_rules``   read and check the rules table (the bundled ``rules.csv`` or a user's CSV)
``match_rules``  the rules chosen for one region's facts
``choose_rules`` the rule ids chosen for every row of a facts table (vectorised)

A rule has an id, a focus (``local``, ``trend``, ``multicore``, ``synergy``), a priority, one
condition per fact and one sentence template per language (``template_zh``, ``template_en``, …
``template_<lang>``). See ``README.md`` beside ``rules.csv`` for the placeholders.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = [
    "RULE_FIELDS", "OPTIONAL_FIELDS", "RULE_COLUMNS", "FOCUS_ORDER", "PLACEHOLDERS",
    "CODED_PLACEHOLDERS", "load_rules", "match_rules", "choose_rules", "template_column",
    "template_columns", "placeholder_names",
]

#: Facts a rule sets conditions on.
RULE_FIELDS = ("tier", "trend", "direction", "role", "has_shortboards", "has_partners")
#: Condition columns a rules file may leave out (read as ``*``), for files written before them.
OPTIONAL_FIELDS = ("direction",)
#: Columns of the bundled rules file (any other ``template_<lang>`` column may be added).
RULE_COLUMNS = ("rule_id", "focus", "priority", *RULE_FIELDS, "template_zh", "template_en")
#: Focuses in the order their sentences are joined.
FOCUS_ORDER = ("local", "trend", "multicore", "synergy")
#: Placeholders that are words in the template's language: ``{tier}`` (a ``cat.tier.*`` entry of the
#: catalogue), ``{trend}``, ``{direction}``, ``{role}`` and ``{path}`` (the path phrase). The older
#: spelling ``{tier_zh}`` / ``{tier_en}`` / ``{tier_<lang>}`` names the language explicitly.
CODED_PLACEHOLDERS = ("tier", "trend", "direction", "role", "path")
#: Language-neutral placeholders of a template.
PLACEHOLDERS = frozenset({
    "region", *CODED_PLACEHOLDERS, "tier_basis", "shortboards", "partners", "score_first", "score_last",
    "rank_last", "n_regions", "first_year", "last_year", "quadrant_first", "quadrant_last",
    "cluster_last", "rel_slope_pct", "R2", "net_change", "rel_change_pct", "peak", "peak_year",
})
_TEMPLATE = re.compile(r"^template_([\w-]+)$")
_FIELD = re.compile(r"{(\w+)}")


def template_columns(rules: pd.DataFrame) -> dict[str, str]:
    """Language → template column of a rules table (``template_zh`` → ``zh``; ``template_zh_Hant`` or
    ``template_zh-Hant`` → ``zh-Hant``, the code of :data:`nqpf.i18n.LANGS` the suffix names)."""
    from ..i18n import lang_code

    out = {}
    for c in rules.columns:
        if m := _TEMPLATE.match(str(c)):
            out[lang_code(m.group(1)) or m.group(1)] = c
    return out


def template_column(rules: pd.DataFrame, lang: str) -> str:
    """The template column of ``lang``; :class:`~nqpf.errors.InputError` if the table has none."""
    from ..i18n import lang_code, lang_ident

    cols = template_columns(rules)
    code = lang_code(lang) or lang
    if code not in cols:
        raise InputError(f"rules table: no column template_{lang_ident(code)}; add one to write the "
                         f"strategy in {code!r} (it has {sorted(cols) or 'no template columns'})")
    return cols[code]


def placeholder_names(langs) -> frozenset[str]:
    """Placeholders allowed in a template: :data:`PLACEHOLDERS` and ``{<coded>_<lang>}`` (the language
    spelled as its code or as an identifier: ``{tier_zh_Hant}``)."""
    from ..i18n import lang_ident

    return PLACEHOLDERS | {f"{f}_{sp}" for f in CODED_PLACEHOLDERS for lg in langs
                           for sp in (lg, lang_ident(lg))}


def _read(path) -> tuple[pd.DataFrame, str]:
    """The rules table as strings and where it came from (for messages)."""
    if isinstance(path, pd.DataFrame):
        return path.copy(), "rules table"
    if path is None:
        src = resources.files(__package__).joinpath("rules.csv")
        with src.open("r", encoding="utf-8") as fh:
            return pd.read_csv(fh, dtype=str, keep_default_na=False), "bundled rules.csv"
    where = str(path)
    if not Path(path).is_file():
        raise InputError(f"rules file {where} not found")
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8"), where


def _check_columns(df: pd.DataFrame, where: str) -> dict[str, str]:
    """Fill optional condition columns with ``*``; require the others and one template column."""
    for c in OPTIONAL_FIELDS:
        if c not in df.columns:
            df[c] = "*"
    required = ("rule_id", "focus", "priority", *RULE_FIELDS)
    missing = [c for c in required if c not in df.columns]
    templates = template_columns(df)
    if missing or not templates:
        need = missing + ([] if templates else ["template_<lang> (e.g. template_zh)"])
        raise InputError(f"{where}: missing column(s) {need}; expected {list(RULE_COLUMNS)}")
    return templates


def _check_rows(df: pd.DataFrame, where: str, templates: Mapping[str, str]) -> None:
    """Focus, priority, placeholders and yes/no conditions of every row; unique rule ids."""
    from ..i18n import LANGS

    allowed = placeholder_names(set(LANGS) | set(templates))
    for i, row in df.iterrows():
        line = i + 2  # header is line 1
        if row["focus"] not in FOCUS_ORDER:
            raise InputError(f"{where}, row {line}, column focus: {row['focus']!r} is not one of "
                             f"{list(FOCUS_ORDER)}")
        try:
            float(row["priority"])
        except ValueError:
            raise InputError(f"{where}, row {line}, column priority: {row['priority']!r} is not a "
                             "number") from None
        for col in templates.values():
            bad = set(_FIELD.findall(row[col])) - allowed
            if bad:
                raise InputError(f"{where}, row {line}, column {col}: unknown placeholder(s) "
                                 f"{sorted(bad)}; allowed: {sorted(allowed)}")
        for col in ("has_shortboards", "has_partners"):
            if row[col] not in ("yes", "no", "*"):
                raise InputError(f"{where}, row {line}, column {col}: use yes, no or *")
    if df["rule_id"].duplicated().any():
        dup = list(df.loc[df["rule_id"].duplicated(), "rule_id"])
        raise InputError(f"{where}: duplicated rule_id {dup}; give every rule its own id")


def load_rules(path=None) -> pd.DataFrame:
    """Read and check a rules table (CSV, UTF-8); ``None`` → the bundled ``rules.csv``.

    Columns: ``rule_id, focus, priority, tier, trend, direction, role, has_shortboards,
    has_partners`` and one ``template_<lang>`` column per language (``template_zh``,
    ``template_en``; ``direction`` may be missing: read as ``*``). A condition cell is ``*``
    (anything), one value, or values separated by ``|``; ``has_*`` take ``yes``/``no``/``*``.
    ``focus`` is one of ``local`` (因地制宜), ``trend`` (因地制宜: stability of the path),
    ``multicore`` (多核驱动) and ``synergy`` (多维协同). For each region and focus the matching rule
    with the smallest ``priority`` (then the earliest row) gives the sentence.

    Templates use ``{placeholders}`` (:data:`PLACEHOLDERS`): region, tier, tier_basis, trend,
    direction, role, path, shortboards, partners, score_first, score_last, rank_last, n_regions, first_year,
    last_year, quadrant_first, quadrant_last, cluster_last, rel_slope_pct, R2, net_change,
    rel_change_pct, peak, peak_year. ``{tier}``, ``{trend}``, ``{direction}``, ``{role}`` and
    ``{path}`` are words in the template's language (``{tier_basis}`` too: what the tier was
    classified on, "按2010—2020年平均水平" for the period mean, nothing for the last year);
    ``{tier_zh}``, ``{path_en}`` … name the
    language explicitly (the spelling of rules files written for nqpf 0.1). See
    :func:`nqpf.diagnose.render_focus`.

    Parameters
    ----------
    path : str, path, DataFrame or None

    Returns
    -------
    DataFrame
        The rules, ``priority`` as float, every other column as str.
    """
    df, where = _read(path)
    templates = _check_columns(df, where)
    df = df.astype({c: str for c in df.columns if c != "priority"})
    _check_rows(df, where, templates)
    df["priority"] = df["priority"].astype(float)
    return df.reset_index(drop=True)


def _allowed(cond: str) -> set[str] | None:
    """Values a condition cell accepts; ``None`` for ``*`` (anything)."""
    cond = cond.strip()
    return None if cond == "*" else {c.strip() for c in cond.split("|")}


def choose_rules(rules: pd.DataFrame, facts: pd.DataFrame) -> list[list[str]]:
    """Rule ids chosen for every row of ``facts``: per focus in :data:`FOCUS_ORDER`, the matching
    rule with the smallest priority (ties: the earlier row of ``rules``).

    Parameters
    ----------
    rules : DataFrame
        A checked rules table (:func:`load_rules`).
    facts : DataFrame
        One row per region with the columns :data:`RULE_FIELDS` (codes; ``has_*`` ``yes``/``no``).

    Returns
    -------
    list of list of str
        One list of rule ids per row of ``facts``, in focus order.
    """
    n = len(facts)
    chosen: list[list[str]] = [[] for _ in range(n)]
    order = rules.assign(_row=np.arange(len(rules))).sort_values(["priority", "_row"], kind="stable")
    for focus in FOCUS_ORDER:
        cand = order[order["focus"] == focus]
        if cand.empty:
            continue
        match = np.ones((n, len(cand)), dtype=bool)
        for f in RULE_FIELDS:
            vals = facts[f].astype(str)
            for j, cond in enumerate(cand[f]):
                ok = _allowed(cond)
                if ok is not None:
                    match[:, j] &= vals.isin(ok).to_numpy()
        first = match.argmax(axis=1)
        ids = cand["rule_id"].to_numpy()
        for i in np.flatnonzero(match.any(axis=1)):
            chosen[i].append(ids[first[i]])
    return chosen


def match_rules(facts: Mapping, rules=None) -> pd.DataFrame:
    """The rules chosen for one region's facts: one row per focus that has a matching rule.

    Parameters
    ----------
    facts : dict
        ``tier, trend, direction, role`` codes and ``has_shortboards, has_partners``
        (``"yes"``/``"no"``). ``direction`` may be left out: then only rules with ``*`` in that
        column match.
    rules : path, DataFrame or None
        As :func:`load_rules`.

    Returns
    -------
    DataFrame
        The chosen rows of the rules table, in focus order.
    """
    missing = [f for f in RULE_FIELDS if f not in facts and f not in OPTIONAL_FIELDS]
    if missing:
        raise InputError(f"facts: missing {missing}; give {list(RULE_FIELDS)}")
    table = load_rules(rules)
    row = pd.DataFrame([{f: str(facts.get(f, "")) for f in RULE_FIELDS}])
    ids = choose_rules(table, row)[0]
    return table.set_index("rule_id").loc[ids].reset_index()
