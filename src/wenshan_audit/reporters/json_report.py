"""Machine-readable JSON: the stable output contract documented in the README."""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..model import AuditResult, DocumentResult, Severity
from . import ReportOptions

SCHEMA_VERSION = 1


def document_dict(result: DocumentResult) -> dict[str, Any]:
    doc = result.document
    data: dict[str, Any] = {
        "path": str(doc.path),
        "metadata": doc.meta.to_dict(),
        "characters": len(doc.text),
        "warnings": list(doc.warnings),
        "findings": [f.to_dict() for f in result.findings],
    }
    if result.waived:
        data["waived"] = [f.to_dict() for f in result.waived]
    data.update(result.sections)
    return data


def summary(result: AuditResult) -> dict[str, Any]:
    return {
        "documents": len(result.documents),
        "failures": len(result.failures),
        "errors": result.count(Severity.ERROR),
        "warnings": result.count(Severity.WARNING),
        "infos": result.count(Severity.INFO),
    }


def as_dict(result: AuditResult) -> dict[str, Any]:
    data: dict[str, Any] = {
        "tool": "wenshan-audit",
        "version": __version__,
        "schema": SCHEMA_VERSION,
        "documents": [document_dict(d) for d in result.documents],
        "failures": [{"path": str(f.path), "message": f.message} for f in result.failures],
        "summary": summary(result),
    }
    if result.batch:
        data["batch"] = result.batch
    return data


def render(result: AuditResult, options: ReportOptions) -> str:
    return json.dumps(as_dict(result), ensure_ascii=False, indent=2) + "\n"
