"""Point labels that avoid each other, the points and the axes edge (no adjustText needed).

Greedy candidate placement in display (pixel) space: each label may sit in one of 8 directions
around its point at a few distances. Labels are placed in order of ``priority`` (highlighted points,
e.g. significant LISA clusters, choose first), then from the most crowded point outwards; each takes
the candidate with the least cost, where the cost counts overlap with labels already placed, with
all point markers and with the outside of the axes, and heavily penalises an *ambiguous* position:
one where the label box is as near to another point as to its own. A position that needs a leader
also pays for the leader's length and for every label it would cross; a label covering a leader
drawn earlier pays too. Ties go to the nearest,
right-hand position.

A label gets a thin leader line to its point when it had to move beyond the first ring or when it
is still ambiguous, so a reader never has to guess which point a label belongs to: for every label
without a leader, the distance from its box to its own point is smaller than to any other point.
Deterministic: no random steps.
"""
from __future__ import annotations

import numpy as np

__all__ = ["place_labels", "box_point_distance"]

# (dx, dy) unit directions in order of preference: right, upper right, lower right, up, down, left...
_DIRECTIONS = np.array(
    [(1, 0), (1, 1), (1, -1), (0, 1), (0, -1), (-1, 0), (-1, 1), (-1, -1)], dtype=float
)
#: gid of label texts and of leader lines drawn by :func:`place_labels`
LABEL_GID = "point_label"
LEADER_GID = "label_leader"


def _overlap(box, boxes):
    """Overlap area of ``box`` (x0, y0, x1, y1) with each row of ``boxes``."""
    if len(boxes) == 0:
        return np.zeros(0)
    w = np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0])
    h = np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1])
    return np.clip(w, 0, None) * np.clip(h, 0, None)


_SAMPLES = 12  # points sampled along a leader line to test whether a label box covers it


def _inside(box, xy) -> np.ndarray:
    """Whether each point of ``xy`` lies in ``box`` (x0, y0, x1, y1)."""
    return (xy[:, 0] > box[0]) & (xy[:, 0] < box[2]) & (xy[:, 1] > box[1]) & (xy[:, 1] < box[3])


def box_point_distance(box, pts) -> np.ndarray:
    """Euclidean distance from the rectangle ``box`` (x0, y0, x1, y1) to each point of ``pts``.

    .. math:: d = \\sqrt{\\max(x_0 - p_x, 0, p_x - x_1)^2 + \\max(y_0 - p_y, 0, p_y - y_1)^2}

    (zero for a point inside the box).
    """
    pts = np.atleast_2d(np.asarray(pts, dtype=float))
    dx = np.maximum.reduce([box[0] - pts[:, 0], np.zeros(len(pts)), pts[:, 0] - box[2]])
    dy = np.maximum.reduce([box[1] - pts[:, 1], np.zeros(len(pts)), pts[:, 1] - box[3]])
    return np.hypot(dx, dy)


def place_labels(ax, x, y, texts, *, renderer, fontsize=6.5, pad_pt=2.0, marker_pt=3.0,
                 rings=(1.0, 2.2, 3.6, 5.2, 7.0), priority=None, margin_pt=1.0, color="0.15",
                 leader_color="0.45", weights=None, **text_kw):
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
    priority : array-like of int, optional
        Higher values are placed first (e.g. 1 for significant points, 0 for the rest).
    margin_pt : float
        A position is unambiguous when the label box is nearer to its own point than to every other
        point by at least this many points.
    weights : sequence of str, optional
        Font weight of each label (e.g. ``"bold"`` for highlighted points).

    Returns
    -------
    list of matplotlib.text.Text
        Label ``i`` has gid ``"point_label"`` and attribute ``nqpf_leader``: its leader line
        (gid ``"label_leader"``) or ``None``.
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
    weights = list(weights) if weights is not None else ["normal"] * n
    artists = [ax.text(xi, yi, t, fontsize=fontsize, ha="center", va="center", color=color,
                       zorder=5, gid=LABEL_GID, fontweight=wt, **text_kw)
               for xi, yi, t, wt in zip(x, y, texts, weights)]
    sizes = np.array([[a.get_window_extent(renderer).width, a.get_window_extent(renderer).height]
                      for a in artists])
    # crowded points first: number of other points within ~3 label heights
    d = np.hypot(pts[:, None, 0] - pts[None, :, 0], pts[:, None, 1] - pts[None, :, 1])
    crowd = (d < 3 * np.median(sizes[:, 1]) + 1e-9).sum(axis=1)
    prio = np.zeros(n) if priority is None else np.asarray(priority, dtype=float)
    order = np.lexsort((np.arange(n), -crowd, -prio))
    placed = np.zeros((0, 4))
    segs = np.zeros((0, 2))  # sample points along the leader lines drawn so far
    pad = pad_pt * px_per_pt
    margin = margin_pt * px_per_pt
    for i in order:
        w, h = sizes[i]
        others = np.delete(markers, i, axis=0)
        other_pts = np.delete(pts, i, axis=0)
        best, best_cost, best_ring, best_amb = None, np.inf, 0, True
        for r_i, ring in enumerate(rings):
            gap = pad * ring + (r_i * 0.6 * h)
            for k, (dx, dy) in enumerate(_DIRECTIONS):
                cx = pts[i, 0] + dx * (w / 2 + m + gap)
                cy = pts[i, 1] + dy * (h / 2 + m * 0.5 + gap * 0.6)
                box = np.array([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2])
                cost = _overlap(box, placed).sum() * 12.0  # labels must not cover each other
                cost += _overlap(box, others).sum() * 2.0
                inside_w = max(0.0, min(box[2], axbox.x1) - max(box[0], axbox.x0))
                inside_h = max(0.0, min(box[3], axbox.y1) - max(box[1], axbox.y0))
                cost += (w * h - inside_w * inside_h) * 10.0
                own = box_point_distance(box, pts[i])[0]
                amb = bool(len(other_pts)) and box_point_distance(box, other_pts).min() <= own + margin
                if amb:
                    cost += 1.5 * w * h  # an ambiguous spot is worse than some overlap
                if len(segs):  # do not cover the leader lines drawn so far
                    cost += _inside(box, segs).sum() * 0.1 * h * h
                if r_i >= 1 or amb:  # this spot needs a leader: keep it short, off other labels
                    ex, ey = np.clip(pts[i, 0], box[0], box[2]), np.clip(pts[i, 1], box[1], box[3])
                    seg = np.linspace(pts[i], (ex, ey), _SAMPLES)[1:-1]
                    cost += 0.05 * h * np.hypot(ex - pts[i, 0], ey - pts[i, 1])
                    for b in placed:
                        cost += _inside(b, seg).sum() * 0.1 * h * h
                    for b in others:  # nor through other points' markers
                        cost += _inside(b, seg).sum() * 0.2 * h * h
                cost += 1e-3 * (r_i * 8 + k)  # prefer near, then right-hand
                if cost < best_cost - 1e-12:
                    best, best_cost, best_ring, best_amb = box, cost, r_i, amb
            if best_cost < 1e-2 * (r_i + 1) * 8:  # a free, unambiguous spot on this ring: stop
                break
        placed = np.vstack([placed, best])
        cx, cy = (best[0] + best[2]) / 2, (best[1] + best[3]) / 2
        xd, yd = ax.transData.inverted().transform((cx, cy))
        artists[i].set_position((xd, yd))
        artists[i].nqpf_leader = None
        if best_ring >= 1 or best_amb:
            # leader from the marker edge to the nearest point of the label box
            ex = np.clip(pts[i, 0], best[0], best[2])
            ey = np.clip(pts[i, 1], best[1], best[3])
            vx, vy = ex - pts[i, 0], ey - pts[i, 1]
            L = np.hypot(vx, vy)
            s = min(m * 0.9 / L, 1.0) if L > 0 else 0.0
            start = ax.transData.inverted().transform((pts[i, 0] + vx * s, pts[i, 1] + vy * s))
            xe, ye = ax.transData.inverted().transform((ex, ey))
            segs = np.vstack([segs, np.linspace(pts[i], (ex, ey), _SAMPLES)[1:-1]])
            (line,) = ax.plot([start[0], xe], [start[1], ye], color=leader_color, lw=0.45, zorder=4,
                              gid=LEADER_GID)
            artists[i].nqpf_leader = line
    return artists
