"""One style for every nqpf figure: colour-blind-safe palettes, rcParams, saving.

Palettes
--------
* :data:`OKABE_ITO` — Okabe & Ito (2008) qualitative palette, safe for the common colour-vision
  deficiencies; used for lines.
* :data:`QUADRANT_COLORS` — LISA quadrants from ColorBrewer RdBu (diverging, colour-blind safe):
  dark red HH, light red HL, light blue LH, dark blue LL.
* sequential data: ``viridis`` (heatmap) and ColorBrewer ``YlGnBu`` (maps).

Every figure function builds its figure inside :func:`style_context` and records the language on the
figure (``fig.nqpf_lang``); :func:`save_figure` draws inside the same context, so tick labels made
lazily at draw time get the same fonts.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import matplotlib as mpl
import numpy as np

from nqpf.errors import InputError
from nqpf.plot.fonts import font_context

__all__ = [
    "color_cells",
    "OKABE_ITO",
    "QUADRANT_COLORS",
    "NOT_SIGNIFICANT_COLOR",
    "NO_DATA_COLOR",
    "SEQUENTIAL_CMAP",
    "MAP_CMAP",
    "RC",
    "style_context",
    "new_figure",
    "save_figure",
    "display_names",
    "has_cjk",
    "fmt_number",
    "freeze_layout",
    "LINE_COLORS",
]

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "skyblue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
#: Line colours in order of use.
LINE_COLORS = [OKABE_ITO[k] for k in ("blue", "vermillion", "green", "orange", "purple", "skyblue")]

QUADRANT_COLORS = {"HH": "#B2182B", "HL": "#F4A582", "LH": "#92C5DE", "LL": "#2166AC"}
NOT_SIGNIFICANT_COLOR = "#EEEEEE"
NO_DATA_COLOR = "#D0D0D0"
SEQUENTIAL_CMAP = "viridis"
MAP_CMAP = "YlGnBu"

#: rcParams of every nqpf figure (fonts are set by :func:`nqpf.plot.fonts.font_context`).
RC = {
    "figure.dpi": 100,
    "savefig.dpi": 300,
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "axes.prop_cycle": mpl.cycler(color=LINE_COLORS),
    "lines.linewidth": 1.6,
    "lines.markersize": 4.5,
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
}


@contextlib.contextmanager
def style_context(lang: str):
    """rcParams of :data:`RC` plus the fonts for ``lang`` (already resolved), for one block."""
    with mpl.rc_context(RC), font_context(lang):
        yield


def new_figure(lang: str, figsize, **kw):
    """A constrained-layout figure remembering its language (``fig.nqpf_lang``).

    Uses :class:`matplotlib.figure.Figure` directly (not pyplot), so figures are not kept alive by
    the pyplot state machine and no GUI backend is touched.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figsize = tuple(round(float(v), 1) for v in figsize)  # whole pixels at common dpi
    fig = Figure(figsize=figsize, layout="constrained", **kw)
    FigureCanvasAgg(fig)
    fig.nqpf_lang = lang
    return fig


def save_figure(fig, path_stem, formats: Iterable[str] = ("png", "svg"), dpi: int = 300) -> list[Path]:
    """Write ``fig`` as ``path_stem.<fmt>`` for every format, each file atomically.

    Each file is rendered to a temporary file in the target directory and moved into place with
    :func:`os.replace`, so a reader never sees a half-written figure. The figure size is kept as is
    (no tight bounding box): a PNG is ``width × dpi`` by ``height × dpi`` pixels.

    The figure is laid out once, when the first format is drawn (a constrained layout costs about as
    much as drawing the figure); the other formats reuse that layout (their elements at the same
    fractions of the figure) and the figure's layout engine is given back afterwards, so a later
    draw lays it out again.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path_stem : str or Path
        Path without extension; parent directories are created.
    formats : iterable of str
        Any format matplotlib writes (``png``, ``svg``, ``pdf``, ``eps``, ``tif`` ...).
    dpi : int
        Resolution of raster formats.

    Returns
    -------
    list of Path
        The files written, in the order of ``formats``.
    """
    formats = [str(f).lower().lstrip(".") for f in ([formats] if isinstance(formats, str) else formats)]
    if not formats:
        raise InputError("save_figure: formats is empty; give e.g. ('png', 'svg')")
    supported = fig.canvas.get_supported_filetypes()
    bad = [f for f in formats if f not in supported]
    if bad:
        raise InputError(f"save_figure: unsupported format(s) {bad}; use one of {sorted(supported)}")
    stem = Path(path_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    lang = getattr(fig, "nqpf_lang", "en")
    written = []
    engine = fig.get_layout_engine()
    try:
        _save_each(fig, stem, formats, dpi, lang, engine, written)
    finally:
        if engine is not None and fig.get_layout_engine() is not engine:
            fig.set_layout_engine(engine)  # as it was: a later draw lays the figure out again
    return written


def _save_each(fig, stem: Path, formats, dpi: int, lang: str, engine, written: list) -> None:
    """The loop of :func:`save_figure`: each format rendered to a temporary file and moved in place."""
    with style_context(lang):
        for n, fmt in enumerate(formats):
            if n == 1 and engine is not None and not _is_placeholder(engine):
                # the layout of the first format is kept for the others (the same figure, laid out
                # once: a constrained layout costs as much as drawing the figure again)
                fig.set_layout_engine("none")
            target = stem.with_name(stem.name + "." + fmt)
            fd, tmp = tempfile.mkstemp(prefix="." + stem.name + ".", suffix="." + fmt + ".tmp",
                                       dir=str(stem.parent))
            try:
                with os.fdopen(fd, "wb") as fh:
                    _savefig_one(fig, fh, fmt, dpi)
                _umask = os.umask(0)
                os.umask(_umask)
                os.chmod(tmp, 0o666 & ~_umask)  # mkstemp creates 0600; give the usual file mode
                os.replace(tmp, target)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
            written.append(target)


def _is_placeholder(engine) -> bool:
    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    return isinstance(engine, PlaceHolderLayoutEngine)


def _savefig_one(fig, fh, fmt: str, dpi: int) -> None:
    """Render ``fig`` once as ``fmt`` into the open binary file ``fh`` (no date, fixed SVG ids)."""
    with mpl.rc_context({"svg.hashsalt": "nqpf"}):
        # no creation date and fixed element ids: the same figure gives the same bytes
        meta = {"Date": None} if fmt == "svg" else ({"Software": None} if fmt == "png" else None)
        if fmt == "png":
            _save_png(fig, fh, dpi)
        else:
            fig.savefig(fh, format=fmt, dpi=dpi, metadata=meta)


def _save_png(fig, fh, dpi: int) -> None:
    """``fig`` as PNG: the pixels matplotlib's PNG writer gives (rendered by Agg through
    ``savefig``), written by Pillow as RGB when every pixel is opaque (a quarter less to compress
    than RGBA; RGBA otherwise), with zlib level 3 (about a quarter faster than the default 6, files
    about a tenth larger) and no text chunks (no software version: the same figure gives the same
    bytes)."""
    from PIL import Image

    buf = io.BytesIO()
    fig.savefig(buf, format="raw", dpi=dpi)
    raw = buf.getbuffer()
    renderer = getattr(fig.canvas, "renderer", None)   # the Agg renderer that drew the pixels
    w, h = (int(renderer.width), int(renderer.height)) if renderer is not None else (0, 0)
    if w * h * 4 != len(raw):
        raise RuntimeError(f"save_figure: {len(raw)} bytes of pixels for a {w} × {h} renderer")
    rgba = np.frombuffer(raw, dtype=np.uint8).reshape(h, w, 4)
    opaque = bool((rgba[..., 3] == 255).all())
    image = Image.fromarray(np.ascontiguousarray(rgba[..., :3]) if opaque else rgba, "RGB" if opaque else "RGBA")
    image.save(fh, format="png", dpi=(dpi, dpi), compress_level=3)


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def has_cjk(text) -> bool:
    """True if ``text`` contains a CJK ideograph."""
    return bool(_CJK.search(str(text)))


def color_cells(ax, A, cmap, norm=None, *, bad=None, **imshow_kw):
    """Draw the matrix ``A`` as coloured cells (``imshow``, nearest) and return the scalar mappable
    of its colour bar.

    The colour of each cell is computed once, as 8-bit RGBA, and the image of colours is drawn: the
    same pixels as ``imshow(A, cmap=cmap, norm=norm, interpolation="nearest")``, which normalises
    and colours every pixel at the output resolution instead (twice as slow at 300 dpi).

    Parameters
    ----------
    ax : matplotlib Axes
    A : array (rows × columns)
        NaN cells get ``bad`` (default the colormap's "bad" colour: transparent).
    cmap : str or Colormap
    norm : Normalize, optional
        Default a linear one from the smallest to the largest finite value (as ``imshow``'s).
    **imshow_kw
        Passed to ``imshow`` (e.g. ``aspect="auto"``).

    Returns
    -------
    matplotlib.cm.ScalarMappable
        With ``norm`` and ``cmap``, for ``fig.colorbar``.
    """
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize, to_rgba

    cmap = mpl.colormaps[cmap] if isinstance(cmap, str) else cmap
    M = np.ma.masked_invalid(np.asarray(A, dtype=float))
    norm = Normalize() if norm is None else norm
    norm.autoscale_None(M)
    rgba = cmap(norm(M), bytes=True)
    if bad is not None:
        rgba[np.ma.getmaskarray(M)] = (np.asarray(to_rgba(bad)) * 255).astype(np.uint8)
    ax.imshow(rgba, interpolation="nearest", **imshow_kw)
    return ScalarMappable(norm=norm, cmap=cmap)


def fmt_number(value, fmt: str = "{:.3f}") -> str:
    """``fmt.format(value)`` without a negative zero: ``-0.0004`` with ``"{:.3f}"`` is ``"0.000"``.

    A minus sign is dropped when every digit of the formatted number is 0.
    """
    text = fmt.format(value)
    if text[:1] in ("-", "\u2212") and not re.search(r"[1-9]", text.split("e")[0].split("E")[0]):
        text = text[1:]
    return text


def display_names(ids, names: Mapping | None = None) -> list[str]:
    """Display name of every region id: ``names[id]``, or ``str(id)`` for an id missing from ``names``.

    Figures never guess names: the caller gives them, already in the figure's language (for GB/T
    codes, e.g. ``{c: nqpf.regions.name(c, "en") for c in codes}``).
    """
    names = names if names is not None else {}
    return [str(names[i]) if i in names else str(i) for i in ids]


def freeze_layout(fig):
    """Run the constrained layout once and keep the result.

    Needed before placing labels in pixel space: later draws must not move the axes.
    """
    fig.canvas.draw()
    fig.set_layout_engine("none")
    return fig.canvas.get_renderer()
