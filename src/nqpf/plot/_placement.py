"""Point labels that avoid each other, the points, the leader lines and the axes edge (no adjustText
needed), in time near-linear in the number of points.

Greedy candidate placement in display (pixel) space. Each label may sit in one of 32 directions
around its point (right, upper right, lower right, up, down, left, upper left, lower left, then the
directions between them) at a few growing distances ("rings"). Labels are placed in order of
``priority`` (highlighted points, e.g. significant LISA clusters, choose first), then from the most
crowded point outwards. A candidate position is *admissible* when

* its box lies inside the axes and overlaps no label placed before and no point marker;
* it covers no leader line drawn before;
* if it needs a leader line — because it is beyond the first ring, or because it is *ambiguous*
  (the box is as near to another point as to its own, within ``margin_pt``) — that leader, a straight
  segment from the point to the nearest point of the box, crosses no label box and no other leader.

Rings are examined from the inside out; the first ring with an admissible candidate ends the search.
Among its admissible candidates the cost prefers no leader, then the shortest leader (each other
point's marker it passes over counting as 30 pixels more: in a tight clump of points some leader may
have to; a direction pointing into the clump a little more), then the earlier direction. If no
candidate is admissible the label takes the candidate with the least weighted violation (label
overlap counts most) and is flagged ``nqpf_conflict = True``; labels left in conflict are placed
first in a new pass (at most ``passes``). The tests check that the provincial Moran scatter has none.

Only the neighbours of a point are examined: the points are indexed by a k-d tree
(:class:`scipy.spatial.cKDTree`), placed boxes and leaders are filtered by the candidates' bounding
box. Cost: O(m · C · local density) for ``m`` labels and ``C`` candidates, plus O(n log n) for the
``n`` points (earlier versions compared every pair of points: quadratic, 12 minutes for 2,875 points).
Deterministic: no random steps.
"""
from __future__ import annotations

import numpy as np

__all__ = ["place_labels", "box_point_distance", "segments_hit_boxes", "segments_cross", "LABEL_GID",
           "LEADER_GID"]

#: Unit directions in order of preference: right, upper right, lower right, up, down, left, upper
#: left, lower left, then the directions between those (each has |dx| = 1 or |dy| = 1, so the box
#: never covers its own point).
_DIRECTIONS = np.array(
    [(1, 0), (1, 1), (1, -1), (0, 1), (0, -1), (-1, 0), (-1, 1), (-1, -1),
     (1, 0.5), (1, -0.5), (0.5, 1), (0.5, -1), (-0.5, 1), (-0.5, -1), (-1, 0.5), (-1, -0.5),
     (1, 0.25), (1, -0.25), (0.25, 1), (0.25, -1), (-0.25, 1), (-0.25, -1), (-1, 0.25), (-1, -0.25),
     (1, 0.75), (1, -0.75), (0.75, 1), (0.75, -1), (-0.75, 1), (-0.75, -1), (-1, 0.75), (-1, -0.75)],
    dtype=float,
)
#: gid of label texts and of leader lines drawn by :func:`place_labels`
LABEL_GID = "point_label"
LEADER_GID = "label_leader"


def _overlap(boxes_a, boxes_b) -> np.ndarray:
    """Overlap areas, (len(a), len(b)), of boxes (x0, y0, x1, y1)."""
    w = np.minimum(boxes_a[:, None, 2], boxes_b[None, :, 2]) - np.maximum(boxes_a[:, None, 0], boxes_b[None, :, 0])
    h = np.minimum(boxes_a[:, None, 3], boxes_b[None, :, 3]) - np.maximum(boxes_a[:, None, 1], boxes_b[None, :, 1])
    return np.clip(w, 0, None) * np.clip(h, 0, None)


def box_point_distance(box, pts) -> np.ndarray:
    """Euclidean distance from the rectangle ``box`` (x0, y0, x1, y1) to each point of ``pts``.

    .. math:: d = \\sqrt{\\max(x_0 - p_x, 0, p_x - x_1)^2 + \\max(y_0 - p_y, 0, p_y - y_1)^2}

    (zero for a point inside the box).
    """
    pts = np.atleast_2d(np.asarray(pts, dtype=float))
    dx = np.maximum.reduce([box[0] - pts[:, 0], np.zeros(len(pts)), pts[:, 0] - box[2]])
    dy = np.maximum.reduce([box[1] - pts[:, 1], np.zeros(len(pts)), pts[:, 1] - box[3]])
    return np.hypot(dx, dy)


def _boxes_points_distance(boxes, pts) -> np.ndarray:
    """Distances (len(boxes), len(pts)) from each box to each point."""
    dx = np.maximum(np.maximum(boxes[:, None, 0] - pts[None, :, 0], pts[None, :, 0] - boxes[:, None, 2]), 0)
    dy = np.maximum(np.maximum(boxes[:, None, 1] - pts[None, :, 1], pts[None, :, 1] - boxes[:, None, 3]), 0)
    return np.hypot(dx, dy)


def segments_hit_boxes(a, b, boxes, shrink: float = 0.5) -> np.ndarray:
    """Whether segment ``a[i]``–``b[i]`` meets the interior of box ``boxes[j]`` (shrunk by ``shrink``
    pixels on every side, so touching is not meeting): (len(a), len(boxes)) booleans.

    Liang–Barsky clipping: the segment ``a + s (b - a)``, ``s`` in [0, 1], meets the box when the
    intervals of ``s`` inside the x slab and the y slab overlap.
    """
    a = np.atleast_2d(np.asarray(a, dtype=float))
    b = np.atleast_2d(np.asarray(b, dtype=float))
    boxes = np.atleast_2d(np.asarray(boxes, dtype=float))
    if not len(a) or not len(boxes):
        return np.zeros((len(a), len(boxes)), dtype=bool)
    lo = boxes[None, :, :2] + shrink
    hi = boxes[None, :, 2:] - shrink
    d = (b - a)[:, None, :]
    a = a[:, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = (lo - a) / d
        t2 = (hi - a) / d
    par = d == 0  # parallel to a slab: inside it for every s, or for none
    inside = (a >= lo) & (a <= hi)
    tmin = np.where(par, np.where(inside, -np.inf, np.inf), np.minimum(t1, t2))
    tmax = np.where(par, np.where(inside, np.inf, -np.inf), np.maximum(t1, t2))
    s0 = np.maximum(np.maximum(tmin[..., 0], tmin[..., 1]), 0.0)
    s1 = np.minimum(np.minimum(tmax[..., 0], tmax[..., 1]), 1.0)
    return (s0 <= s1) & (hi[..., 0] > lo[..., 0]) & (hi[..., 1] > lo[..., 1])


def segments_cross(a, b, c, d) -> np.ndarray:
    """Whether segment ``a[i]``–``b[i]`` properly crosses segment ``c[j]``–``d[j]`` (the interiors meet
    at one point; shared end points and collinear touching are not crossings): (len(a), len(c))."""
    a, b, c, d = (np.atleast_2d(np.asarray(v, dtype=float)) for v in (a, b, c, d))
    if not len(a) or not len(c):
        return np.zeros((len(a), len(c)), dtype=bool)

    def orient(p, q, r):  # sign of (q - p) × (r - p)
        return ((q[..., 0] - p[..., 0]) * (r[..., 1] - p[..., 1])
                - (q[..., 1] - p[..., 1]) * (r[..., 0] - p[..., 0]))

    A, B, C, D = a[:, None, :], b[:, None, :], c[None, :, :], d[None, :, :]
    o1, o2 = orient(A, B, C), orient(A, B, D)
    o3, o4 = orient(C, D, A), orient(C, D, B)
    return (o1 * o2 < 0) & (o3 * o4 < 0)


def _segment_point_distance(a, b, pts) -> np.ndarray:
    """Distances (len(a), len(pts)) from each segment ``a[i]``–``b[i]`` to each point."""
    d = (b - a)[:, None, :]
    q = pts[None, :, :] - a[:, None, :]
    L2 = (d ** 2).sum(axis=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(L2 > 0, np.clip((q * d).sum(axis=2) / L2, 0, 1), 0.0)
    return np.hypot(q[..., 0] - s * d[..., 0], q[..., 1] - s * d[..., 1])


def place_labels(ax, x, y, texts, *, renderer, fontsize=6.5, pad_pt=2.0, marker_pt=3.0,
                 rings=(1.0, 2.2, 3.6, 5.2, 7.0, 9.0, 11.5, 14.5, 18.0), priority=None, margin_pt=1.0,
                 color="0.15",
                 leader_color="0.45", weights=None, obstacles=None, avoid=None, passes=16, **text_kw):
    """Write ``texts[i]`` near ``(x[i], y[i])`` (data coordinates) without overlaps where possible.

    Parameters
    ----------
    ax : matplotlib Axes
        Its limits and position must be final (call after layout).
    x, y : array-like
        Points in data coordinates, one per label.
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
    obstacles : array-like (k, 2), optional
        Further points drawn without a label (data coordinates): labels keep clear of their markers
        and must not be nearer to them than to their own point.
    avoid : array-like (k, 4), optional
        Boxes (display pixels x0, y0, x1, y1) of other texts in the axes (quadrant names, a value
        box): treated as labels already placed.

    Returns
    -------
    list of matplotlib.text.Text
        Label ``i`` has gid ``"point_label"``, attribute ``nqpf_leader`` (its leader line, gid
        ``"label_leader"``, or ``None``) and ``nqpf_conflict`` (``True`` when no admissible position
        existed and the least bad one was taken).
    """
    from scipy.spatial import cKDTree

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = len(texts)
    if n == 0:
        return []
    px_per_pt = ax.figure.dpi / 72.0
    pts = ax.transData.transform(np.column_stack([x, y]))
    extra = (np.zeros((0, 2)) if obstacles is None or len(obstacles) == 0
             else ax.transData.transform(np.asarray(obstacles, dtype=float).reshape(-1, 2)))
    allpts = np.vstack([pts, extra])
    tree = cKDTree(allpts)
    m = marker_pt * px_per_pt
    axbox = ax.get_window_extent(renderer)
    weights = list(weights) if weights is not None else ["normal"] * n
    artists = [ax.text(xi, yi, t, fontsize=fontsize, ha="center", va="center", color=color,
                       zorder=5, gid=LABEL_GID, fontweight=wt, **text_kw)
               for xi, yi, t, wt in zip(x, y, texts, weights)]
    sizes = np.array([[e.width, e.height] for e in (a.get_window_extent(renderer) for a in artists)])
    # crowded points first: number of points within ~3 label heights
    crowd = tree.query_ball_point(pts, r=3 * float(np.median(sizes[:, 1])) + 1e-9, return_length=True)
    prio = np.zeros(n) if priority is None else np.asarray(priority, dtype=float)
    order = np.lexsort((np.arange(n), -np.asarray(crowd), -prio))
    geo = dict(pts=pts, allpts=allpts, tree=tree, sizes=sizes, m=m, pad=pad_pt * px_per_pt,
               margin=margin_pt * px_per_pt, rings=np.asarray(rings, dtype=float),
               axbox=(axbox.x0, axbox.y0, axbox.x1, axbox.y1),
               avoid=(np.zeros((0, 4)) if avoid is None or len(avoid) == 0
                      else np.asarray(avoid, dtype=float).reshape(-1, 4)))
    # greedy passes; a label left in conflict moves to the front of its priority class in the next
    # pass, up to ``passes`` passes; the pass with the fewest conflicts is kept
    best_run = None
    for attempt in range(passes):
        run = _greedy(order, geo)
        if best_run is None or run["conflict"].sum() < best_run["conflict"].sum():
            best_run = run
        bad = run["conflict"]
        if not bad.any():
            break
        first = bad[order]
        order = order[np.lexsort((np.arange(n), ~first, -prio[order]))]
    inv = ax.transData.inverted()
    centres = np.column_stack([(best_run["box"][:, 0] + best_run["box"][:, 2]) / 2,
                               (best_run["box"][:, 1] + best_run["box"][:, 3]) / 2])
    for i in range(n):
        art = artists[i]
        art.set_position(tuple(inv.transform(centres[i])))
        art.nqpf_leader = None
        art.nqpf_conflict = bool(best_run["conflict"][i])
        if best_run["need"][i]:
            p, e = pts[i], best_run["end"][i]
            v = e - p
            L = float(np.hypot(*v))
            s = min(m * 0.9 / L, 1.0) if L > 0 else 0.0
            a0 = inv.transform(p + v * s)
            a1 = inv.transform(e)
            (line,) = ax.plot([a0[0], a1[0]], [a0[1], a1[1]], color=leader_color, lw=0.45, zorder=4,
                              gid=LEADER_GID)
            art.nqpf_leader = line
    return artists


def _greedy(order, geo) -> dict:
    """One greedy pass over the labels in ``order``: each takes its best admissible candidate (see the
    module docstring), the rings examined from the inside out and the first ring that has an admissible
    candidate ending the search. Returns per label the chosen ``box``, whether it ``need``s a leader,
    the leader's ``end`` on the box and whether it is in ``conflict``."""
    pts = geo["pts"]
    n = len(pts)
    fixed = geo["avoid"]
    state = {"placed": np.zeros((n + len(fixed), 4)), "lead_a": np.zeros((n, 2)), "lead_b": np.zeros((n, 2)),
             "n_placed": len(fixed), "n_lead": 0}
    state["placed"][:len(fixed)] = fixed
    out = {"box": np.zeros((n, 4)), "need": np.zeros(n, dtype=bool), "end": np.zeros((n, 2)),
           "conflict": np.zeros(n, dtype=bool)}
    for i in order:
        best = None      # (pref, box, need, end) of the best admissible candidate
        worst = None     # (violation, box, need, end) of the least bad candidate, for a conflict
        for r in range(len(geo["rings"])):
            cand = _ring(i, r, geo, state)
            ok, pref, bad = cand["ok"], cand["pref"], cand["bad"]
            if ok.any():
                k = int(np.flatnonzero(ok)[np.argmin(pref[ok])])
                best = (cand["boxes"][k], cand["need"][k], cand["end"][k])
                break
            k = int(np.argmin(bad))
            if worst is None or bad[k] < worst[0]:
                worst = (bad[k], cand["boxes"][k], cand["need"][k], cand["end"][k])
        conflict = best is None
        box, need, end = best if best is not None else worst[1:]
        state["placed"][state["n_placed"]] = box
        state["n_placed"] += 1
        out["box"][i], out["conflict"][i], out["need"][i], out["end"][i] = box, conflict, need, end
        if need:
            state["lead_a"][state["n_lead"]], state["lead_b"][state["n_lead"]] = pts[i], end
            state["n_lead"] += 1
    return out


def _ring(i, r, geo, state) -> dict:
    """The candidates of label ``i`` on ring ``r``: boxes, admissibility, preference and violation."""
    pts, allpts, tree, sizes, m = geo["pts"], geo["allpts"], geo["tree"], geo["sizes"], geo["m"]
    pad, margin, rings = geo["pad"], geo["margin"], geo["rings"]
    ax0, ay0, ax1, ay1 = geo["axbox"]
    D = _DIRECTIONS
    dir_idx = np.arange(len(D))
    w, h = sizes[i]
    p = pts[i]
    gap = pad * rings[r] + r * 0.6 * h
    cx = p[0] + D[:, 0] * (w / 2 + m + gap)
    cy = p[1] + D[:, 1] * (h / 2 + m * 0.5 + gap * 0.6)
    boxes = np.column_stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2])
    region = np.array([boxes[:, 0].min(), boxes[:, 1].min(), boxes[:, 2].max(), boxes[:, 3].max()])
    # farthest box corner from the point: every point that matters lies within twice that
    reach = float(np.max(np.hypot(np.abs(boxes[:, [0, 2]] - p[0]).max(axis=1),
                                  np.abs(boxes[:, [1, 3]] - p[1]).max(axis=1))))
    near = np.asarray(tree.query_ball_point(p, r=2 * reach + margin + m), dtype=int)
    near = near[near != i]
    npts = allpts[near]
    outside = (boxes[:, 0] < ax0) | (boxes[:, 1] < ay0) | (boxes[:, 2] > ax1) | (boxes[:, 3] > ay1)
    # other labels (with a gap of a third of the pad, so two names never read as one)
    pl = state["placed"][:state["n_placed"]]
    pl = pl[(pl[:, 2] > region[0]) & (pl[:, 0] < region[2]) & (pl[:, 3] > region[1]) & (pl[:, 1] < region[3])]
    g = pad / 3
    lab_ov = (_overlap(boxes + np.array([-g, -g, g, g]), pl).sum(axis=1) if len(pl) else np.zeros(len(boxes)))
    # other points' markers
    mk = np.column_stack([npts[:, 0] - m, npts[:, 1] - m, npts[:, 0] + m, npts[:, 1] + m])
    mark_ov = _overlap(boxes, mk).sum(axis=1) if len(mk) else np.zeros(len(boxes))
    # ambiguity: the box as near to another point as to its own
    own = _boxes_points_distance(boxes, p[None, :])[:, 0]
    other = _boxes_points_distance(boxes, npts).min(axis=1) if len(npts) else np.full(len(boxes), np.inf)
    amb = other <= own + margin
    need = (r >= 1) | amb
    # leader: from the point to the nearest point of the box
    end = np.column_stack([np.clip(p[0], boxes[:, 0], boxes[:, 2]), np.clip(p[1], boxes[:, 1], boxes[:, 3])])
    start = np.broadcast_to(p, end.shape)
    length = np.hypot(end[:, 0] - p[0], end[:, 1] - p[1])
    la, lb = state["lead_a"][:state["n_lead"]], state["lead_b"][:state["n_lead"]]
    if len(la):
        keep = ((np.maximum(la[:, 0], lb[:, 0]) > region[0]) & (np.minimum(la[:, 0], lb[:, 0]) < region[2])
                & (np.maximum(la[:, 1], lb[:, 1]) > region[1]) & (np.minimum(la[:, 1], lb[:, 1]) < region[3]))
        la, lb = la[keep], lb[keep]
    zeros = np.zeros(len(boxes))
    covers_leader = segments_hit_boxes(la, lb, boxes).sum(axis=0) if len(la) else zeros
    lead_hits_label = segments_hit_boxes(start, end, pl).sum(axis=1) if len(pl) else zeros
    lead_cross = segments_cross(start, end, la, lb).sum(axis=1) if len(la) else zeros
    lead_marker = (_segment_point_distance(start, end, npts) < 0.9 * m).sum(axis=1) if len(npts) else zeros
    lead_bad = need * (lead_hits_label + lead_cross)
    ok = ~outside & (lab_ov <= 0.5) & (mark_ov <= 0.5) & (covers_leader == 0) & (lead_bad == 0)
    # in a clump, labels fan out: directions away from the centre of the nearby points cost less
    close = npts[np.hypot(npts[:, 0] - p[0], npts[:, 1] - p[1]) < 4 * h] if len(npts) else npts
    fan = zeros
    if len(close):
        u = p - close.mean(axis=0)
        un = np.hypot(*u)
        if un > 0:
            Dn = D / np.hypot(D[:, 0], D[:, 1])[:, None]
            fan = 12.0 * (1.0 - Dn @ (u / un))
    # a leader may have to pass over markers of a tight clump of points: allowed, at a price
    pref = need * 1e4 + need * (length + 30.0 * lead_marker + fan) + 0.1 * dir_idx
    hh = h * h
    bad = (outside * 1e7 + lab_ov * 12.0 + mark_ov * 2.0 + covers_leader * 2 * hh + lead_bad * 2 * hh
           + pref * 1e-3)
    return {"boxes": boxes, "ok": ok, "pref": pref, "bad": bad, "need": need, "end": end}
