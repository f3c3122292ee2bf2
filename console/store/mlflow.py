"""Read-only connector to an MLflow tracking server's model registry (REST API 2.0).

Why not the ``mlflow`` client: it takes credentials only from process-wide
environment variables (``MLFLOW_TRACKING_USERNAME`` / ``_PASSWORD`` / ``_TOKEN``), so
two registries with different credentials cannot be used side by side, and its
default retry policy takes minutes to give up on a down server.  Here every
:class:`MlflowConnection` owns one :class:`requests.Session` with its own basic-auth or
bearer-token credentials, short timeouts (connect 3 s, read 15 s by default) and **no
retries** (``HTTPAdapter(max_retries=0)``): a down server fails in about the connect
timeout.  Every answer is read as it arrives, at most :data:`MAX_RESPONSE_BYTES` within
:data:`RESPONSE_TIMEOUT` seconds and checking the cancel token, so a server that sends
an endless or trickling answer cannot exhaust memory or hold a sync forever; an answer
whose fields have the wrong JSON types is a :class:`RegistryError`, never a crash.

Endpoints used (MLflow REST API, ``/api/2.0/mlflow/``): ``registered-models/search``
(``max_results`` at most 1000 per page, server-enforced), ``model-versions/search``
(at most 200,000 per page), ``runs/get``.  Every ``next_page_token`` is followed.  Names
are never put into a URL path or a filter: models and versions are listed globally and
matched by the names the server returns, so quotes, ``%``, spaces and non-Latin
letters need no escaping.

Errors: :class:`RegistryUnreachable` (connection refused, timeout, DNS),
:class:`RegistryAuthError` (HTTP 401/403), :class:`RegistryError` (the server's own
``error_code`` / ``message``, or an answer that is not MLflow's).  No message ever
contains the secret (:func:`console.store.secrets.redact`).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter

from console.errors import RegistryAuthError, RegistryError, RegistryUnreachable
from console.jobs import CancelToken, ProgressFn, checkpoint, report, scaled
from console.store.secrets import redact

#: Default timeouts in seconds: (connect, read).  A registry on the same network
#: answers a connect in milliseconds; 3 s tolerates a slow VPN without making a down
#: server hang the sync.  15 s read covers a large first page on a busy server.
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 15.0
#: Seconds one whole answer may take to arrive.  The read timeout only bounds the
#: silence between two packets, so a server trickling a byte every few seconds would
#: otherwise hold a sync forever.  A 200,000-version page (about 80 MB) arrives well
#: within it on any LAN or VPN.
RESPONSE_TIMEOUT = 120.0
#: Largest answer accepted, in bytes: a version costs about 400 bytes of JSON, so
#: even a full 200,000-version page with long descriptions fits; an endless or
#: hostile answer stops here instead of exhausting memory.
MAX_RESPONSE_BYTES = 512 * 1024 * 1024
_CHUNK = 64 * 1024
#: Server-side caps of ``max_results`` (mlflow/store/model_registry/__init__.py:
#: SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD = 1000,
#: SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD = 200_000).
MAX_MODELS_PAGE = 1000
MAX_VERSIONS_PAGE = 200_000
#: Runs per ``runs/search`` request (and experiments per request): a filter of 100 run
#: ids stays far below URL/body limits and the server's 50,000-run page cap.
RUN_BATCH = 100
#: MLflow run ids are 32 hex digits; anything else is fetched with ``runs/get`` so no
#: server-provided text is ever spliced into a search filter.
_RUN_ID = re.compile(r"[0-9a-fA-F]{1,64}")
#: Tag MLflow 3 puts on registered models that are prompts, not models: skipped.
PROMPT_TAG = "mlflow.prompt.is_prompt"


def check_url(url: str) -> str:
    """Validate a registry URL; returns it without a trailing ``/``.

    Only ``http`` and ``https`` with a host are accepted, and never credentials inside
    the URL (they would end up on disk): raises :class:`console.errors.InputError`
    whose message does not repeat the URL when it held credentials.
    """
    from console.errors import InputError

    text = (url or "").strip()
    if not text:
        raise InputError("the registry needs a URL, e.g. http://mlflow.example.com:5000")
    if any(ch.isspace() or not ch.isprintable() for ch in text):
        # Never echo it: a line break would split the one-line error (and the stored URL).
        raise InputError("the registry URL must not contain spaces, line breaks or control characters")
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise InputError("the registry URL is not valid; give it as http(s)://HOST[:PORT][/PATH]") from None
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise InputError(
            "the registry URL must not contain a user name or password; give the URL without them "
            "and pass --username (the password or token is asked for and kept in the OS keyring)"
        )
    if parts.scheme not in ("http", "https"):
        raise InputError(f"the registry URL must start with http:// or https:// (got {text!r})")
    if not parts.hostname:
        raise InputError(f"the registry URL {text!r} has no host name")
    if "?" in text or "#" in text:  # also an empty one: "http://h?" would put the API path in the query
        raise InputError(f"the registry URL {text!r} must not have a query (?...) or fragment (#...)")
    try:  # every label 1-63 characters (IDNA), as the HTTP library will require when connecting
        parts.hostname.encode("idna")
    except UnicodeError:
        raise InputError(f"the registry URL {text!r} has an invalid host name {parts.hostname!r}") from None
    return text.rstrip("/")


@dataclass
class FetchedModel:
    """One registered model as pulled: the model document and its versions' documents
    (each with ``lineage``), both canonical (tags as sorted dicts)."""

    doc: dict[str, Any]
    versions: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Fetched:
    """Everything pulled from one registry in one sync."""

    models: list[FetchedModel]
    n_versions: int
    requests: int
    seconds: float


class MlflowConnection:
    """One connection to an MLflow tracking server (thread-confined; close it after use).

    ``auth``: ``none``, ``basic`` (``username`` + password ``secret``) or ``token``
    (bearer ``secret``).  ``page_size`` caps ``max_results`` per page (default: the
    server's maximum); tests use a small one to prove paging.
    """

    def __init__(
        self,
        url: str,
        *,
        name: Optional[str] = None,
        username: Optional[str] = None,
        auth: str = "none",
        secret: Optional[str] = None,
        connect_timeout: float = CONNECT_TIMEOUT,
        read_timeout: float = READ_TIMEOUT,
        page_size: Optional[int] = None,
        response_timeout: float = RESPONSE_TIMEOUT,
    ) -> None:
        self.url = check_url(url)
        self.name = name or self.url
        self._secret = secret
        self._timeout = (connect_timeout, read_timeout)
        self._response_timeout = response_timeout
        #: Checked while an answer is being read (set by :meth:`fetch`).
        self.cancel: Optional[CancelToken] = None
        self.page_size = page_size
        self.requests = 0
        s = requests.Session()
        adapter = HTTPAdapter(max_retries=0)
        s.mount("http://", adapter)
        s.mount("https://", adapter)
        s.headers["User-Agent"] = "Tollgate registry sync"
        if auth == "basic":
            s.auth = (username or "", secret or "")
        elif auth == "token":
            s.headers["Authorization"] = f"Bearer {secret or ''}"
        elif auth != "none":
            raise ValueError(f"auth must be none, basic or token (got {auth!r})")
        self._s = s

    def close(self) -> None:
        self._s.close()

    def __enter__(self) -> "MlflowConnection":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ HTTP
    def _get(self, endpoint: str, params: dict[str, Any]) -> dict[str, Any]:
        return self._call("GET", endpoint, params=params)

    def _post(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", endpoint, json=body)

    def _call(self, method: str, endpoint: str, **kw: Any) -> dict[str, Any]:
        url = f"{self.url}/api/2.0/mlflow/{endpoint}"
        self.requests += 1
        try:
            r = self._s.request(method, url, timeout=self._timeout, stream=True, **kw)
            try:
                content = self._read_body(r)
            finally:
                r.close()
        except requests.ConnectTimeout:
            raise RegistryUnreachable(self._unreachable(f"no answer within {self._timeout[0]:g} s to connect")) from None
        except (requests.Timeout, urllib3.exceptions.TimeoutError):
            raise RegistryUnreachable(self._unreachable(
                f"it accepted the connection but sent nothing for {self._timeout[1]:g} s")) from None
        except requests.ConnectionError as exc:
            raise RegistryUnreachable(self._unreachable(_connection_reason(exc))) from None
        except requests.RequestException as exc:
            raise RegistryUnreachable(self._unreachable(type(exc).__name__)) from None
        except (urllib3.exceptions.HTTPError, OSError):  # while reading the answer
            raise RegistryUnreachable(self._unreachable("the connection broke off during the answer")) from None
        except ValueError:  # urllib3's LocationParseError: a URL stored before check_url was this strict
            raise RegistryError(f"the URL of registry {self.name} ({self.url}) is not valid; remove the registry "
                                "and add it again with a valid URL") from None
        if r.status_code in (401, 403):
            raise RegistryAuthError(
                f"wrong username or password/token for registry {self.name} ({self.url}): the server "
                f"answered HTTP {r.status_code}; store the right one (GUI: Connections; CLI: tollgate registry "
                f"set-secret {self.name}, or for one run: registry sync {self.name} --secret-stdin)",
                r.status_code,
            )
        try:
            body = json.loads(content) if content else None
        except ValueError:
            body = None
        if r.status_code != 200:
            if isinstance(body, dict) and ("error_code" in body or "message" in body):
                code = body.get("error_code", f"HTTP {r.status_code}")
                msg = str(body.get("message", ""))[:500]
                raise RegistryError(self._clean(f"registry {self.name} ({self.url}) answered {code}: {msg}"),
                                    r.status_code)
            if r.status_code == 404:
                raise RegistryError(
                    f"{self.url} answered HTTP 404 for the MLflow REST API: it is not an MLflow tracking "
                    "server, or the URL lacks its path prefix", 404
                )
            text = content[:4000].decode(r.encoding or "utf-8", errors="replace")
            snippet = " ".join(re.sub(r"<[^>]*>", " ", text).split())[:200]  # an HTML error page's words
            raise RegistryError(self._clean(f"registry {self.name} ({self.url}) answered HTTP {r.status_code}: {snippet}"),
                                r.status_code)
        if not isinstance(body, dict):
            raise RegistryError(f"{self.url} did not answer like an MLflow tracking server (no JSON from {endpoint})")
        return body

    def _read_body(self, r: requests.Response) -> bytes:
        """The answer's (decoded) bytes, read as they arrive: at most
        :data:`MAX_RESPONSE_BYTES`, within the response timeout, cancellable."""
        deadline = time.monotonic() + self._response_timeout
        read1 = getattr(r.raw, "read1", None)  # urllib3 2: returns as soon as some bytes are in
        chunks = None if read1 is not None else r.iter_content(_CHUNK)
        parts: list[bytes] = []
        size = 0
        while True:
            checkpoint(self.cancel)
            data = read1(_CHUNK, decode_content=True) if read1 is not None else next(chunks, b"")
            if not data:
                return b"".join(parts)
            size += len(data)
            if size > MAX_RESPONSE_BYTES:
                raise RegistryError(f"registry {self.name} ({self.url}) sent an answer larger than "
                                    f"{MAX_RESPONSE_BYTES // 2**20} MB; it is not behaving like an MLflow server")
            if time.monotonic() > deadline:
                raise RegistryUnreachable(self._unreachable(
                    f"its answer did not arrive within {self._response_timeout:g} s"))
            parts.append(data)

    def _unreachable(self, reason: str) -> str:
        who = f"registry {self.name} at {self.url}" if self.name != self.url else f"registry {self.url}"
        return self._clean(f"{who} is unreachable ({reason}); the last pulled copy stays usable")

    def _clean(self, text: str) -> str:
        return redact(text, self._secret)

    def _paged(self, endpoint: str, key: str, cap: int, cancel: Optional[CancelToken],
               post: Optional[dict[str, Any]] = None) -> Iterator[dict[str, Any]]:
        size = min(self.page_size or cap, cap)
        token: Optional[str] = None
        seen: set[str] = set()
        while True:
            checkpoint(cancel)
            params: dict[str, Any] = {"max_results": size}
            if token:
                params["page_token"] = token
            body = self._get(endpoint, params) if post is None else self._post(endpoint, {**post, **params})
            items = body.get(key) or []
            token = body.get("next_page_token") or None
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items) \
                    or not (token is None or isinstance(token, str)):
                raise RegistryError(f"{self.url} did not answer like an MLflow tracking server "
                                    f"(unexpected {key!r} in the answer to {endpoint})")
            yield from items
            if not token:
                return
            if token in seen:  # a server bug must not make the sync loop forever
                raise RegistryError(f"registry {self.name} returned the same page token twice for {endpoint}")
            seen.add(token)

    # ------------------------------------------------------------------ API
    def ping(self) -> float:
        """Round-trip milliseconds of one cheap authenticated call (a one-model search).

        Raises :class:`RegistryUnreachable`, :class:`RegistryAuthError`, :class:`RegistryError`.
        """
        t0 = time.perf_counter()
        self._get("registered-models/search", {"max_results": 1})
        return (time.perf_counter() - t0) * 1000.0

    def iter_registered_models(self, cancel: Optional[CancelToken] = None) -> Iterator[dict[str, Any]]:
        """Every registered model (all pages), as the server returns them."""
        return self._paged("registered-models/search", "registered_models", MAX_MODELS_PAGE, cancel)

    def iter_model_versions(self, cancel: Optional[CancelToken] = None) -> Iterator[dict[str, Any]]:
        """Every model version of every model (all pages), as the server returns them."""
        return self._paged("model-versions/search", "model_versions", MAX_VERSIONS_PAGE, cancel)

    def get_run(self, run_id: str) -> Optional[dict[str, Any]]:
        """The run ``run_id`` (``{"info", "data", "inputs", ...}``), or ``None`` when the
        server no longer has it (``RESOURCE_DOES_NOT_EXIST``) or this user may not read
        it (HTTP 403 on a run when the registry itself was readable)."""
        try:
            return self._get("runs/get", {"run_id": run_id}).get("run")
        except RegistryUnreachable:
            raise
        except RegistryError as exc:
            if exc.status == 403 or (exc.status == 404 and "RESOURCE_DOES_NOT_EXIST" in str(exc)):
                return None
            if isinstance(exc, RegistryAuthError):
                raise
            if "RESOURCE_DOES_NOT_EXIST" in str(exc):
                return None
            raise

    def iter_experiment_ids(self, cancel: Optional[CancelToken] = None) -> Iterator[str]:
        """Ids of every experiment this user may read, deleted ones included (all pages)."""
        for e in self._paged("experiments/search", "experiments", MAX_MODELS_PAGE, cancel, post={"view_type": "ALL"}):
            if e.get("experiment_id") is not None:
                yield str(e["experiment_id"])

    def get_runs(self, run_ids: list[str], *, progress: Optional[ProgressFn] = None,
                 cancel: Optional[CancelToken] = None) -> dict[str, Optional[dict[str, Any]]]:
        """The runs ``run_ids``, fetched in batches of :data:`RUN_BATCH` with
        ``runs/search`` (``attributes.run_id IN (...)`` over every readable experiment,
        deleted runs included) instead of one ``runs/get`` each; any run the search did
        not return is asked for with ``runs/get`` (``None`` when gone or not readable)."""
        out: dict[str, Optional[dict[str, Any]]] = {}
        if not run_ids:
            return out
        exp_ids = list(self.iter_experiment_ids(cancel))
        todo = [r for r in run_ids if _RUN_ID.fullmatch(r)]
        for i in range(0, len(todo), RUN_BATCH):
            batch = todo[i:i + RUN_BATCH]
            report(progress, i / len(run_ids), f"{self.name}: reading run lineage {i + 1}-{i + len(batch)} of {len(run_ids)}")
            flt = "attributes.run_id IN (" + ",".join(f"'{r}'" for r in batch) + ")"
            for j in range(0, len(exp_ids), RUN_BATCH):
                post = {"experiment_ids": exp_ids[j:j + RUN_BATCH], "filter": flt, "run_view_type": "ALL"}
                for run in self._paged("runs/search", "runs", RUN_BATCH, cancel, post=post):
                    rid = (run.get("info") or {}).get("run_id") or (run.get("info") or {}).get("run_uuid")
                    if rid in batch:
                        out[rid] = run
        missing = [r for r in run_ids if r not in out]
        for k, rid in enumerate(missing):
            checkpoint(cancel)
            report(progress, (len(run_ids) - len(missing) + k) / len(run_ids), f"{self.name}: reading run {rid}")
            out[rid] = self.get_run(rid)
        return out

    def fetch(self, *, progress: Optional[ProgressFn] = None, cancel: Optional[CancelToken] = None) -> Fetched:
        """Pull the whole registry: models, versions, aliases, tags, descriptions and
        each version's run lineage (params, metrics, tags, dataset inputs, artifact URI).

        Progress: 0–0.1 models, 0.1–0.2 versions, 0.2–1 runs (:meth:`get_runs`).  Cancellation is checked per page and per run.  Prompts (MLflow
        3 registered models tagged ``mlflow.prompt.is_prompt``) are skipped.
        """
        self.cancel = cancel
        try:
            return self._fetch(progress, cancel)
        except (AttributeError, TypeError, ValueError, KeyError):
            # A field of the wrong type (a string where MLflow sends a list, a number
            # where it sends an object): not an MLflow server, or a broken one.
            raise RegistryError(f"{self.url} did not answer like an MLflow tracking server "
                                "(a field of its answer has the wrong type); nothing was saved") from None
        finally:
            self.cancel = None

    def _fetch(self, progress: Optional[ProgressFn], cancel: Optional[CancelToken]) -> Fetched:
        t0 = time.perf_counter()
        report(progress, 0.0, f"{self.name}: listing registered models")
        models: dict[str, FetchedModel] = {}
        for raw in self.iter_registered_models(cancel):
            doc = model_doc(raw)
            if doc["tags"].get(PROMPT_TAG, "").lower() == "true":
                continue
            models[doc["name"]] = FetchedModel(doc)
        report(progress, 0.1, f"{self.name}: listing model versions of {len(models)} models")
        raw_versions = [v for v in self.iter_model_versions(cancel) if v.get("name") in models]
        run_ids = sorted({v["run_id"] for v in raw_versions if v.get("run_id")})
        runs = self.get_runs(run_ids, progress=scaled(progress, 0.2, 1.0), cancel=cancel)
        n = 0
        for raw in raw_versions:
            rid = raw.get("run_id") or None
            models[raw["name"]].versions.append(version_doc(raw, runs.get(rid) if rid else None, rid))
            n += 1
        for m in models.values():
            m.versions.sort(key=lambda d: _version_key(d["version"]))
        report(progress, 1.0, f"{self.name}: pulled {len(models)} models, {n} versions")
        return Fetched(list(models.values()), n, self.requests, time.perf_counter() - t0)


# ---------------------------------------------------------------------- documents
def _kv(items: Any, key: str = "key", value: str = "value") -> dict[str, Any]:
    """MLflow's ``[{"key": k, "value": v}, ...]`` as a dict sorted by key."""
    out = {}
    for it in items or []:
        if isinstance(it, dict) and key in it:
            out[str(it[key])] = it.get(value)
    return dict(sorted(out.items()))


def _maybe_json(text: Any) -> Any:
    if isinstance(text, str) and text[:1] in ("{", "["):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _version_key(v: str) -> tuple[int, str]:
    return (int(v), "") if str(v).isdigit() else (1 << 62, str(v))


def model_doc(raw: dict[str, Any]) -> dict[str, Any]:
    """The mirrored document of a registered model: name, description, creation time,
    tags and aliases.  ``last_updated_timestamp`` and ``latest_versions`` are left out
    on purpose: both move whenever a version is added (versions are hashed on their
    own), so they would flag the model as changed with nothing of its own changed."""
    aliases = {str(a.get("alias")): str(a.get("version")) for a in raw.get("aliases") or [] if a.get("alias")}
    return {
        "name": str(raw.get("name", "")),
        "description": raw.get("description") or "",
        "creation_timestamp": raw.get("creation_timestamp"),
        "tags": {k: "" if v is None else str(v) for k, v in _kv(raw.get("tags")).items()},
        "aliases": dict(sorted(aliases.items())),
    }


def lineage_doc(run: Optional[dict[str, Any]], run_id: Optional[str]) -> Optional[dict[str, Any]]:
    """The run lineage of a version: run info, params, latest metric values, run tags
    and logged dataset inputs (with their context tag, source, schema and profile
    parsed from MLflow's JSON strings), datasets sorted by (context, name, digest)."""
    if run_id is None:
        return None
    if run is None:
        return {"run": {"run_id": run_id, "missing": True}, "params": {}, "metrics": {}, "tags": {}, "datasets": []}
    info = run.get("info") or {}
    data = run.get("data") or {}
    metrics: dict[str, Any] = {}
    for m in data.get("metrics") or []:
        metrics[str(m.get("key"))] = m.get("value")
    datasets = []
    for di in (run.get("inputs") or {}).get("dataset_inputs") or []:
        ds = di.get("dataset") or {}
        tags = _kv(di.get("tags"))
        datasets.append({
            "name": ds.get("name"),
            "digest": ds.get("digest"),
            "source_type": ds.get("source_type"),
            "source": _maybe_json(ds.get("source")),
            "schema": _maybe_json(ds.get("schema")),
            "profile": _maybe_json(ds.get("profile")),
            "context": tags.get("mlflow.data.context"),
        })
    datasets.sort(key=lambda d: (str(d["context"]), str(d["name"]), str(d["digest"])))
    return {
        "run": {
            "run_id": info.get("run_id") or info.get("run_uuid") or run_id,
            "run_name": info.get("run_name"),
            "experiment_id": info.get("experiment_id"),
            "user_id": info.get("user_id"),
            "status": info.get("status"),
            "start_time": info.get("start_time"),
            "end_time": info.get("end_time"),
            "artifact_uri": info.get("artifact_uri"),
            "lifecycle_stage": info.get("lifecycle_stage"),
        },
        "params": _kv(data.get("params")),
        "metrics": dict(sorted(metrics.items())),
        "tags": _kv(data.get("tags")),
        "datasets": datasets,
    }


def version_doc(raw: dict[str, Any], run: Optional[dict[str, Any]], run_id: Optional[str]) -> dict[str, Any]:
    """The mirrored document of a model version, its run lineage included.
    ``last_updated_timestamp`` is left out (every edit it reflects is in the hashed
    fields) and so are ``aliases`` (hashed with the model, where MLflow keeps them)."""
    return {
        "name": str(raw.get("name", "")),
        "version": str(raw.get("version", "")),
        "creation_timestamp": raw.get("creation_timestamp"),
        "description": raw.get("description") or "",
        "source": raw.get("source"),
        "run_id": run_id,
        "run_link": raw.get("run_link") or "",
        "status": raw.get("status"),
        "current_stage": raw.get("current_stage"),
        "user_id": raw.get("user_id") or "",
        "model_id": raw.get("model_id"),
        "tags": {k: "" if v is None else str(v) for k, v in _kv(raw.get("tags")).items()},
        "lineage": lineage_doc(run, run_id),
    }


def _connection_reason(exc: BaseException) -> str:
    text = str(exc)
    low = text.lower()
    if "name or service not known" in low or "nodename nor servname" in low or "getaddrinfo" in low \
            or "temporary failure in name resolution" in low or "no address associated" in low:
        return "host name not found"
    if "refused" in low:
        return "connection refused"
    if "timed out" in low or "timeout" in low:
        return "connection timed out"
    if "ssl" in low or "certificate" in low:
        return "TLS/certificate error"
    return "connection failed"
