"""Driving factors of a spatial pattern: the geographical detector (地理探测器; Wang et al. 2010) with the
optimal-parameters discretisation (OPGD; Song et al. 2020).

* :func:`geodetector` runs the factor, interaction, risk and ecological detectors on one table (one row
  per unit, optionally grouped by year) and returns the tables ``geodetector_factor``,
  ``geodetector_interaction``, ``geodetector_risk``, ``geodetector_strata``,
  ``geodetector_ecological``; :func:`factor_detector`, :func:`interaction_detector`,
  :func:`risk_detector`, :func:`ecological_detector` run one each.
* :func:`discretize`, :func:`breaks` and :func:`optimal_discretization` classify continuous factors
  (equal, natural, quantile, geometric, sd).
* :func:`run_table` reads a CSV or Excel file (or takes a DataFrame), runs the detectors and writes
  the tables (``nqpf geodetector``).

Definitions and conventions are in :mod:`nqpf.drivers.geodetector` and :mod:`nqpf.drivers.discretize`.
"""
from __future__ import annotations

from .discretize import METHODS, auto_classes, breaks, discretize, optimal_discretization
from .geodetector import (INTERACTION_TYPES, TABLES, Stratified, ecological_detector, factor_detector, geodetector,
                          interaction_detector, interaction_type, resolve_methods, risk_detector, stratify)
from .run import read_table, run_table

__all__ = ["geodetector", "factor_detector", "interaction_detector", "risk_detector", "ecological_detector",
           "interaction_type", "resolve_methods", "stratify", "Stratified", "discretize", "breaks", "optimal_discretization",
           "run_table", "read_table", "auto_classes", "METHODS", "INTERACTION_TYPES", "TABLES"]
