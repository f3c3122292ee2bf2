"""The three regulator-ready reports (issue 6): model audit, model validation, inventory.

Real workspaces (the demo built by ``tollgate demo``, and workspaces built through the
service API), real PDFs parsed back with pypdf, pages rendered with pdftoppm.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest
from pypdf import PdfReader

from console.domain.models import LifecycleStatus, TaskType
from console.services import approvals, findings, governance
from console.services.reports import export_report, gather_model, jsonable, model_evidence
from console.services.workspace import Workspace
from tests.conftest import run_cli

BANK = "Term deposit propensity"
INCOME = "Income eligibility screen"
UNICODE_NAMES = ["Кредитный скоринг — Ольга", "Πιστωτικός κίνδυνος Ωμέγα", "信用评分模型 第二版", "与信スコアリング"]
#: U+12000 CUNEIFORM SIGN A and U+D55C HANGUL SYLLABLE HAN: in neither bundled font.
UNKNOWN = "Model \U00012000 한"


def _pages(path: Path) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(str(path)).pages]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _evidence(path: Path) -> dict:
    att = PdfReader(str(path)).attachments
    assert list(att) == ["tollgate-evidence.json"]
    return json.loads(att["tollgate-evidence.json"][0].decode("utf-8"))


def _copy(src: Path, dst: Path) -> Path:
    shutil.copy2(src, dst)
    for suffix in ("-wal", "-shm"):
        side = src.with_name(src.name + suffix)
        if side.exists():
            shutil.copy2(side, dst.with_name(dst.name + suffix))
    return dst


def _toc(pages: list[str]) -> list[tuple[str, int]]:
    """(title, page) of the contents entries: pypdf extracts each entry as a line of dot
    leaders ending in the page number, followed by the title line."""
    out: list[tuple[str, int]] = []
    for text in pages[1:4]:
        if "Contents" not in text and out:
            break
        lines = [ln.strip() for ln in text.splitlines()]
        pending = None
        for ln in lines:
            m = re.fullmatch(r"[.\s]*\.\s*(\d+)", ln)
            if m:
                pending = int(m.group(1))
            elif pending is not None and ln:
                out.append((ln, pending))
                pending = None
    return out


# ----------------------------------------------------------------------------- demo workspace


@pytest.fixture(scope="module")
def audit_pdf(demo_workspace, tmp_path_factory):
    """The audit report of the demo's tier-1 Income model (a private workspace copy)."""
    folder = tmp_path_factory.mktemp("audit")
    ws_path = _copy(demo_workspace, folder / "ws.sqlite")
    with Workspace.open(ws_path) as ws:
        # the Model Risk Manager accepts the open high-severity findings (closing them, with a reason),
        # then a signed approval (development -> validation), so the report has signatures to print
        mrm = governance.get_user(ws, "sofia")
        for f in findings.list_findings(ws, model=INCOME, state="open"):
            findings.close_finding(ws, f.id, by=mrm, reason="risk accepted for the pilot (MRM memo 7)")
        r = approvals.request_approval(ws, INCOME, 1, login="mateo", password="demo-mateo", reason="ready for MRM",
                                       to_status="validation")
        for login, meaning in (("yusuf", "reviewed"), ("priya", "approved"), ("sofia", "approved")):
            approvals.sign(ws, r.id, login=login, password=f"demo-{login}", meaning=meaning, reason="checked")
        head_before = ws.verify_audit_chain().head_hash
        out = export_report(ws, "audit", INCOME, None, folder / "income.pdf", actor="Report Reader")
        detail = ws.get_model(INCOME)
        requests = approvals.list_requests(ws, state=None, model=INCOME)
    return out, ws_path, head_before, detail, requests


def test_toc_page_numbers_match_the_sections(audit_pdf):
    out, _, _, _, _ = audit_pdf
    pages = _pages(out)
    assert out.pages == len(pages) and len(pages) > 10
    toc = _toc(pages)
    titles = [t for t, _ in toc]
    for expected in ("1 Model card", "2 Versions and lineage", "3 Hyperparameters", "4 Validation results",
                     "5 Check evidence", "6 Fairness", "7 Drift monitoring", "8 Findings",
                     "9 Roles and responsibilities (RACI)", "10 Approval requests and electronic signatures",
                     "11 Audit trail", "Appendix A Regulatory mapping"):
        assert expected in titles, (expected, titles)
    sections = {_flat(s["title"]): s["page"] for s in _evidence(out)["report"]["sections"]}
    checked = 0
    for title, page in toc:
        if not re.match(r"^(\d+ |Appendix A)", title):
            continue
        assert _flat(title) in _flat(pages[page - 1]), (title, page)  # the heading is on that page
        assert sections[_flat(title)] == page  # and the attachment cites the same page
        checked += 1
    assert checked >= 12


def test_attachment_matches_the_database(audit_pdf):
    out, _, head_before, detail, requests = audit_pdf
    doc = _evidence(out)
    assert doc["kind"] == "audit" and doc["model"]["name"] == INCOME
    # check results: exactly what the database holds, run by run
    assert [r["id"] for r in doc["validation_runs"]] == [r.id for r in detail.validation_runs]
    for got, run in zip(doc["validation_runs"], detail.validation_runs):
        assert got["checks"] == [jsonable(c.to_json()) for c in run.checks]
        assert got["passed"] == run.passed and got["data_sha256"] == run.data_sha256
    # signatures: printed name, time, meaning, record hash of every signature
    assert requests and any(r.signatures for r in requests)
    assert [r["id"] for r in doc["approval_requests"]] == [r.id for r in requests]
    for got, req in zip(doc["approval_requests"], requests):
        assert got["signatures"] == [s.to_json() for s in req.signatures]
    # the head printed in the report is the head at generation time, and it is printed
    assert doc["audit"]["head_hash"] == head_before
    assert head_before in "".join("".join(_pages(out)).split())
    assert doc["audit"]["chain"]["intact"] is True
    # the mapping in the attachment is the appendix: statuses and gaps computed, pages cited
    mapping = doc["regulatory_mapping"]
    assert {m["framework"] for m in mapping} == {"SR 11-7", "PRA SS1/23", "EU AI Act Annex IV", "21 CFR Part 11"}
    assert len([m for m in mapping if m["framework"] == "EU AI Act Annex IV"]) == 9
    annex7 = next(m for m in mapping if m["framework"] == "EU AI Act Annex IV" and m["ref"] == "7")
    assert annex7["status"] == "gap" and annex7["gaps"]
    p11 = next(m for m in mapping if m["ref"] == "§11.50")
    assert p11["status"] == "evidenced" and all(w["page"] for w in p11["evidenced_in"])


def test_sections_metadata_and_pdfa_parts(audit_pdf):
    out, _, _, detail, _ = audit_pdf
    reader = PdfReader(str(out))
    flat = _flat("\n".join(_pages(out)))
    for needle in ("Model audit report", "Risk tier assessment", "Lineage fingerprints", "Check evidence",
                   "Measured value", "What it checks", "Method / threshold source", "Fairness",
                   "Latest window", "Findings", "Roles and responsibilities", "RACI",
                   "Approval requests and electronic signatures", "AUTHORED", "Audit chain verification", "INTACT",
                   "Regulatory mapping", "SR 11-7", "PRA SS1/23", "EU AI Act Annex IV", "§11.10(e)", "§11.200"):
        assert needle in flat, needle
    assert "✓ PASS" in flat and ("✗ FAIL" in flat or "✗ ERROR" in flat)
    meta = reader.metadata
    assert meta.title == f"Model audit report: {INCOME}"
    assert "Tollgate" in meta.author and INCOME in meta.subject and "SR 11-7" in meta["/Keywords"]
    assert meta.creation_date is not None and meta.creation_date.tzinfo is not None
    root = reader.trailer["/Root"]
    stream = root["/Metadata"].get_object()
    assert (stream.get("/Type"), stream.get("/Subtype")) == ("/Metadata", "/XML")  # ISO 19005 §6.7.2
    xmp = stream.get_data().decode("utf-8")
    assert "<pdfaid:part>3</pdfaid:part>" in xmp and "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    assert INCOME in xmp
    intent = root["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFA1" and len(intent["/DestOutputProfile"].get_object().get_data()) > 400
    af = root["/AF"][0].get_object()
    assert af["/AFRelationship"] == "/Data" and af["/UF"] == "tollgate-evidence.json"
    # every font is embedded
    for page in reader.pages:
        for f in ((page.get("/Resources") or {}).get("/Font") or {}).values():
            f = f.get_object()
            desc = f.get("/FontDescriptor") or f["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            assert any(k in desc.get_object() for k in ("/FontFile2", "/FontFile3")), f


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")
def test_every_page_renders_and_none_is_blank(audit_pdf, tmp_path):
    out = audit_pdf[0]
    subprocess.run(["pdftoppm", "-r", "20", "-gray", "-png", str(out), str(tmp_path / "pg")], check=True,
                   capture_output=True, timeout=300)
    pngs = sorted(tmp_path.glob("pg-*.png"))
    assert len(pngs) == out.pages
    from PIL import Image

    for p in pngs:
        with Image.open(p) as im:
            hist = im.convert("L").histogram()
        dark = sum(hist[:200])  # pixels clearly not white
        # beyond the header and footer rules, a page with content has many more
        assert dark > 400, (p.name, dark)


def test_validation_report_and_determinism(demo_workspace, tmp_path):
    ws_path = _copy(demo_workspace, tmp_path / "ws.sqlite")
    from console.reports.audit import build_model_report

    with Workspace.open(ws_path) as ws:
        data = gather_model(ws, f"{BANK}@1")
    assert data.version == 1
    texts, docs = [], []
    for i, when in enumerate((datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
                              datetime(2026, 6, 7, 8, 9, 10, tzinfo=timezone.utc))):
        res = build_model_report("validation", data.detail, tmp_path / f"v{i}.pdf",
                                 workspace_label=data.workspace_label, generated_at=when, version=data.version,
                                 audit_chain=data.chain, governance=data.governance,
                                 evidence=model_evidence("validation", data, when))
        stamp = when.strftime("%Y-%m-%d %H:%M:%S")
        text = "\n".join(_pages(res.path))
        assert stamp in text
        texts.append(text.replace(stamp, "<generated>"))
        doc = _evidence(res.path)
        assert doc.pop("generated_at") == when.isoformat()
        docs.append(doc)
    assert texts[0] == texts[1]
    assert docs[0] == docs[1]
    flat = _flat(texts[0])
    assert "Model validation report" in flat and "Validated version" in flat and "Validation history" in flat
    assert data.chain.head_hash in "".join(texts[0].split())


def test_cli_validation_and_inventory_reports(demo_workspace, tmp_path):
    ws_path = _copy(demo_workspace, tmp_path / "ws.sqlite")
    out = tmp_path / "val.pdf"
    proc = run_cli("report", f"{BANK}@champion", "--kind", "validation", "-o", str(out), "--json",
                   workspace=ws_path)
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["kind"] == "validation" and info["pages"] == len(PdfReader(str(out)).pages)
    assert info["head_hash"] in "".join("".join(_pages(out)).split())
    inv = tmp_path / "inv.pdf"
    proc = run_cli("report", "--inventory", "--tier", "2", "-o", str(inv), workspace=ws_path)
    assert proc.returncode == 0, proc.stderr
    flat = _flat("\n".join(_pages(inv)))
    with Workspace.open(ws_path) as ws:
        models = ws.list_models()
        last = ws.get_model(BANK).audit_events[-1]
    assert last.action == "report.exported" and last.new["kind"] == "validation"
    for m in models:
        assert (m.name in flat) == (m.risk_tier == 2), m.name
    assert "filter: tier = 2" in flat.lower() or "tier = 2" in flat
    for args, msg in ((["report", "--inventory", BANK, "-o", str(inv)], "drop NAME"),
                      (["report", BANK, "--tier", "1", "-o", str(inv)], "add --inventory"),
                      (["report", "-o", str(inv)], "NAME[@VERSION]"),
                      (["report", "--inventory", "--status", "sleeping", "-o", str(inv)], "--status must be")):
        proc = run_cli(*args, workspace=ws_path)
        assert proc.returncode == 2 and msg in proc.stderr and "Traceback" not in proc.stderr, (args, proc.stderr)


# ----------------------------------------------------------------------------- many models, Unicode


@pytest.fixture(scope="module")
def many_models(tmp_path_factory) -> Path:
    """A workspace with 130 models (Unicode names among them) registered through the API."""
    path = tmp_path_factory.mktemp("many") / "many.sqlite"
    with Workspace.open(path) as ws:
        for i in range(126):
            ws.register_model(name=f"inventory-model-{i:03d}", owner=f"owner {i % 7}", risk_tier=1 + i % 3,
                              task=TaskType.CLASSIFICATION, status=list(LifecycleStatus)[i % 5], actor="seeder")
        for name in UNICODE_NAMES:
            ws.register_model(name=name, owner="Ζωή Ελευθερίου", risk_tier=1, task=TaskType.REGRESSION,
                              description="模型说明：用于测试 Unicode", actor="seeder")
    return path


def test_inventory_over_many_models_table_split_with_header(many_models, tmp_path):
    with Workspace.open(many_models) as ws:
        out = export_report(ws, "inventory", path=tmp_path / "inv.pdf", actor="auditor")
    pages = _pages(out)
    text = "\n".join(pages)
    nows = re.sub(r"\s+", "", text)  # a long name wraps inside its cell
    for i in range(126):
        assert f"inventory-model-{i:03d}" in nows, i
    for name in UNICODE_NAMES:  # Cyrillic, Greek, CJK names extract back as the same text
        assert name in _flat(text), name
    assert "Ζωή Ελευθερίου" in _flat(text)
    doc = _evidence(out)
    sec = {s["key"]: s["page"] for s in doc["report"]["sections"]}
    table_pages = pages[sec["sec-inv-table"] - 1:sec["sec-inv-findings"] - 1]
    assert len(table_pages) >= 3
    assert all("Revalidation due" in _flat(p) for p in table_pages)  # header repeated on every page of the table
    assert len(doc["models"]) == 130 and doc["report"]["pages"] == len(pages)
    never = next(m for m in doc["regulatory_mapping"] if m["ref"] == "V" and m["framework"] == "SR 11-7")
    assert never["status"] == "partial" and "130 model(s) never validated" in never["gaps"][0]
    assert out.warnings == []
    fonts = {str(f.get_object()["/BaseFont"]) for p in PdfReader(str(out)).pages
             for f in ((p.get("/Resources") or {}).get("/Font") or {}).values()}
    assert any("DroidSansFallback" in f for f in fonts) and any("DejaVuSans" in f for f in fonts)


def test_filtered_inventory(many_models, tmp_path):
    with Workspace.open(many_models) as ws:
        out = export_report(ws, "inventory", path=tmp_path / "t1.pdf", filters={"tier": 1, "status": "development"},
                            actor="auditor")
    doc = _evidence(out)
    assert doc["filters"] == {"tier": [1], "status": ["development"]}
    assert doc["models"] and all(m["risk_tier"] == 1 and m["status"] == "development" for m in doc["models"])


def test_unknown_glyph_gives_placeholder_and_warning(many_models, tmp_path):
    ws_path = _copy(many_models, tmp_path / "ws.sqlite")
    with Workspace.open(ws_path) as ws:
        ws.register_model(name=UNKNOWN, owner="Ann Example", risk_tier=3, task=TaskType.CLASSIFICATION, actor="seeder")
    out = tmp_path / "u.pdf"
    proc = run_cli("report", UNKNOWN, "-o", str(out), workspace=ws_path)
    assert proc.returncode == 0, proc.stderr
    assert "warning:" in proc.stderr and "U+12000" in proc.stderr and "U+D55C" in proc.stderr
    text = _flat("\n".join(_pages(out)))
    assert "Model \ufffd \ufffd" in text and "\U00012000" not in text
    assert any("U+12000" in w for w in _evidence(out)["report"]["warnings"])


def test_giant_cell_does_not_abort(many_models, tmp_path):
    ws_path = _copy(many_models, tmp_path / "ws.sqlite")
    blob = "".join(f"{i:064x}" for i in range(900))  # 57,600 characters with no space
    story = ("Intended for screening. " * 1200).strip()
    with Workspace.open(ws_path) as ws:
        ws.register_model(name="giant-cell", owner="Ann Example", risk_tier=2, task=TaskType.CLASSIFICATION,
                          description=blob, intended_use=story, actor="seeder")
        out = export_report(ws, "audit", "giant-cell", path=tmp_path / "g.pdf", actor="auditor")
    pages = _pages(out)
    # page bodies without the running header (2 lines) and footer (from "Page N of M")
    bodies = ["\n".join(p.split("\n")[2:]).split(f"Page {i} of {len(pages)}")[0] for i, p in enumerate(pages, 1)]
    joined = "".join("".join(b.split()) for b in bodies)
    assert blob in joined  # every character, the cell continued over several pages
    assert out.pages > 8
