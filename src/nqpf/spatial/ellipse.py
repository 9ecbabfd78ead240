"""Standard deviational ellipse of the scores and the migration of their centre, every year at once.

Each region is a point (its representative point or the user's coordinates) in a plane in km, an
equal-area projection by default (:data:`~nqpf.spatial.weights.ALBERS_CHINA_KM`: Albers conic for
China, standard parallels 25°N and 47°N, central meridian 105°E). In year :math:`t` the weight of
region :math:`i` is its score :math:`w_i = y_{it} \\ge 0` (a missing score leaves the region out of
that year).

Formulas
--------
Weighted mean centre (the "gravity centre" of the scores):

.. math:: \\bar X = \\sum_i w_i x_i / \\sum_i w_i, \\qquad \\bar Y = \\sum_i w_i y_i / \\sum_i w_i

With :math:`\\tilde x_i = x_i - \\bar X`, :math:`\\tilde y_i = y_i - \\bar Y` and the weighted moments
:math:`s_{xx} = \\sum w_i \\tilde x_i^2 / \\sum w_i`, :math:`s_{yy}`, :math:`s_{xy}` likewise, the
principal axes have variances

.. math:: \\lambda_{1,2} = \\frac{s_{xx} + s_{yy}}{2} \\pm \\sqrt{\\left(\\frac{s_{xx} - s_{yy}}{2}\\right)^2 + s_{xy}^2}

and the major axis points at :math:`\\varphi = \\tfrac12 \\operatorname{atan2}(2 s_{xy}, s_{xx} - s_{yy})`
counter-clockwise from east. The table reports

* ``rotation`` :math:`\\theta = (90° - \\varphi) \\bmod 180°`: the bearing of the **major** axis,
  measured **clockwise from north** (grid north of the plane; true north on the central meridian),
  in [0°, 180°);
* ``sd_y`` :math:`= c \\sqrt{\\lambda_1}` the standard distance along the major axis (the ellipse's y
  axis, turned clockwise from north by ``rotation``, as ArcGIS draws it) and ``sd_x`` :math:`= c
  \\sqrt{\\lambda_2}` along the minor axis, so ``sd_x ≤ sd_y``; ``area_km2`` :math:`= \\pi \\cdot
  sd_x \\cdot sd_y`;
* ``correction`` :math:`c`: ``"arcgis"`` :math:`\\sqrt 2` (default; ArcGIS's Standard Deviational
  Ellipse, one standard deviation, since ArcGIS 10.0), ``"crimestat"``
  :math:`\\sqrt 2 \\sqrt{n / (n-2)}` (CrimeStat; pointpats' default), ``"none"`` 1 (Yuill 1971: the
  weighted standard deviation along each axis). :math:`n` counts the regions with a score that year
  (zeros included).

These equal ``pointpats.centrography.ellipse(points, weights, ...)`` (``method="yuill"`` with
``crimestatCorr=True, degfreedCorr=False`` for ``"arcgis"``, ``method="crimestat"`` for
``"crimestat"``, ``method="yuill"`` with both corrections off for ``"none"``): pointpats returns
(major, minor, :math:`\\varphi` in radians), i.e. ``(sd_y, sd_x, radians(90 - rotation))`` modulo
:math:`\\pi`; and the centre equals ``pointpats.centrography.weighted_mean_center``.

Migration: ``shift_km`` and ``bearing`` from the previous year's centre (NaN in the first year):
with ``crs`` (the plane's projection), the geodesic distance and forward azimuth on the WGS 84
ellipsoid between the centres unprojected to longitude/latitude (``pyproj.Geod``); without, the
distance and grid bearing in the plane. ``bearing`` is a compass bearing in degrees clockwise from
north, [0°, 360°); ``direction`` its 8-point code (``N``, ``NE``, ``E``, ``SE``, ``S``, ``SW``, ``W``,
``NW``: 45° sectors centred on each point, ``N`` = [337.5°, 22.5°)), empty when the centre does not
move.

References: Lefever (1926); Yuill (1971); Levine, CrimeStat IV ch. 4 (2013); ArcGIS Pro, How
Directional Distribution (Standard Deviational Ellipse) works; Wang, Shi & Miao (2015) PLoS ONE
10(3): e0118537.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from nqpf.errors import InputError

__all__ = ["CORRECTIONS", "COMPASS", "standard_ellipse", "compass_code", "to_plane_km"]

#: Corrections of the standard distances (the default first).
CORRECTIONS = ("arcgis", "crimestat", "none")
#: 8-point compass codes, clockwise from north.
COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")
#: Axes equal within this relative tolerance make a circle: no rotation.
_CIRCLE_RTOL = 1e-12


def compass_code(bearing) -> np.ndarray:
    """8-point compass code of bearings in degrees (45° sectors centred on N, NE, …); ``""`` for NaN."""
    b = np.asarray(bearing, dtype=float)
    out = np.full(b.shape, "", dtype=object)
    ok = np.isfinite(b)
    out[ok] = np.asarray(COMPASS, dtype=object)[(np.floor(((b[ok] % 360.0) + 22.5) / 45.0) % 8).astype(int)]
    return out


def to_plane_km(lon, lat, crs: str):
    """Longitude/latitude (degrees) projected to ``crs`` (a projection in km, e.g.
    :data:`~nqpf.spatial.weights.ALBERS_CHINA_KM`): ``(x, y)`` arrays."""
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = tr.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def _weights(Y, coords) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not isinstance(Y, pd.DataFrame):
        raise InputError("standard_ellipse: Y must be a DataFrame (index = regions, columns = years)")
    if not isinstance(coords, pd.DataFrame) or not {"x", "y"} <= set(coords.columns):
        raise InputError("standard_ellipse: coords must be a DataFrame indexed by region with columns x and y (km)")
    missing = [r for r in Y.index if r not in coords.index]
    if missing:
        shown = ", ".join(map(repr, missing[:10])) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        raise InputError(f"standard_ellipse: no coordinates for {len(missing)} region(s): {shown}")
    try:
        W = Y.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise InputError("standard_ellipse: the scores (weights) must be numbers") from None
    xy = coords.loc[list(Y.index), ["x", "y"]].to_numpy(dtype=float)
    if not np.isfinite(xy).all():
        raise InputError("standard_ellipse: coordinates must be finite numbers")
    neg = np.argwhere(W < 0)
    if len(neg):
        r, c = neg[0]
        raise InputError(f"standard_ellipse: weights must be >= 0, but region {Y.index[r]!r} has "
                         f"{W[r, c]:g} in {Y.columns[c]!r} ({len(neg)} negative value(s)); weight the "
                         "ellipse by non-negative scores")
    if np.isinf(W).any():
        raise InputError("standard_ellipse: weights must be finite")
    return W, xy[:, 0], xy[:, 1]


def standard_ellipse(Y: pd.DataFrame, coords: pd.DataFrame, *, correction: str = "arcgis",
                     crs: str | None = None) -> pd.DataFrame:
    """Weighted standard deviational ellipse and mean centre of every year, and the centre's moves.

    Parameters
    ----------
    Y : DataFrame
        Weights (the scores), regions × years; NaN leaves a region out of that year.
    coords : DataFrame
        Index = regions (covering ``Y.index``), columns ``x``, ``y`` in km in a plane (an equal-area
        projection; :func:`to_plane_km`).
    correction : {"arcgis", "crimestat", "none"}
        Factor of the standard distances (module docstring): :math:`\\sqrt 2` (default),
        :math:`\\sqrt{2n/(n-2)}`, or 1.
    crs : str, optional
        The projection of ``coords`` (in km): centres are then also given in longitude/latitude and
        the moves are geodesic (WGS 84). Without it ``lon``/``lat`` are NaN and moves are planar.

    Returns
    -------
    DataFrame
        One row per year: ``year, n, x, y, lon, lat, sd_x, sd_y, rotation, area_km2, shift_km,
        bearing, direction`` (``x, y``: weighted mean centre in km; ``sd_x`` minor and ``sd_y`` major
        standard distance in km; ``rotation`` bearing of the major axis clockwise from north in
        [0, 180); ``area_km2`` :math:`\\pi\\, sd_x\\, sd_y`; ``shift_km``/``bearing`` the move from the
        previous year; ``direction`` its 8-point code). ``attrs``: ``correction``, ``crs``.

    Warns
    -----
    UserWarning
        Years with no positive weight, too few regions for the correction (``n ≤ 2`` with
        ``"crimestat"``, ``n < 2`` otherwise) — NaN rows —, or equal axes (a circle: rotation NaN).
    """
    if correction not in CORRECTIONS:
        raise InputError(f"correction must be one of {', '.join(map(repr, CORRECTIONS))}, not {correction!r}")
    W, x, y = _weights(Y, coords)
    have = ~np.isnan(W)
    W0 = np.where(have, W, 0.0)
    n = have.sum(axis=0)
    S = W0.sum(axis=0)
    bad = (S <= 0) | (n <= (2 if correction == "crimestat" else 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        S_ = np.where(bad, np.nan, S)
        X = (x @ W0) / S_
        Yc = (y @ W0) / S_
        dx = x[:, None] - X[None, :]
        dy = y[:, None] - Yc[None, :]
        sxx = (W0 * dx * dx).sum(axis=0) / S_
        syy = (W0 * dy * dy).sum(axis=0) / S_
        sxy = (W0 * dx * dy).sum(axis=0) / S_
        half = (sxx - syy) / 2.0
        root = np.hypot(half, sxy)
        mid = (sxx + syy) / 2.0
        lam1 = mid + root
        lam2 = np.maximum(mid - root, 0.0)
        phi = 0.5 * np.degrees(np.arctan2(2.0 * sxy, sxx - syy))
        rotation = (90.0 - phi) % 180.0
        circle = root <= _CIRCLE_RTOL * mid
        rotation = np.where(circle, np.nan, rotation)
        if correction == "arcgis":
            c = np.full(W.shape[1], np.sqrt(2.0))
        elif correction == "crimestat":
            c = np.sqrt(2.0) * np.sqrt(n / (n - 2.0))
        else:
            c = np.ones(W.shape[1])
        sd_y = c * np.sqrt(lam1)
        sd_x = c * np.sqrt(lam2)
    years = list(Y.columns)
    if bad.any():
        warnings.warn(f"standard ellipse: years {[years[k] for k in np.flatnonzero(bad)]} have no positive "
                      f"weight or too few regions for the correction {correction!r}; their row is NaN",
                      UserWarning, stacklevel=2)
    if (circle & ~bad).any():
        warnings.warn(f"standard ellipse: in years {[years[k] for k in np.flatnonzero(circle & ~bad)]} the two "
                      "axes are equal (a circle): rotation is undefined (NaN)", UserWarning, stacklevel=2)
    lon = lat = np.full(len(years), np.nan)
    if crs is not None:
        from pyproj import Transformer

        inv = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        lon, lat = (np.asarray(v, dtype=float) for v in inv.transform(X, Yc))
        shift, bearing = _moves_geodesic(lon, lat)
    else:
        shift, bearing = _moves_planar(X, Yc)
    bearing = np.where(shift > 0, bearing, np.nan)
    out = pd.DataFrame({
        "year": years, "n": n.astype(int), "x": X, "y": Yc, "lon": lon, "lat": lat,
        "sd_x": sd_x, "sd_y": sd_y, "rotation": rotation, "area_km2": np.pi * sd_x * sd_y,
        "shift_km": shift, "bearing": bearing, "direction": compass_code(bearing),
    })
    out.attrs.update(correction=correction, crs=crs)
    return out


def _moves_planar(X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dx = np.r_[np.nan, np.diff(X)]
    dy = np.r_[np.nan, np.diff(Y)]
    return np.hypot(dx, dy), np.degrees(np.arctan2(dx, dy)) % 360.0


def _moves_geodesic(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Geod

    shift = np.full(len(lon), np.nan)
    bearing = np.full(len(lon), np.nan)
    if len(lon) > 1:
        az, _, dist = Geod(ellps="WGS84").inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
        shift[1:] = np.asarray(dist, dtype=float) / 1000.0
        bearing[1:] = np.asarray(az, dtype=float) % 360.0
    return shift, bearing
