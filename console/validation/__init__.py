"""Validation of model versions: safe model loading (skops) and validation checks.

No Qt and no SQLAlchemy in this package (``shared/DESIGN.md``, *Layers*).
"""

from console.validation.checks import (
    CHECK_IDS,
    DEFAULT_THRESHOLDS,
    PRIMARY_METRIC,
    run_checks,
    suite_passed,
)
from console.validation.loading import TRUSTED_TYPES, dump_model, load_model, sha256_hex

__all__ = [
    "CHECK_IDS",
    "DEFAULT_THRESHOLDS",
    "PRIMARY_METRIC",
    "TRUSTED_TYPES",
    "dump_model",
    "load_model",
    "run_checks",
    "sha256_hex",
    "suite_passed",
]
