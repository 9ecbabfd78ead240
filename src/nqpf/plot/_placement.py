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
overlap counts most) and is flagged ``nqpf_conflict = True``.

A greedy pass checks each label only against the labels placed *before* it, so a label fenced in by
earlier labels and leaders (a dense clump: whether it happens depends on the exact pixel layout)
takes a least bad position that may cover an earlier label's leader. Every pass with such a
conflict is therefore followed by a min-conflicts repair (:func:`_repair`): a label is in conflict
when its position is not admissible against *all* the other labels, and conflicted labels move in
turn to their best position against all the others, pushing the labels in their way to move,
until none is left (or a move budget is spent). Labels still in conflict are placed first in a new
pass (at most ``passes``). The tests check that the Moran scatters of the bundled examples have
none.

Only the neighbours of a point are examined: the points are indexed by a k-d tree
(:class:`scipy.spatial.cKDTree`), placed boxes and leaders are filtered by the candidates' bounding
box. Cost: O(m · C · local density) for ``m`` labels and ``C`` candidates, plus O(n log n) for the
``n`` points (earlier versions compared every pair of points: quadratic, 12 minutes for 2,875 points).
What of a candidate does not depend on the other labels (markers, ambiguity, axes edge, preference) is
computed once per label and ring and reused by later passes and the repair.
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
    # greedy passes, each followed by a repair of the labels left in conflict (see the module
    # docstring); a label still in conflict moves to the front of its priority class in the next
    # pass, up to ``passes`` passes; the pass with the fewest conflicts is kept
    best_run = None
    for attempt in range(passes):
        run = _greedy(order, geo)
        if run["conflict"].any():
            run = _repair(run, order, prio, geo)
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
    """One greedy pass over the labels in ``order``: each takes its best admissible candidate against
    the labels placed before it (see the module docstring), the rings examined from the inside out
    and the first ring that has an admissible candidate ending the search. Returns per label the
    chosen ``box``, whether it ``need``s a leader, the leader's ``end`` on the box, the candidate
    (``ring``, ``dir``) and whether it is in ``conflict`` (no admissible candidate: the least bad
    one was taken)."""
    pts = geo["pts"]
    n = len(pts)
    fixed = geo["avoid"]
    state = {"placed": np.zeros((n + len(fixed), 4)), "lead_a": np.zeros((n, 2)), "lead_b": np.zeros((n, 2)),
             "n_placed": len(fixed), "n_lead": 0}
    state["placed"][:len(fixed)] = fixed
    out = {"box": np.zeros((n, 4)), "need": np.zeros(n, dtype=bool), "end": np.zeros((n, 2)),
           "ring": np.zeros(n, dtype=int), "dir": np.zeros(n, dtype=int), "conflict": np.zeros(n, dtype=bool),
           "free": np.ones(n, dtype=bool)}
    for i in order:
        r, k, cand, ok, out["free"][i] = _choose(i, geo, state)
        _assign(out, i, r, k, cand, ok)
        state["placed"][state["n_placed"]] = out["box"][i]
        state["n_placed"] += 1
        if out["need"][i]:
            state["lead_a"][state["n_lead"]], state["lead_b"][state["n_lead"]] = pts[i], out["end"][i]
            state["n_lead"] += 1
    return out


def _choose(i, geo, state, forbidden=frozenset()):
    """The best candidate of label ``i`` against ``state`` (boxes and leaders of the other labels):
    on the innermost ring that has an admissible candidate, the admissible one of least preference
    cost; when no ring has one, the candidate of least violation, except the (ring, direction)
    pairs in ``forbidden``. Returns ``(ring, direction, candidates of that ring, admissible, free)``,
    ``free`` telling whether some candidate examined lies inside the axes clear of every marker (only
    other labels stand in the way: a repair may help)."""
    worst = None
    free = False
    for r in range(len(geo["rings"])):
        cand = _ring(i, r, geo, state)
        ok = cand["ok"]
        free = free or bool(cand["free"].any())
        if ok.any():
            return r, int(np.flatnonzero(ok)[np.argmin(cand["pref"][ok])]), cand, True, True
        bad = cand["bad"]
        if forbidden:
            bad = bad.copy()
            bad[[k for rr, k in forbidden if rr == r]] = np.inf
        k = int(np.argmin(bad))
        if worst is None or bad[k] < worst[0]:
            worst = (bad[k], r, k, cand)
    return worst[1], worst[2], worst[3], False, free


def _assign(sol, i, r, k, cand, ok) -> None:
    """Put label ``i`` of solution ``sol`` at candidate ``k`` of ring ``r``."""
    sol["box"][i], sol["need"][i], sol["end"][i] = cand["boxes"][k], cand["need"][k], cand["end"][k]
    sol["ring"][i], sol["dir"][i], sol["conflict"][i] = r, k, not ok


def _others(i, sol, geo) -> dict:
    """The boxes (with the fixed ones) and leaders of every label of ``sol`` but ``i``, as a state."""
    keep = np.ones(len(sol["box"]), dtype=bool)
    keep[i] = False
    placed = np.vstack([geo["avoid"], sol["box"][keep]])
    lead = keep & sol["need"]
    return {"placed": placed, "n_placed": len(placed), "lead_a": geo["pts"][lead], "lead_b": sol["end"][lead],
            "n_lead": int(lead.sum())}


def _admissible(i, sol, geo) -> bool:
    """Whether label ``i`` at its position in ``sol`` is admissible against ALL the other labels."""
    return bool(_ring(i, sol["ring"][i], geo, _others(i, sol, geo))["ok"][sol["dir"][i]])


def _footprints(box, need, pts, pad) -> np.ndarray:
    """Bounding boxes (n, 4) of labels' boxes together with their leaders (those that ``need`` one
    run from the point to the box), widened by the gap between labels plus one pixel."""
    b = np.array(box, dtype=float)
    b[need, :2] = np.minimum(b[need, :2], pts[need])
    b[need, 2:] = np.maximum(b[need, 2:], pts[need])
    g = pad / 3 + 1.0
    return b + np.array([-g, -g, g, g])


def _near(fp, f) -> np.ndarray:
    """Which footprints ``fp`` (n, 4) meet the box ``f``."""
    return (fp[:, 2] > f[0]) & (fp[:, 0] < f[2]) & (fp[:, 3] > f[1]) & (fp[:, 1] < f[3])


def _repair(sol, order, prio, geo, tenure: int = 8) -> dict:
    """Min-conflicts repair of a greedy solution (Minton et al. 1992), with a short tabu list.

    A greedy pass checks each label only against the labels placed before it; a label that finds no
    admissible position takes its least bad one, which may cover an earlier label or its leader (the
    pass is stuck although an arrangement exists: the earlier labels took positions that fence it
    in). Here a label is in conflict when its position is not admissible against ALL the other
    labels. Repeatedly, the conflicted label moved least recently (then of lower ``priority``, then
    later in ``order``) moves to its best candidate against all the others: an admissible one when
    there is one (innermost ring first, least preference cost, as in the greedy pass), otherwise the
    least bad one other than its present position and those it left in its last ``tenure`` moves,
    pushing the labels in its way to move in turn. Only the labels whose box or leader meets the
    moved label's old or new box or leader are re-examined. A label with no candidate inside the axes
    clear of the markers (``free`` false: no arrangement of the other labels would help) keeps its
    least bad position and is never moved. Stops when no label is in conflict or after
    ``4 k + 4 √n + 16`` moves for ``k`` labels in conflict at the start; returns the solution with the
    fewest conflicts seen."""
    n = len(sol["box"])
    sol = {k: v.copy() for k, v in sol.items()}
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(n)
    fp = _footprints(sol["box"], sol["need"], geo["pts"], geo["pad"])
    conflict = sol["conflict"]
    # a label placed admissibly can only be disturbed by a conflicted label placed after it
    near = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(conflict):
        near |= _near(fp, fp[i])
    for j in np.flatnonzero(near & ~conflict):
        conflict[j] = not _admissible(j, sol, geo)
    movable = sol["free"]
    best, best_count = {k: v.copy() for k, v in sol.items()}, int(conflict.sum())
    last = np.full(n, -1)
    tabu: dict[int, list] = {}
    for it in range(4 * int((conflict & movable).sum()) + 4 * int(np.sqrt(n)) + 16):
        bad = np.flatnonzero(conflict & movable)
        if not len(bad):
            break
        i = int(bad[np.lexsort((-rank[bad], prio[bad], last[bad]))[0]])
        before = fp[i].copy()
        tabu[i] = [(r, k, u) for r, k, u in tabu.get(i, []) if u > it] + [(sol["ring"][i], sol["dir"][i], it + tenure)]
        r, k, cand, ok, _ = _choose(i, geo, _others(i, sol, geo), frozenset((r, k) for r, k, _ in tabu[i]))
        _assign(sol, i, r, k, cand, ok)
        last[i] = it
        fp[i] = _footprints(sol["box"][[i]], sol["need"][[i]], geo["pts"][[i]], geo["pad"])[0]
        near = _near(fp, before) | _near(fp, fp[i])
        near[i] = False
        for j in np.flatnonzero(near):
            conflict[j] = not _admissible(j, sol, geo)
        if conflict.sum() < best_count:
            best, best_count = {k: v.copy() for k, v in sol.items()}, int(conflict.sum())
    return best


def _ring(i, r, geo, state) -> dict:
    """The candidates of label ``i`` on ring ``r``: boxes, admissibility, preference and violation
    against ``state`` (the boxes and leaders of the other labels)."""
    c = _ring_static(i, r, geo)
    boxes, region, need, end, zeros = c["boxes"], c["region"], c["need"], c["end"], c["zeros"]
    # other labels (with a gap of a third of the pad, so two names never read as one)
    pl = state["placed"][:state["n_placed"]]
    pl = pl[(pl[:, 2] > region[0]) & (pl[:, 0] < region[2]) & (pl[:, 3] > region[1]) & (pl[:, 1] < region[3])]
    g = geo["pad"] / 3
    lab_ov = _overlap(boxes + np.array([-g, -g, g, g]), pl).sum(axis=1) if len(pl) else zeros
    la, lb = state["lead_a"][:state["n_lead"]], state["lead_b"][:state["n_lead"]]
    if len(la):
        keep = ((np.maximum(la[:, 0], lb[:, 0]) > region[0]) & (np.minimum(la[:, 0], lb[:, 0]) < region[2])
                & (np.maximum(la[:, 1], lb[:, 1]) > region[1]) & (np.minimum(la[:, 1], lb[:, 1]) < region[3]))
        la, lb = la[keep], lb[keep]
    start = np.broadcast_to(geo["pts"][i], end.shape)
    covers_leader = segments_hit_boxes(la, lb, boxes).sum(axis=0) if len(la) else zeros
    lead_hits_label = segments_hit_boxes(start, end, pl).sum(axis=1) if len(pl) else zeros
    lead_cross = segments_cross(start, end, la, lb).sum(axis=1) if len(la) else zeros
    lead_bad = need * (lead_hits_label + lead_cross)
    ok = c["free"] & (lab_ov <= 0.5) & (covers_leader == 0) & (lead_bad == 0)
    hh = geo["sizes"][i, 1] ** 2
    bad = c["bad"] + lab_ov * 12.0 + covers_leader * 2 * hh + lead_bad * 2 * hh
    return {"boxes": boxes, "ok": ok, "pref": c["pref"], "bad": bad, "need": need, "end": end, "free": c["free"]}


def _ring_static(i, r, geo) -> dict:
    """What of the candidates of label ``i`` on ring ``r`` does not depend on the other labels (boxes,
    the points and markers near them, the axes edge, the leader each needs, preference cost), computed
    once per placement and kept in ``geo["cache"]``: a repair examines the same candidates often."""
    key = (int(i), int(r))
    cache = geo.setdefault("cache", {})
    if key in cache:
        return cache[key]
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
    # other points' markers (only those within a marker of the candidates' bounding box can touch a
    # box or a leader: a leader runs from the point to its box, inside that bounding box)
    inb = ((npts[:, 0] > region[0] - m) & (npts[:, 0] < region[2] + m)
           & (npts[:, 1] > region[1] - m) & (npts[:, 1] < region[3] + m))
    mpts = npts[inb]
    mk = np.column_stack([mpts[:, 0] - m, mpts[:, 1] - m, mpts[:, 0] + m, mpts[:, 1] + m])
    zeros = np.zeros(len(boxes))
    mark_ov = _overlap(boxes, mk).sum(axis=1) if len(mk) else zeros
    # ambiguity: the box as near to another point as to its own
    own = _boxes_points_distance(boxes, p[None, :])[:, 0]
    other = _boxes_points_distance(boxes, npts).min(axis=1) if len(npts) else np.full(len(boxes), np.inf)
    amb = other <= own + margin
    need = (r >= 1) | amb
    # leader: from the point to the nearest point of the box
    end = np.column_stack([np.clip(p[0], boxes[:, 0], boxes[:, 2]), np.clip(p[1], boxes[:, 1], boxes[:, 3])])
    start = np.broadcast_to(p, end.shape)
    length = np.hypot(end[:, 0] - p[0], end[:, 1] - p[1])
    lead_marker = (_segment_point_distance(start, end, mpts) < 0.9 * m).sum(axis=1) if len(mpts) else zeros
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
    out = {"boxes": boxes, "region": region, "need": need, "end": end, "zeros": zeros, "pref": pref,
           "free": ~outside & (mark_ov <= 0.5),  # admissible were there no other label
           "bad": outside * 1e7 + mark_ov * 2.0 + pref * 1e-3}
    cache[key] = out
    return out
