"""Region aliases: a user's spelling of a region mapped to a region nqpf knows.

A panel in which a region is written in a way nqpf cannot match (``Yunan`` typed by hand in 87 cells)
need not be edited: an alias maps the spelling to a known name or code (``Yunan`` → ``云南``), and the
readers (:func:`nqpf.io.read_panel`, :func:`nqpf.io.read_scores`, ``aliases=``) apply it to every cell
before the names are matched, one audit row (action ``alias``) per cell.

Aliases are given as

* a mapping ``{"Yunan": "云南"}`` (Python; a config's ``[data] aliases`` table);
* ``ALIAS=REGION`` strings (the command line's ``--alias 'Yunan=云南'``; :func:`parse_aliases`);
* a file (:func:`read_aliases`): CSV/TSV or Excel with two columns ``alias, region`` (a header row
  naming them is optional; 别名/原写法 and 地区/省份/标准名 are understood too), or a TOML file whose
  ``[aliases]`` table (or top level) maps aliases to regions.

A spelling is matched whatever its case, full-width forms and spaces (``yunan``, ``ＹＵＮＡＮ``,
``Yu nan`` all match the alias ``Yunan``). Every alias remembers where it was given (file and row, or
the option), so that a wrong target is reported there.
"""
from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path

from ..errors import InputError

__all__ = ["Aliases", "read_aliases", "parse_aliases", "as_aliases", "alias_key"]

_ALIAS_HEAD = {"alias", "aliases", "别名", "写法", "原名", "原写法", "错误写法", "数据中写法", "spelling", "from",
               "name_in_data", "data_name", "misspelling"}
_TARGET_HEAD = {"region", "province", "地区", "省份", "省", "省市", "区域", "标准名", "标准名称", "正确写法",
                "target", "to", "code", "region_code", "adcode", "name", "名称", "city", "城市"}


def alias_key(name) -> str:
    """The form in which a spelling is compared with the aliases: full-width forms folded, case and
    spaces ignored (``"Ｙu nan"`` → ``"yunan"``)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(name))).casefold()


class Aliases(dict):
    """Aliases (user spelling → region name or code) with where each was given.

    A plain ``dict`` for reading; :meth:`add` checks each entry. ``where[alias]`` names the place an
    alias was given (``"aliases.csv, row 3"``, ``"--alias 'Yunan=云南'"``) for messages.
    """

    def __init__(self):
        super().__init__()
        self.where: dict = {}

    def add(self, alias, region, where: str) -> None:
        """Add one alias; an empty side, or the same spelling mapped to two regions, is an
        :class:`~nqpf.errors.InputError` naming the place(s)."""
        a = "" if alias is None else str(alias).strip()
        r = "" if region is None else _as_text(region).strip()
        if not a:
            raise InputError(f"{where}: an alias without a spelling (region {r!r}); write the spelling used in "
                             "the data, e.g. Yunan=云南")
        if not r:
            raise InputError(f"{where}: alias {a!r} has no region; write the region it stands for "
                             f"({a}=REGION, a region's name or code)")
        key = alias_key(a)
        for old, target in self.items():
            if alias_key(old) == key:
                if alias_key(target) != alias_key(r):
                    raise InputError(f"{where}: alias {a!r} maps to {r!r}, but {self.where[old]} maps it to "
                                     f"{target!r}; keep one of the two")
                return
        self[a] = r
        self.where[a] = where

    def update_from(self, other: "Aliases") -> "Aliases":
        """Add every alias of ``other`` (conflicts are errors, as in :meth:`add`); returns ``self``."""
        for a, r in other.items():
            self.add(a, r, other.where.get(a, "aliases"))
        return self

    def lookup(self) -> dict:
        """``alias_key(spelling)`` → (alias as given, region) for matching cells."""
        return {alias_key(a): (a, r) for a, r in self.items()}


def _as_text(v) -> str:
    """A cell or TOML value as text (a code read as the number 530000.0 → ``"530000"``)."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def parse_aliases(items, where: str = "--alias") -> Aliases:
    """Aliases from ``ALIAS=REGION`` strings, as typed on the command line.

    Parameters
    ----------
    items : str or sequence of str
        ``"Yunan=云南"``; one string may hold several separated by commas or semicolons
        (``"Yunan=云南, Guizou=贵州"``). A full-width ``＝`` works too.
    where : str
        How the strings were given (``"--alias"``), used in messages.

    Returns
    -------
    Aliases
    """
    if isinstance(items, str):
        items = [items]
    out = Aliases()
    for item in items:
        for part in re.split(r"[,;，；]", str(item)):
            if not part.strip():
                continue
            text = unicodedata.normalize("NFKC", part)
            if text.count("=") != 1:
                raise InputError(f"{where} {part.strip()!r}: expected ALIAS=REGION with one '=', e.g. "
                                 f"{where} 'Yunan=云南'")
            a, r = text.split("=")
            out.add(a, r, f"{where} {part.strip()!r}")
    return out


def read_aliases(path) -> Aliases:
    """Read an alias file.

    Parameters
    ----------
    path : str or Path
        ``.csv``/``.tsv``/``.txt`` (any encoding the readers detect) or ``.xlsx``/``.xls`` (the first
        sheet with content): two columns, the spelling in the data and the region it stands for, with
        or without a header row (``alias, region``; 别名, 地区 …); blank rows and rows whose first cell
        starts with ``#`` are skipped. ``.toml``: an ``[aliases]`` table (or the top level) of
        ``"spelling" = "region"`` pairs.

    Returns
    -------
    Aliases
        Each alias with its place (``"file, row N"``), so that the readers can name it when its
        region is unknown.

    Raises
    ------
    InputError
        Naming the file and row: a row without a spelling or a region, more than two filled columns
        without a header, a spelling mapped to two regions.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"alias file not found: {p}")
    if p.suffix.lower() == ".toml":
        return _read_toml(p)
    from ._cells import cell_text, is_blank, read_grids

    grids, _ = read_grids(p)
    grid = next((g for g in grids if any(not is_blank(c) for r in g.cells for c in r)), None)
    if grid is None:
        raise InputError(f"{p}: the alias file is empty; write two columns, alias and region (e.g. Yunan,云南)")
    out = Aliases()
    cols = None
    for i, row in enumerate(grid.cells):
        texts = [cell_text(c) for c in row]
        filled = [j for j, t in enumerate(texts) if t]
        if not filled or texts[filled[0]].startswith("#"):
            continue
        where = grid.where(i)
        if cols is None:
            cols = _alias_columns(texts)
            if cols is not None:
                continue  # a header row
            if len(filled) != 2:
                raise InputError(f"{where}: an alias file has two columns, the spelling in the data and the "
                                 f"region (e.g. Yunan,云南), or a header naming them (alias, region); this row "
                                 f"has {len(filled)} filled cell(s): {[texts[j] for j in filled]}")
            cols = tuple(filled)
        ja, jr = cols
        a = texts[ja] if ja < len(texts) else ""
        r = texts[jr] if jr < len(texts) else ""
        out.add(a, r, where)
    if not out:
        raise InputError(f"{p}: the alias file holds no alias (a header at most); write rows such as Yunan,云南")
    return out


def _alias_columns(texts) -> tuple | None:
    """(alias column, region column) when ``texts`` is a header row naming both, else None."""
    norm = [re.sub(r"\s+", "", t).lower() for t in texts]
    ja = next((j for j, t in enumerate(norm) if t in _ALIAS_HEAD), None)
    jr = next((j for j, t in enumerate(norm) if t in _TARGET_HEAD and j != ja), None)
    return (ja, jr) if ja is not None and jr is not None else None


def _read_toml(p: Path) -> Aliases:
    try:
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover
        import tomli as tomllib
    try:
        text = p.read_text(encoding="utf-8-sig")
        doc = tomllib.loads(text)
    except UnicodeDecodeError:
        raise InputError(f"{p}: a TOML alias file must be UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{p}: not valid TOML: {exc}") from None
    table = doc.get("aliases", doc)
    if isinstance(doc.get("data"), dict) and "aliases" in doc["data"] and "aliases" not in doc:
        table = doc["data"]["aliases"]
    if not isinstance(table, dict):
        raise InputError(f"{p}: 'aliases' must be a table of \"spelling\" = \"region\" pairs")
    lines = text.splitlines()
    out = Aliases()
    for a, r in table.items():
        where = f"{p}, line {_line_of(lines, a)}" if _line_of(lines, a) else f"{p}, key {a!r}"
        if isinstance(r, (dict, list)) or isinstance(r, bool):
            raise InputError(f"{where}: alias {a!r} must map to one region name or code, got {r!r}")
        out.add(a, r, where)
    if not out:
        raise InputError(f"{p}: no aliases found; write an [aliases] table, e.g. Yunan = \"云南\"")
    return out


def _line_of(lines, key) -> int | None:
    """1-based line of the TOML line defining ``key`` (bare or quoted), if found."""
    pat = re.compile(r"^\s*(?:" + re.escape(key) + r"|\"" + re.escape(key) + r"\"|'" + re.escape(key) + r"')\s*=")
    return next((k + 1 for k, ln in enumerate(lines) if pat.match(ln)), None)


def as_aliases(value, where: str = "aliases") -> Aliases | None:
    """Aliases from any accepted form: None, :class:`Aliases`, a mapping, a file path, ``ALIAS=REGION``
    string(s), or a sequence mixing files and strings."""
    if value is None:
        return None
    if isinstance(value, Aliases):
        return value
    if isinstance(value, Mapping):
        out = Aliases()
        for a, r in value.items():
            out.add(a, r, f"{where} {{{str(a)!r}: {_as_text(r)!r}}}")
        return out
    if isinstance(value, (str, os.PathLike)):
        text = os.fspath(value)
        if "=" in text and not Path(text).exists():
            return parse_aliases(text, where=where)
        return read_aliases(text)
    if isinstance(value, (list, tuple)):
        out = Aliases()
        for v in value:
            part = as_aliases(v, where)
            if part is not None:
                out.update_from(part)
        return out
    raise InputError(f"{where} must be a mapping spelling → region, ALIAS=REGION text or an alias file, got "
                     f"{type(value).__name__}")
