"""Validation of model versions: safe model loading (skops) and the validation suite.

No Qt and no SQLAlchemy in this package (``shared/DESIGN.md``, *Layers*).  The suite's
public API is :mod:`console.validation.suite`.
"""

from console.validation._shared import PRIMARY_METRIC
from console.validation.loading import TRUSTED_TYPES, dump_model, load_model, sha256_hex
from console.validation.suite import (
    CATALOGUE,
    FAMILIES,
    ArtifactInfo,
    CheckSpec,
    SuiteInput,
    ValidationPlan,
    default_plan,
    run_suite,
    spec,
    suite_passed,
)

__all__ = [
    "ArtifactInfo",
    "CATALOGUE",
    "CheckSpec",
    "FAMILIES",
    "PRIMARY_METRIC",
    "SuiteInput",
    "TRUSTED_TYPES",
    "ValidationPlan",
    "default_plan",
    "dump_model",
    "load_model",
    "run_suite",
    "sha256_hex",
    "spec",
    "suite_passed",
]
