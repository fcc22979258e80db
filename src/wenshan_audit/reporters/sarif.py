"""SARIF 2.1.0 for code-scanning systems.

``columnKind`` is ``unicodeCodePoints`` because offsets index Python strings;
lines split ``Document.text`` at ``\\n`` (for Word and PDF files a line is a
paragraph). Files that could not be read become tool execution notifications.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .. import __version__
from ..model import AuditResult, Finding, Severity
from ..rulebook import Rule, check_label
from . import ReportOptions
from .positions import line_column, relative_uri

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _rule(rule_id: str, rule: Rule | None, first: Finding) -> dict[str, Any]:
    """The rulebook's entry; a rule the rulebook lacks is described by its first finding."""
    check = rule_id.split(".", 1)[0]
    title = rule.title if rule else rule_id
    return {
        "id": rule_id,
        "name": rule_id.replace(".", "/"),
        "shortDescription": {"text": f"{check_label(rule_id)}：{title}"},
        "fullDescription": {"text": rule.explanation if rule else first.message},
        "defaultConfiguration": {"level": LEVEL[rule.severity if rule else first.severity]},
        "properties": {"tags": [check], **({"clause": rule.clause} if rule else {})},
    }


def _region(text: str, finding: Finding) -> dict[str, Any]:
    start, end = finding.start, max(finding.start, finding.end)
    line, column = line_column(text, start)
    end_line, end_column = line_column(text, end)
    region: dict[str, Any] = {
        "startLine": line,
        "startColumn": column,
        "endLine": end_line,
        "endColumn": end_column,
        "charOffset": start,
        "charLength": end - start,
    }
    snippet = text[start:end]
    if snippet:
        region["snippet"] = {"text": snippet}
    return region


def _fingerprint(uri: str, finding: Finding) -> str:
    key = f"{uri}\0{finding.rule}\0{finding.text}".encode()
    return hashlib.sha256(key).hexdigest()[:32]


def as_dict(result: AuditResult) -> dict[str, Any]:
    rules: dict[str, int] = {}
    descriptors: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    for doc in result.documents:
        uri = relative_uri(doc.document.path)
        for finding in doc.findings:
            if finding.rule not in rules:
                rules[finding.rule] = len(descriptors)
                descriptors.append(_rule(finding.rule, result.rules.get(finding.rule), finding))
            results.append(
                {
                    "ruleId": finding.rule,
                    "ruleIndex": rules[finding.rule],
                    "level": LEVEL[finding.severity],
                    "message": {"text": finding.message},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {"uri": uri},
                                "region": _region(doc.document.text, finding),
                            }
                        }
                    ],
                    "partialFingerprints": {"wenshanHash/v1": _fingerprint(uri, finding)},
                    "properties": {"evidence": finding.evidence} if finding.evidence else {},
                }
            )
    notifications = [
        {
            "level": "error",
            "message": {"text": failure.message},
            "locations": [
                {"physicalLocation": {"artifactLocation": {"uri": relative_uri(failure.path)}}}
            ],
        }
        for failure in result.failures
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "wenshan-audit",
                "version": __version__,
                "rules": descriptors,
            }
        },
        "columnKind": "unicodeCodePoints",
        "invocations": [
            {
                "executionSuccessful": not result.failures,
                "toolExecutionNotifications": notifications,
            }
        ],
        "results": results,
    }
    if result.batch:
        run["properties"] = {"batch": result.batch}
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render(result: AuditResult, options: ReportOptions) -> str:
    return json.dumps(as_dict(result), ensure_ascii=False, indent=2) + "\n"
