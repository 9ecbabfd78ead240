"""Chinese (CJK) fonts for matplotlib figures.

Figures with Chinese labels need a font with CJK glyphs; otherwise matplotlib draws empty boxes
("tofu"). :func:`cjk_font` finds one among the fonts matplotlib knows, :func:`resolve_lang` falls
back to English labels (with one warning per process) when a language that needs one (``lang.cjk`` of its
catalogue: ``zh``, ``zh-Hant``) is asked for and none is installed, and :func:`font_context` sets the rcParams for a block of code only — nothing is changed
at import.
"""
from __future__ import annotations

import contextlib
import functools
import threading
import warnings

import matplotlib as mpl
from matplotlib import font_manager

from nqpf.i18n import check_lang, flag, t

__all__ = ["CJK_FONT_CANDIDATES", "cjk_font", "resolve_lang", "font_context", "CJKFontWarning"]

#: Font families that cover simplified Chinese, in order of preference. The Noto/Source Han
#: ``.ttc`` collections register every regional face ("JP" covers Chinese too).
CJK_FONT_CANDIDATES: tuple[str, ...] = (
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans SC",
    "Noto Sans CJK JP",
    "Source Han Sans",
    "Noto Sans CJK TC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Heiti SC",
    "Heiti TC",
    "STHeiti",
    "Hiragino Sans GB",
    "Droid Sans Fallback",
    "Arial Unicode MS",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "Noto Serif CJK JP",
    "SimSun",
    "Songti SC",
    "STSong",
    "AR PL UMing CN",
    "AR PL UKai CN",
)

_INSTALL_HINT = (
    "no Chinese (CJK) font found for matplotlib, so figure labels fall back to English; "
    "install one (e.g. 'apt-get install fonts-noto-cjk' on Debian/Ubuntu, or SimHei/Microsoft "
    "YaHei on Windows) and clear the matplotlib font cache to get Chinese labels"
)


class CJKFontWarning(UserWarning):
    """Chinese labels were asked for but no CJK font is installed."""


#: Whether :class:`CJKFontWarning` has been issued in this process (it is issued once, not once per
#: figure).
_warned = False


@functools.lru_cache(maxsize=None)
def _find_cjk_font(preferred: tuple[str, ...] = ()) -> str | None:
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in (*preferred, *CJK_FONT_CANDIDATES):
        if name in installed:
            return name
    return None


def cjk_font(lang: str | None = None) -> str | None:
    """Name of an installed font family with Chinese glyphs, or ``None``.

    The first of the language's own fonts (``lang.plot_fonts`` of its catalogue: Traditional Chinese
    faces for ``zh-Hant``), then of :data:`CJK_FONT_CANDIDATES`, that matplotlib's font manager knows
    is returned (looked up once per process).
    """
    preferred = () if lang is None else tuple(
        f.strip() for f in t("lang.plot_fonts", lang).split(",") if f.strip())
    return _find_cjk_font(preferred)


def resolve_lang(lang: str) -> str:
    """The language figures will actually be labelled in.

    A language whose catalogue says ``lang.cjk = yes`` (``"zh"``, ``"zh-Hant"``) stays itself when
    :func:`cjk_font` finds a font; otherwise ``"en"`` is returned so that no label is drawn as boxes,
    and a :class:`CJKFontWarning` is issued the first time this happens in the process (later figures
    fall back silently). Other languages (``"en"``) stay as they are.

    A caller that passes region names to a figure should compute them in the language returned
    here (``lang = resolve_lang(lang)`` first), so that names, too, follow the fallback.

    Raises
    ------
    nqpf.errors.InputError
        ``lang`` has no catalogue (:data:`nqpf.i18n.LANGS`).
    """
    global _warned
    lang = check_lang(lang)
    if flag("lang.cjk", lang) and cjk_font() is None:
        if not _warned:
            _warned = True
            warnings.warn(_INSTALL_HINT, CJKFontWarning, stacklevel=3)
        return "en"
    return lang


#: Per thread: the stack of font-lookup caches of the :func:`font_context` blocks being run.
_lookups = threading.local()


def _install_lookup_cache() -> None:
    """Make matplotlib's font manager remember its font-file lookups inside :func:`font_context`.

    Matplotlib looks the font files of a text's properties up again every time the text is measured
    (``Text._get_layout`` → ``FontManager._find_fonts_by_props`` → ``findfont``, which rebuilds a
    tuple of rcParams on each call): tens of thousands of look-ups per report, about a tenth of the
    time spent saving figures. Inside a :func:`font_context` block the font rcParams are fixed, so
    the answer for the same properties is the same: it is kept in a dictionary of that block (of this
    thread), dropped when the block ends. Outside a block, or in another thread, matplotlib's own
    look-up runs unchanged. Installed once per process; the answers are those matplotlib gives.
    """
    fm = font_manager.fontManager
    if getattr(fm, "_nqpf_lookup_cache", False):
        return
    original = fm._find_fonts_by_props

    def find_fonts_by_props(prop, *args, **kwargs):
        stack = getattr(_lookups, "stack", None)
        if not stack:
            return original(prop, *args, **kwargs)
        cache = stack[-1]
        try:
            key = (prop, args, tuple(sorted(kwargs.items())))
            hit = cache.get(key)
        except TypeError:  # unhashable arguments: not cached
            return original(prop, *args, **kwargs)
        if hit is None:
            hit = cache[key] = tuple(original(prop, *args, **kwargs))
        return list(hit)

    fm._find_fonts_by_props = find_fonts_by_props
    fm._nqpf_lookup_cache = True


@contextlib.contextmanager
def font_context(lang: str):
    """Temporarily set matplotlib fonts for ``lang`` (already resolved by :func:`resolve_lang`).

    For a CJK language the CJK font comes first (it also has Latin glyphs); otherwise DejaVu Sans comes
    first with the CJK font, if any, as fallback for stray Chinese characters. ``axes.unicode_minus``
    is off because several CJK fonts lack U+2212 MINUS SIGN.
    """
    lang = check_lang(lang)
    cjk = flag("lang.cjk", lang)
    font = cjk_font()
    if font is not None:
        font = cjk_font(lang)  # the language's own faces first (Traditional Chinese: TC)
    if cjk and font is not None:
        family = [font, "DejaVu Sans"]
    else:
        family = ["DejaVu Sans"] + ([font] if font else [])
    # a list of concrete families in font.family makes matplotlib fall back glyph by glyph
    # (a generic "sans-serif" would use only the first font that exists)
    rc = {
        "font.family": family,
        "axes.unicode_minus": False,
    }
    _install_lookup_cache()
    stack = getattr(_lookups, "stack", None)
    if stack is None:
        stack = _lookups.stack = []
    with mpl.rc_context(rc):
        stack.append({})  # one cache per block: its font rcParams are fixed
        try:
            yield
        finally:
            stack.pop()
