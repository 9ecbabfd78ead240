"""Publication-ready figures with Chinese or English labels, including maps of China.

Every function returns a :class:`matplotlib.figure.Figure` built without pyplot; write it with
:func:`save_figure` (PNG + SVG by default, atomically). Figures draw results, they compute no
statistic: the Moran scatter plot reads the local Moran table. Figures adapt to the number of
regions: maps of provinces, cities or counties (:func:`map_level`), Moran scatter plots that name
only what can be read and shade the density of thousands of points, heatmaps and rank charts that
switch to summaries beyond a stated number of regions (each says so in a note). Every text comes from
the catalogues
of :mod:`nqpf.i18n`; region names are given by the caller (``names``: region id → display name in
the figure's language). A CJK language (``lang.cjk`` of its catalogue: ``"zh"``, ``"zh-Hant"``) needs a
CJK font (the language's own faces first, ``lang.plot_fonts``); without one the labels fall back to English
with one warning per process (see :func:`resolve_lang`; callers compute names in the language it
returns).
"""
from nqpf.plot.fonts import cjk_font, font_context, resolve_lang
from nqpf.plot.heatmap import plot_heatmap
from nqpf.plot.maps import (
    can_map,
    classify_values,
    map_geometry,
    map_level,
    map_units,
    natural_breaks,
    plot_basemap,
    plot_category_map,
    plot_choropleth,
    plot_lisa_map,
    province_geometry,
)
from nqpf.plot.moran import plot_moran_scatter
from nqpf.plot.profile import plot_profile, profile_table
from nqpf.plot.style import save_figure, style_context
from nqpf.plot.trends import plot_disparity, plot_rank_changes, ranks

__all__ = [
    "cjk_font",
    "resolve_lang",
    "font_context",
    "style_context",
    "save_figure",
    "plot_disparity",
    "plot_rank_changes",
    "ranks",
    "plot_moran_scatter",
    "plot_heatmap",
    "plot_profile",
    "profile_table",
    "plot_choropleth",
    "plot_lisa_map",
    "plot_category_map",
    "plot_basemap",
    "classify_values",
    "natural_breaks",
    "province_geometry",
    "map_geometry",
    "map_level",
    "can_map",
    "map_units",
]
