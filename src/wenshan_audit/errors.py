"""The tool's error types. Every message is Chinese and says what to do."""

from __future__ import annotations

from pathlib import Path


class WenshanError(Exception):
    """An error the user can fix; the CLI prints it and exits with 2."""


class ReadError(WenshanError):
    """A file could not be turned into a Document."""

    def __init__(self, path: Path, problem: str, remedy: str = "") -> None:
        self.path = path
        self.problem = problem
        self.remedy = remedy
        super().__init__(self.message)

    @property
    def message(self) -> str:
        text = f"无法读取 {self.path}：{self.problem}"
        return f"{text}。{self.remedy}" if self.remedy else text


class ConfigError(WenshanError):
    """The configuration file (or a rules file) is invalid."""

    def __init__(self, source: Path | str, key: str, problem: str) -> None:
        self.source = source
        self.key = key
        super().__init__(f"配置错误（{source}，键 {key}）：{problem}")


class ClassifiedError(ReadError):
    """The document carries a 密级 marking: it must not be processed on this computer.

    Raised at read time, before any consumer (audit, index, ledger, cache, report)
    sees the text; the message names the marking and nothing else of the document.
    """

    def __init__(self, path: Path, marking: str) -> None:
        self.marking = marking
        super().__init__(
            path,
            f"文件标有密级“{marking}”，属于涉密文件，已停止处理，未保存其任何内容",
            "涉密文件不得在非涉密计算机上处理；请按保密规定在涉密计算机上审核",
        )
