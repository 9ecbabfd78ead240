"""Reading raw panels and score panels (see :mod:`nqpf.io.readers` for layouts and rules)."""
from ._cells import MISSING_MARKERS, col_letter, detect_encoding, parse_year, to_number
from .aliases import Aliases, alias_key, as_aliases, parse_aliases, read_aliases
from .readers import (AUDIT_COLUMNS, Panel, Scores, empty_audit, is_aggregate, read_long_scores, read_panel,
                      read_scores)

__all__ = ["read_panel", "read_scores", "read_long_scores", "Panel", "Scores", "AUDIT_COLUMNS", "empty_audit",
           "is_aggregate", "MISSING_MARKERS", "parse_year", "to_number", "col_letter", "detect_encoding",
           "Aliases", "read_aliases", "parse_aliases", "as_aliases", "alias_key"]
