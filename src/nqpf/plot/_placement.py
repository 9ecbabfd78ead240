"""Point labels that avoid each other, the points and the axes edge (no adjustText needed).

Greedy candidate placement in display (pixel) space: each label may sit in one of 8 directions
around its point at a few distances; labels are placed from the most crowded point outwards and
each takes the candidate with the least overlap with labels already placed, with all point markers
and with the outside of the axes (ties go to the nearest, right-hand position). A label moved
further than the first ring gets a thin leader line. Deterministic: no random steps.
"""
from __future__ import annotations

import numpy as np

__all__ = ["place_labels"]

# (dx, dy) unit directions in order of preference: right, upper right, lower right, up, down, left...
_DIRECTIONS = np.array(
    [(1, 0), (1, 1), (1, -1), (0, 1), (0, -1), (-1, 0), (-1, 1), (-1, -1)], dtype=float
)


def _overlap(box, boxes):
    """Overlap area of ``box`` (x0, y0, x1, y1) with each row of ``boxes``."""
    if len(boxes) == 0:
        return np.zeros(0)
    w = np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0])
    h = np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1])
    return np.clip(w, 0, None) * np.clip(h, 0, None)


def place_labels(ax, x, y, texts, *, renderer, fontsize=6.5, pad_pt=2.0, marker_pt=3.0,
                 rings=(1.0, 2.2, 3.6, 5.2), color="0.15", leader_color="0.55", **text_kw):
    """Write ``texts[i]`` near ``(x[i], y[i])`` (data coordinates) without overlaps where possible.

    Parameters
    ----------
    ax : matplotlib Axes
        Its limits and position must be final (call after layout).
    x, y : array-like
        Points in data coordinates.
    texts : sequence of str
    renderer :
        A renderer to measure text (``fig.canvas.get_renderer()``).
    fontsize : float
    pad_pt, marker_pt : float
        Gap between point and label, and half-size of a marker to keep clear of, in points.
    rings : sequence of float
        Distances tried, as multiples of ``pad_pt`` plus growing offsets.

    Returns
    -------
    list of matplotlib.text.Text
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = len(texts)
    if n == 0:
        return []
    px_per_pt = ax.figure.dpi / 72.0
    pts = ax.transData.transform(np.column_stack([x, y]))
    m = marker_pt * px_per_pt
    markers = np.column_stack([pts[:, 0] - m, pts[:, 1] - m, pts[:, 0] + m, pts[:, 1] + m])
    axbox = ax.get_window_extent(renderer)
    artists = [ax.text(xi, yi, t, fontsize=fontsize, ha="center", va="center", color=color,
                       zorder=5, **text_kw) for xi, yi, t in zip(x, y, texts)]
    sizes = np.array([[a.get_window_extent(renderer).width, a.get_window_extent(renderer).height]
                      for a in artists])
    # crowded points first: number of other points within ~3 label heights
    d = np.hypot(pts[:, None, 0] - pts[None, :, 0], pts[:, None, 1] - pts[None, :, 1])
    crowd = (d < 3 * np.median(sizes[:, 1]) + 1e-9).sum(axis=1)
    order = np.lexsort((np.arange(n), -crowd))
    placed = np.zeros((0, 4))
    pad = pad_pt * px_per_pt
    for i in order:
        w, h = sizes[i]
        best, best_cost, best_ring = None, np.inf, 0
        for r_i, ring in enumerate(rings):
            gap = pad * ring + (r_i * 0.6 * h)
            for k, (dx, dy) in enumerate(_DIRECTIONS):
                cx = pts[i, 0] + dx * (w / 2 + m + gap)
                cy = pts[i, 1] + dy * (h / 2 + m * 0.5 + gap * 0.6)
                box = np.array([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2])
                cost = _overlap(box, placed).sum() * 4.0
                others = np.delete(markers, i, axis=0)
                cost += _overlap(box, others).sum() * 2.0
                inside_w = max(0.0, min(box[2], axbox.x1) - max(box[0], axbox.x0))
                inside_h = max(0.0, min(box[3], axbox.y1) - max(box[1], axbox.y0))
                cost += (w * h - inside_w * inside_h) * 10.0
                cost += 1e-3 * (r_i * 8 + k)  # prefer near, then right-hand
                if cost < best_cost - 1e-12:
                    best, best_cost, best_ring = box, cost, r_i
            if best_cost < 1e-2 * (r_i + 1) * 8:  # a free spot on this ring: stop searching
                break
        placed = np.vstack([placed, best])
        cx, cy = (best[0] + best[2]) / 2, (best[1] + best[3]) / 2
        xd, yd = ax.transData.inverted().transform((cx, cy))
        artists[i].set_position((xd, yd))
        if best_ring >= 1:
            # leader from the point to the nearest point of the label box
            ex = np.clip(pts[i, 0], best[0], best[2])
            ey = np.clip(pts[i, 1], best[1], best[3])
            xe, ye = ax.transData.inverted().transform((ex, ey))
            ax.plot([x[i], xe], [y[i], ye], color=leader_color, lw=0.4, zorder=4)
    return artists
