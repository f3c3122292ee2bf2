"""Safe persistence of model artifacts with skops (never pickle).

Tollgate stores every model version as skops bytes, content-addressed by SHA-256
(``shared/DESIGN.md``, *Data flow*).  skops (https://skops.readthedocs.io/en/stable/persistence.html)
writes a zip archive holding a JSON ``schema.json`` tree instead of a pickle stream, and on
load only instantiates types it trusts, so opening an artifact cannot run arbitrary code the
way ``pickle.load`` / ``joblib.load`` can (Python docs, ``pickle`` module: "Warning: The
pickle module is not secure ... It is possible to construct malicious pickle data which
will execute arbitrary code during unpickling").

Trust model (two layers):

1. skops' own default trust: the scikit-learn estimators it knows, numpy/scipy containers
   and builtins.  Those never appear in :func:`skops.io.get_untrusted_types`.
2. :data:`TRUSTED_TYPES`: Tollgate's explicit allow-list for what skops reports as
   *untrusted* for the estimators the demo and tests use.  Every type reported by
   ``get_untrusted_types`` must be in this list, or :func:`load_model` refuses the file
   with an :class:`~console.errors.InputError` naming the offending types.

3. The trust step (issue 6): a pickle/joblib file is never loaded by :func:`load_model`.
   Only :func:`load_trusted_pickle` unpickles, and only bytes whose SHA-256 equals the
   hash a user explicitly trusted (recorded in the workspace's audit trail by
   :func:`console.services.validation.trust_artifact`); one changed byte changes the
   hash and the file is refused again.

No Qt, no SQLAlchemy here.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any, Optional

import skops.io as sio

from console.fingerprint import sha256_hex
from console.errors import InputError

__all__ = ["TRUSTED_TYPES", "dump_model", "load_model", "sha256_hex", "artifact_format", "load_trusted_pickle"]

#: Fully qualified type names (as :func:`skops.io.get_untrusted_types` spells them) that
#: Tollgate accepts in a skops artifact on top of skops' default trust.
#:
#: The first block names the estimators, pipelines and transformers the demo uses.  In
#: skops 0.16 / scikit-learn 1.9 skops already trusts these by default (they are never
#: reported as untrusted); they are listed so the allow-list documents what Tollgate
#: expects and stays valid if a future skops narrows its default trust.
#:
#: The second block is what skops 0.16 with scikit-learn 1.9 actually *reports* as
#: untrusted when dumping those estimators (found by dumping each of them fitted on the
#: Adult data, see ``tests/test_validation.py``):
#:
#: * ``numpy.dtype`` - the dtype of fitted arrays (every pipeline with a ColumnTransformer
#:   / OneHotEncoder / OrdinalEncoder);
#: * ``sklearn.tree._tree.Tree`` - the trees of RandomForest / GradientBoosting;
#: * ``sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor`` - the trees of
#:   HistGradientBoosting;
#: * ``sklearn.compose._column_transformer.make_column_selector`` - a ColumnTransformer
#:   that selects columns by dtype;
#: * ``functools.partial`` and ``sklearn.utils.validation.check_array`` - the internal
#:   preprocessor of HistGradientBoosting with ``categorical_features="from_dtype"``.
#:   ``functools.partial`` is safe to allow because skops audits the wrapped callable
#:   separately (``partial(os.system, ...)`` is still refused for ``posix.system``).
TRUSTED_TYPES: tuple[str, ...] = (
    # estimators / pipelines / transformers used by the demo
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
    "sklearn.ensemble._gb.GradientBoostingClassifier",
    "sklearn.ensemble._forest.RandomForestClassifier",
    "sklearn.pipeline.Pipeline",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.preprocessing._encoders.OneHotEncoder",
    "sklearn.preprocessing._encoders.OrdinalEncoder",
    "sklearn.impute._base.SimpleImputer",
    # reported as untrusted by skops 0.16 / scikit-learn 1.9 for the estimators above
    "numpy.dtype",
    "sklearn.tree._tree.Tree",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.compose._column_transformer.make_column_selector",
    "functools.partial",
    "sklearn.utils.validation.check_array",
)

_ZIP_MAGIC = b"PK\x03\x04"


def dump_model(estimator: Any) -> bytes:
    """Serialise a fitted estimator to skops bytes (:func:`skops.io.dumps`).

    Args:
        estimator: any object skops can persist (typically a fitted scikit-learn
            estimator or Pipeline).

    Returns:
        The skops archive (a zip file) as ``bytes``; hash it with :func:`sha256_hex` to
        get the ``artifact_sha256`` of a :class:`~console.domain.models.ModelVersion`.

    Raises:
        InputError: skops cannot persist the object (the message names its type).
    """
    try:
        return sio.dumps(estimator)
    except Exception as exc:  # skops raises TypeError/ValueError/... for unsupported objects
        raise InputError(
            f"Cannot save model of type {type(estimator).__module__}."
            f"{type(estimator).__qualname__} as a skops file: {exc}. Use a "
            "scikit-learn estimator or Pipeline."
        ) from exc


def _describe_non_skops(data: bytes) -> str:
    if data[:1] == b"\x80" or data[:1] in (b"(", b"]", b"}"):
        return "it looks like a pickle/joblib file"
    if data[:2] == b"\x1f\x8b" or data[:1] == b"\x78" or data[:3] == b"BZh" or data[:6] == b"\xfd7zXZ\x00":
        return "it looks like a compressed (joblib/pickle?) file"
    if not data:
        return "it is empty"
    return "it is not a zip archive"


def load_model(data: bytes, *, expected_sha256: Optional[str] = None) -> Any:
    """Load an estimator from skops bytes, refusing anything not on the allow-list.

    Steps: (1) when ``expected_sha256`` is given, the SHA-256 of ``data`` must equal it
    (case-insensitive); (2) ``data`` must be a skops archive - pickle / joblib bytes are
    refused and never unpickled; (3) every type :func:`skops.io.get_untrusted_types`
    reports must be in :data:`TRUSTED_TYPES`; (4) :func:`skops.io.loads` with
    ``trusted=`` exactly those reported types.

    Args:
        data: the artifact bytes, as written by :func:`dump_model`.
        expected_sha256: the hex digest recorded for the model version, or ``None`` to
            skip the integrity check.

    Returns:
        The estimator.

    Raises:
        InputError: "artifact changed" on a SHA-256 mismatch; "not a skops file" for
            pickle/joblib or other non-skops bytes (pickle files are refused for
            safety); "untrusted types" naming each type outside :data:`TRUSTED_TYPES`;
            or any other failure of skops to read the archive.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InputError(
            f"Model artifact must be bytes, got {type(data).__name__}; pass the content "
            "of the .skops file."
        )
    data = bytes(data)
    if expected_sha256 is not None:
        actual = sha256_hex(data)
        if actual != expected_sha256.strip().lower():
            raise InputError(
                f"Model artifact changed: its SHA-256 is {actual}, but the model version "
                f"records {expected_sha256.strip().lower()}. Restore the original artifact "
                "or register the new one as a new version."
            )
    if not data.startswith(_ZIP_MAGIC):
        raise InputError(
            f"Model artifact is not a skops file ({_describe_non_skops(data)}). Pickle and "
            "joblib files are refused for safety, because loading them can run arbitrary "
            "code; re-save the model with skops.io.dump (or Tollgate's dump_model)."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if "schema.json" not in zf.namelist():
                raise InputError(
                    "Model artifact is a zip archive but not a skops file (no schema.json). "
                    "Pickle and joblib files are refused for safety; re-save the model "
                    "with skops.io.dump."
                )
    except zipfile.BadZipFile as exc:
        raise InputError(
            f"Model artifact is not a readable skops file (corrupt zip: {exc}). Pickle and "
            "joblib files are refused for safety; re-save the model with skops.io.dump."
        ) from exc

    try:
        untrusted = list(sio.get_untrusted_types(data=data))
    except Exception as exc:
        raise InputError(
            f"Cannot read the skops model artifact: {type(exc).__name__}: {exc}. It may "
            "have been written by an incompatible skops version; re-save it with the "
            "installed skops."
        ) from exc
    refused = sorted(t for t in untrusted if t not in TRUSTED_TYPES)
    if refused:
        raise InputError(
            "Model artifact contains untrusted types: " + ", ".join(refused) + ". Tollgate "
            "only loads scikit-learn estimators and the types in "
            "console.validation.loading.TRUSTED_TYPES; re-train the model with standard "
            "scikit-learn components or have the allow-list reviewed."
        )
    try:
        return sio.loads(data, trusted=untrusted)
    except Exception as exc:
        raise InputError(
            f"Cannot load the skops model artifact: {type(exc).__name__}: {exc}. Re-save it "
            "with the installed skops and scikit-learn versions."
        ) from exc


def artifact_format(data: bytes) -> str:
    """``"skops"`` for a zip archive (what skops writes), else ``"pickle"`` (pickle,
    joblib or anything else that would have to be unpickled).  Looks at the first four
    bytes only; nothing is loaded."""
    return "skops" if bytes(data[:4]) == _ZIP_MAGIC else "pickle"


def load_trusted_pickle(data: bytes, *, trusted_sha256: Optional[str], name: str = "model file") -> Any:
    """Unpickle ``data`` (pickle or joblib; :func:`joblib.load` reads both) only when its
    SHA-256 equals ``trusted_sha256``, the hash a user trusted.

    The hash is checked before a single byte is unpickled.  Raises :class:`InputError`
    when nothing is trusted (``None``), when the hash differs ("changed since it was
    trusted": a modified file is refused again), or when loading fails.  Loading a
    trusted pickle still runs whatever code it holds: the trust is the user's decision,
    recorded in the audit trail.
    """
    import joblib

    data = bytes(data)
    actual = sha256_hex(data)
    if trusted_sha256 is None:
        raise InputError(
            f"{name} is a pickle/joblib file (SHA-256 {actual}) and nobody has trusted it; loading it can run "
            "arbitrary code, so it is refused. Re-save the model with skops, or have a user trust this exact file."
        )
    if actual != trusted_sha256.strip().lower():
        raise InputError(
            f"{name} changed since it was trusted (trusted SHA-256 {trusted_sha256.strip().lower()}, now "
            f"{actual}); refused. Check the new file and trust it again."
        )
    try:
        return joblib.load(io.BytesIO(data))
    except Exception as exc:  # anything the file's own code raises
        raise InputError(
            f"{name} was trusted but cannot be loaded ({type(exc).__name__}: {exc}); is it a pickle/joblib "
            "model file written with the installed packages?"
        ) from None
