"""Exceptions raised for problems in user input.

Every user-facing error derives from :class:`NqpfError`; the command line turns these into a
one-line message and a non-zero exit code instead of a traceback.
"""

__all__ = ["NqpfError", "InputError", "UnknownRegionError", "WeightsMismatchError", "SpecError"]


class NqpfError(Exception):
    """Base class of every error caused by user input or configuration."""


class InputError(NqpfError, ValueError):
    """Bad input data: the message names file, sheet, row and column where known."""


class UnknownRegionError(InputError, KeyError):
    """A region name that cannot be matched; ``suggestions`` holds the closest known names."""

    def __init__(self, name, suggestions=(), where="", *, ambiguous: bool = False):
        self.name = name
        self.suggestions = list(suggestions)
        self.where = where
        self.ambiguous = ambiguous   # a name of several known units, not an unknown one
        msg = f"{'ambiguous' if ambiguous else 'unknown'} region {name!r}"
        if where:
            msg += f" ({where})"
        if self.suggestions:
            msg += "; did you mean " + ", ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(msg)

    def __str__(self):  # KeyError would otherwise quote the message
        return self.args[0]


class WeightsMismatchError(InputError):
    """Spatial weights whose ids do not match the regions of the data."""


class SpecError(NqpfError, ValueError):
    """An invalid indicator system (spec)."""
