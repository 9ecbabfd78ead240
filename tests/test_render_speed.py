"""Saving figures: one layout per figure for every format, matplotlib's font look-ups remembered only
inside a font block, the same bytes twice, the same pixels as matplotlib's own path."""
from __future__ import annotations

import hashlib
import threading

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402

from nqpf.plot import fonts  # noqa: E402
from nqpf.plot.style import new_figure, save_figure, style_context  # noqa: E402


def _figure(lang="en"):
    with style_context(lang):
        fig = new_figure(lang, (4, 3))
        ax = fig.add_subplot(1, 1, 1)
        ax.plot([0, 1, 2], [0, 1, 4], label="line")
        ax.set_title("A title")
        ax.set_xlabel("x")
        ax.legend()
        fig.colorbar(ax.imshow(np.arange(6.0).reshape(2, 3), extent=(0, 2, 0, 4)), ax=ax)
    return fig


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_layout_runs_once_for_png_and_svg_and_engine_is_restored(tmp_path, monkeypatch):
    from matplotlib import layout_engine

    calls = []
    real = layout_engine.do_constrained_layout

    def counting(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(layout_engine, "do_constrained_layout", counting)
    fig = _figure()
    engine = fig.get_layout_engine()
    paths = save_figure(fig, tmp_path / "f", formats=("png", "svg"))
    assert [p.suffix for p in paths] == [".png", ".svg"]
    assert len(calls) == 1                      # not once per format
    assert fig.get_layout_engine() is engine    # the figure is laid out again by a later draw
    fig.canvas.draw()
    assert len(calls) == 2


def test_svg_uses_the_png_layout(tmp_path):
    """The axes sit where the PNG's layout put them, in both files (figure fractions)."""
    fig = _figure()
    save_figure(fig, tmp_path / "f", formats=("png",))
    pos_png = [ax.get_position().bounds for ax in fig.axes]
    fig2 = _figure()
    save_figure(fig2, tmp_path / "g", formats=("png", "svg"))
    pos_both = [ax.get_position().bounds for ax in fig2.axes]
    np.testing.assert_allclose(pos_both, pos_png, rtol=0, atol=1e-12)


def test_png_pixels_equal_a_plain_savefig(tmp_path):
    """The PNG of save_figure is pixel for pixel what matplotlib writes from a fresh figure."""
    from PIL import Image

    save_figure(_figure(), tmp_path / "f", formats=("png", "svg"))
    ref = _figure()
    with style_context("en"):
        ref.savefig(tmp_path / "ref.png", dpi=300)
    a = np.asarray(Image.open(tmp_path / "f.png").convert("RGBA"))
    b = np.asarray(Image.open(tmp_path / "ref.png").convert("RGBA"))
    assert a.shape == b.shape and np.array_equal(a, b)


def test_same_bytes_twice(tmp_path):
    save_figure(_figure(), tmp_path / "a", formats=("png", "svg"))
    save_figure(_figure(), tmp_path / "b", formats=("png", "svg"))
    for ext in ("png", "svg"):
        assert _sha(tmp_path / f"a.{ext}") == _sha(tmp_path / f"b.{ext}")


def test_font_lookups_cached_only_inside_a_block_and_equal_matplotlib():
    fm = font_manager.fontManager
    props = [FontProperties(family=["DejaVu Sans"], size=s) for s in (6, 8, 9, 10.5)]
    props.append(FontProperties(family=["DejaVu Sans"], weight="bold"))
    with fonts.font_context("en"):
        assert fm._nqpf_lookup_cache is True
        first = [fm._find_fonts_by_props(p) for p in props]
        again = [fm._find_fonts_by_props(p) for p in props]
        assert len(fonts._lookups.stack[-1]) == len(props)
        # matplotlib's own answer (the uncached look-up of its class) is the same
        ref = [type(fm)._find_fonts_by_props(fm, p) for p in props]
        assert first == again == ref
        first[0].append("changed")                # a caller's list is its own copy
        assert fm._find_fonts_by_props(props[0]) == ref[0]
    assert not getattr(fonts._lookups, "stack", [])


def test_font_cache_not_used_by_other_threads():
    fm = font_manager.fontManager
    seen = {}
    with fonts.font_context("en"):
        def other():
            seen["stack"] = getattr(fonts._lookups, "stack", None)
            seen["found"] = fm._find_fonts_by_props(FontProperties(family=["DejaVu Sans"], size=7.25))
        th = threading.Thread(target=other)
        th.start()
        th.join()
        assert all(k[0].get_size() != 7.25 for k in fonts._lookups.stack[-1])
    assert not seen["stack"] and seen["found"]


def test_nested_blocks_have_their_own_cache():
    with fonts.font_context("en"):
        outer = fonts._lookups.stack[-1]
        with fonts.font_context("en"):
            assert fonts._lookups.stack[-1] is not outer and len(fonts._lookups.stack) >= 2
        assert fonts._lookups.stack[-1] is outer


def test_png_is_rgb_when_opaque_and_rgba_when_not(tmp_path):
    """Opaque figures are written as RGB (a quarter less to compress), others keep their alpha; the
    pixels are matplotlib's either way."""
    from PIL import Image

    save_figure(_figure(), tmp_path / "opaque", formats=("png",))
    assert Image.open(tmp_path / "opaque.png").mode == "RGB"
    fig = _figure()
    fig.patch.set_alpha(0.0)
    save_figure(fig, tmp_path / "clear", formats=("png",))
    ref = _figure()
    ref.patch.set_alpha(0.0)
    with style_context("en"):
        ref.savefig(tmp_path / "ref.png", dpi=300)
    got = Image.open(tmp_path / "clear.png")
    assert got.mode == "RGBA"
    assert np.array_equal(np.asarray(got), np.asarray(Image.open(tmp_path / "ref.png").convert("RGBA")))
    assert got.info.get("dpi") is not None and round(got.info["dpi"][0]) == 300
    assert not {k for k in got.info if k.lower() == "software"}


def test_color_cells_draws_the_pixels_of_a_colormapped_imshow(tmp_path):
    """color_cells colours each cell once (8-bit) and draws that image: the same pixels as imshow of
    the values with the colormap at 300 dpi, NaN cells transparent or in the colour asked for."""
    from matplotlib.colors import Normalize
    from PIL import Image

    from nqpf.plot.style import color_cells

    A = np.random.default_rng(3).random((9, 5))
    A[2, 3] = np.nan
    cases = [({}, {}), ({"norm": Normalize(0.1, 0.8)}, {"vmin": 0.1, "vmax": 0.8})]
    for mine, theirs in cases:
        figs = []
        for how in ("cells", "imshow"):
            with style_context("en"):
                fig = new_figure("en", (3, 3))
                ax = fig.add_subplot(1, 1, 1)
                if how == "cells":
                    sm = color_cells(ax, A, "viridis", mine.get("norm"), aspect="auto")
                else:
                    sm = ax.imshow(np.ma.masked_invalid(A), cmap="viridis", aspect="auto",
                                   interpolation="nearest", **theirs)
                fig.colorbar(sm, ax=ax)
            save_figure(fig, tmp_path / how, formats=("png",))
            figs.append(np.asarray(Image.open(tmp_path / f"{how}.png").convert("RGBA")))
        assert figs[0].shape == figs[1].shape and np.array_equal(figs[0], figs[1])
    with style_context("en"):
        fig = new_figure("en", (3, 3))
        ax = fig.add_subplot(1, 1, 1)
        color_cells(ax, A, "viridis", bad="#ff0000")
    img = ax.images[0].get_array()
    assert tuple(img[2, 3]) == (255, 0, 0, 255) and img.dtype == np.uint8
