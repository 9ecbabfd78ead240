"""nqpf: development potential of new quality productive forces (新质生产力发展潜力).

The measurement system of Ran, Hua, Chen & Xia (2025), Journal of Chongqing University
(Social Science Edition) 2025(4): indicator system → entropy weights → composite scores →
temporal disparity (Theil, σ, CV) → spatial autocorrelation (global and local Moran's I) →
strategic focus per region.
"""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nqpf")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["__version__"]
