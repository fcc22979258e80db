"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` per finding.

Lines and columns come from the finding's offsets into the document text
(paragraph = line for Word and PDF files); see the workflow-command syntax for
the escaping of ``%``, CR, LF and, in properties, ``:`` and ``,``.
"""

from __future__ import annotations

from ..model import AuditResult, Severity
from . import ReportOptions
from .positions import line_column, relative_uri

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(value: str) -> str:
    return _data(value).replace(":", "%3A").replace(",", "%2C")


def render(result: AuditResult, options: ReportOptions) -> str:
    lines = []
    for doc in result.documents:
        path = relative_uri(doc.document.path, encode=False)
        text = doc.document.text
        for f in doc.findings:
            line, col = line_column(text, f.start)
            end_line, end_col = line_column(text, max(f.start, f.end))
            props = (
                f"file={_prop(path)},line={line},col={col},endLine={end_line},endColumn={end_col}"
            )
            props += f",title={_prop(f.rule)}"
            lines.append(f"::{COMMAND[f.severity]} {props}::{_data(f.message)}")
    for failure in result.failures:
        path = relative_uri(failure.path, encode=False)
        lines.append(f"::error file={_prop(path)},title=read::{_data(failure.message)}")
    return "".join(line + "\n" for line in lines)
