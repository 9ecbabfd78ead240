"""What a web job is asked to do: the uploaded files and the ``params`` JSON, checked and turned into the
command line's terms.

Nothing here touches the file system or imports the analysis stack: it runs in the server process when a
job is posted, so a malformed request is refused at once (HTTP 400 with one line) and only well-formed jobs
start a worker. Whether the values make sense (a language, a weighting method, the data themselves) is
decided by the same functions the command line calls, in the worker (:mod:`nqpf.web._worker`).

Conventions
-----------
* ``params`` keys are the command line's long option names, with or without the leading ``--`` and with
  ``-`` or ``_`` (``"region-col"``, ``"--region_col"``); ``mode`` is ``analyze`` (a scores table: ``nqpf
  analyze``) or ``study`` (raw data and an indicator system: ``nqpf index`` + ``nqpf run``).
* ``years`` means what it means on the command line of that mode: the years shown in Figure 2 and the
  maps for ``analyze``; the study period ``FIRST,LAST`` for ``study`` (``figure-years`` then names the years
  of the figures).
* ``alias`` (both modes) holds ``ALIAS=REGION`` texts, a list or one text separated by line breaks, commas
  or semicolons (a text area of the page); an alias file may be uploaded in the field ``aliases`` (CSV/Excel
  of two columns or TOML). In mode ``analyze`` an uploaded ``config`` is read for its ``[data] aliases``
  only (a table or ``ALIAS=REGION`` texts; its other settings are ignored with a warning).
* ``covariates`` (both modes, optional): the covariates of the geographical detector (family ``drivers``),
  CSV/Excel as ``--covariates FILE`` reads them; ``--covariates covariates.csv`` in the rerun command of
  mode ``analyze``, ``[drivers] covariates = "covariates.csv"`` in the config of mode ``study``.
* An uploaded file is stored in the job's folder under a fixed name (``data.csv``, ``spec.toml``,
  ``weights.gal`` …): only its suffix, from a short whitelist per field, is kept from the user's name.
"""
from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError

__all__ = ["FILE_FIELDS", "MODES", "OPTIONS", "stored_name", "parse_params", "JobRequest", "clean_display_name"]

MODES = ("analyze", "study")

#: Upload fields → (fixed stem, accepted suffixes). Only these names ever reach the file system.
FILE_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "data": ("data", (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".parquet")),
    "spec": ("spec", (".toml", ".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls")),
    "weights": ("weights", (".gal", ".gwt")),
    "given-weights": ("given_weights", (".csv", ".xlsx", ".xls")),
    "config": ("config_in", (".toml",)),
    "aliases": ("aliases", (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".toml")),
    "covariates": ("covariates", (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls")),
}

# option → (kind, modes). kind: str, int (≥ 0), float, bool, list (comma text or JSON list of strings).
_BOTH = ("analyze", "study")
OPTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    # common to both modes (nqpf analyze / nqpf run)
    "weights": ("str", _BOTH), "permutations": ("int", _BOTH), "seed": ("int", _BOTH),
    "alternative": ("str", _BOTH), "island": ("str", _BOTH), "lang": ("str", _BOTH),
    "formats": ("list", _BOTH), "only": ("list", _BOTH), "skip": ("list", _BOTH), "set": ("list", _BOTH),
    "years": ("list", _BOTH), "sheet": ("str", _BOTH), "region-col": ("str", _BOTH), "year-col": ("str", _BOTH),
    "alias": ("list", _BOTH), "exclude": ("list", _BOTH),
    # nqpf analyze
    "score-col": ("str", ("analyze",)), "drop-missing": ("bool", ("analyze",)),
    # nqpf index (the study's index) and the figures of nqpf run
    "spec": ("str", ("study",)), "weighting": ("str", ("study",)), "alpha": ("float", ("study",)),
    "per-year": ("bool", ("study",)), "shift": ("float", ("study",)), "topsis": ("bool", ("study",)),
    "treat": ("str", ("study",)), "layout": ("str", ("study",)), "variable-col": ("str", ("study",)),
    "value-col": ("str", ("study",)), "drop-incomplete": ("bool", ("study",)),
    "regions": ("str", ("study",)), "figure-years": ("list", ("study",)),
}

_MAX_TEXT = 200


def _norm_key(k: str) -> str:
    return str(k).strip().lstrip("-").replace("_", "-").lower()


def stored_name(field_name: str, filename: str | None) -> str:
    """The fixed name an upload of ``field_name`` is stored under: its stem and the user's suffix when
    that suffix is accepted for the field, else :class:`InputError`.

    Only the text after the last dot of the last path component is looked at (``../../x.csv`` →
    ``data.csv``; ``x.csv/..`` has no suffix and is refused).
    """
    stem, allowed = FILE_FIELDS[field_name]
    base = re.split(r"[\\/]", str(filename or ""))[-1]
    suffix = ("." + base.rsplit(".", 1)[-1].lower()) if "." in base.strip(".") else ""
    if suffix not in allowed:
        got = f"'{suffix}'" if suffix else "no suffix"
        raise InputError(f"{field_name}: file type {got} not accepted; upload one of {', '.join(allowed)}")
    return stem + suffix


def clean_display_name(filename: str | None) -> str:
    """The user's file name for display only (last path component, printable, ≤ 120 characters)."""
    base = re.split(r"[\\/]", str(filename or ""))[-1]
    base = "".join(ch for ch in base if ch.isprintable())
    return base[:120] or "?"


#: List options whose text may also be split at line breaks and semicolons (ASCII or full-width), as a
#: user pastes them into a text area (``alias``: one ``ALIAS=REGION`` a line).
_LINE_LISTS = {"alias", "exclude"}


def _as_list(key: str, v) -> list[str]:
    if isinstance(v, str):
        if key == "set":
            items = [v.strip()]
        else:
            items = [x.strip() for x in re.split(r"[,\n\r;，；、]" if key in _LINE_LISTS else ",", v)]
    elif isinstance(v, (list, tuple)) and all(isinstance(x, (str, int)) and not isinstance(x, bool) for x in v):
        items = [str(x).strip() for x in v]
    else:
        raise InputError(f"params: --{key} expects text separated by commas or a list of texts, got {v!r}")
    return [x for x in items if x]


def _check_value(key: str, kind: str, v):
    if kind == "bool":
        if isinstance(v, bool):
            return v
        if isinstance(v, str) and v.strip().lower() in ("true", "false", "1", "0", "yes", "no"):
            return v.strip().lower() in ("true", "1", "yes")
        raise InputError(f"params: --{key} expects true or false, got {v!r}")
    if kind == "int":
        if isinstance(v, str) and v.strip().isdigit():
            v = int(v.strip())
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            raise InputError(f"params: --{key} expects a whole number ≥ 0, got {v!r}")
        return v
    if kind == "float":
        if isinstance(v, str):
            try:
                v = float(v.strip())
            except ValueError:
                pass
        if not isinstance(v, (int, float)) or isinstance(v, bool) or v != v or v in (float("inf"), -float("inf")):
            raise InputError(f"params: --{key} expects a number, got {v!r}")
        return float(v)
    if kind == "list":
        out = _as_list(key, v)
        if any(len(x) > _MAX_TEXT for x in out) or len(out) > 500:
            raise InputError(f"params: --{key} is too long")
        return out
    if not isinstance(v, (str, int)) or isinstance(v, bool):
        raise InputError(f"params: --{key} expects text, got {v!r}")
    v = str(v).strip()
    if len(v) > _MAX_TEXT:
        raise InputError(f"params: --{key} is too long ({len(v)} characters)")
    return v


def parse_params(text: str | bytes | None) -> tuple[str, dict[str, Any]]:
    """``params`` JSON → ``(mode, options)`` with keys normalised to the long option names.

    Unknown names get the closest known one; an option of the other mode is named as such; empty
    values (``""``, ``null``) are dropped (the command line's default applies).
    """
    if text is None or (isinstance(text, (str, bytes)) and not text.strip()):
        raw: dict = {}
    else:
        try:
            raw = json.loads(text)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(f"params: not valid JSON ({exc}); send an object such as "
                             '{"mode": "analyze", "weights": "china-provinces"}') from None
        if not isinstance(raw, dict):
            raise InputError('params: expected a JSON object such as {"mode": "analyze"}')
    params = {_norm_key(k): v for k, v in raw.items()}
    mode = params.pop("mode", "analyze")
    if mode not in MODES:
        raise InputError(f"params: mode must be analyze (a scores table) or study (raw data), got {mode!r}")
    out: dict[str, Any] = {}
    for k, v in params.items():
        if k not in OPTIONS:
            close = difflib.get_close_matches(k, list(OPTIONS), n=1)
            raise InputError(f"params: unknown option --{k}" + (f"; did you mean --{close[0]}?" if close else "")
                             + f" (options: {', '.join(sorted(OPTIONS))})")
        kind, modes = OPTIONS[k]
        if mode not in modes:
            raise InputError(f"params: --{k} is an option of mode {modes[0]}, not of mode {mode}")
        if v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, list) and not v):
            continue
        out[k] = _check_value(k, kind, v)
    return mode, out


@dataclass
class JobRequest:
    """A checked request: the mode, the options and the uploaded files (field → stored name and the
    user's name for display)."""

    mode: str
    options: dict[str, Any]
    files: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def check(self) -> "JobRequest":
        """Which files each mode needs or accepts, as one-line errors."""
        if "data" not in self.files:
            raise InputError("data: no file uploaded; choose the filled workbook (study) or the scores table "
                             "(analyze) in the field data")
        if self.mode == "analyze":   # a config is read there for its [data] aliases only
            for f in ("spec", "given-weights"):
                if f in self.files:
                    raise InputError(f"{f}: a {f} file is used with mode study (raw data), not with a scores table")
        elif "spec" in self.files and "spec" in self.options:
            raise InputError("spec: give either a shipped spec name (--spec) or a spec file, not both")
        if "weights" in self.files and self.options.get("weights") not in (None, "file"):
            raise InputError(f"weights: a weights file was uploaded and --weights says {self.options['weights']!r}; "
                             "leave --weights empty (or 'file') to use the file")
        if self.options.get("weights") == "file" and "weights" not in self.files:
            raise InputError("weights: --weights file needs a .gal or .gwt file in the field weights")
        return self
