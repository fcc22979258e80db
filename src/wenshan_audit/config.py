"""Configuration: ``wenshan-audit.toml`` or ``[tool.wenshan-audit]`` in ``pyproject.toml``.

Discovered from the current directory upwards, like ruff: the closest file wins.
The schema is :data:`TOP_LEVEL` plus :data:`SECTIONS`: a key that is neither is
an error naming the nearest valid one. Each section is parsed by the function
its owning module provides, and :meth:`Config.parsed` runs it once per config;
:func:`load` parses every section present, so any mistake in the file is
reported before anything runs.
"""

from __future__ import annotations

import difflib
import importlib
import sys
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .ruleset import packaged_rules_dir

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

CONFIG_NAME = "wenshan-audit.toml"
FAIL_ON = ("error", "warning", "info", "never")
#: top-level keys that are not sections
TOP_LEVEL = ("fail_on", "rules", "select", "ignore")
#: section -> "module:function" (under the package) that parses and validates it
SECTIONS: dict[str, str] = {
    "reference": "checks.copying.check:parse_settings",
    "burden": "checks.burden:settings",
    "measures": "checks.measures:settings",
    "quota": "checks.quota.config:parse",
    "audit": "batch:section",
    "hook": "hook:settings",
    "waivers": "waivers:load",
}


@dataclass(frozen=True)
class Config:
    """Parsed configuration. ``root`` anchors every relative path in the file."""

    path: Path | None = None
    data: dict[str, Any] = field(default_factory=dict)
    _parsed: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def parsed(self, name: str) -> Any:
        """Section ``name`` parsed by its owning module (once per config)."""
        if name not in self._parsed:
            module, function = SECTIONS[name].split(":")
            parser = getattr(importlib.import_module(f"{__package__}.{module}"), function)
            self._parsed[name] = parser(self)
        return self._parsed[name]

    def validate(self) -> Config:
        """Raise ConfigError for the first mistake anywhere in the file; return self."""
        reject_unknown(self.data, (*TOP_LEVEL, *SECTIONS), "", self.source, what="顶层键")
        self.fail_on  # noqa: B018 - validates
        self.rules_dir  # noqa: B018 - validates
        for key in ("select", "ignore"):
            self.get_list("", key)
        for name in SECTIONS:
            if name in self.data:
                self.parsed(name)
        return self

    @property
    def root(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def section(self, name: str, allowed: Collection[str] | None = None) -> dict[str, Any]:
        """The table ``[name]``; with ``allowed``, an unknown key is a ConfigError."""
        value = self.data.get(name, {})
        if not isinstance(value, dict):
            raise ConfigError(self.source, name, "应为一个表（[section]）")
        if allowed is not None:
            reject_unknown(value, allowed, f"{name}.", self.source)
        return value

    @property
    def source(self) -> str:
        return str(self.path) if self.path else "默认配置"

    def resolve(self, value: str | Path) -> Path:
        """A path from the config file, relative to the file's directory."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.root / path

    @property
    def rules_dir(self) -> Path:
        value = self.data.get("rules")
        if value is None:
            return packaged_rules_dir()
        return self.existing(value, "rules", "规则目录", folder=True)

    def existing(self, value: Any, key: str, what: str, folder: bool = False) -> Path:
        """The path ``value`` of ``key``, resolved; a ConfigError unless it names an existing
        file (or folder)."""
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(self.source, key, f"应为{what}的路径（字符串）")
        path = self.resolve(value)
        if not (path.is_dir() if folder else path.is_file()):
            raise ConfigError(
                self.source,
                key,
                f"{what} {path} 不存在{'或不是文件夹' if folder else ''}；"
                "请检查路径（相对于配置文件所在目录）",
            )
        return path

    @property
    def fail_on(self) -> str:
        value = self.data.get("fail_on", "error")
        if value not in FAIL_ON:
            raise ConfigError(self.source, "fail_on", f"取值应为 {' / '.join(FAIL_ON)}")
        return value

    def fail_on_for(self, override: str | None = None, section: str | None = None) -> str:
        """The fail-on threshold of a command: ``override`` (the command line), else
        ``[section] fail_on``, else the top-level ``fail_on``."""
        if override is not None:
            return override
        if section is not None and "fail_on" in self.section(section):
            value = self.section(section)["fail_on"]
            if value not in FAIL_ON:
                raise ConfigError(
                    self.source, f"{section}.fail_on", f"取值应为 {' / '.join(FAIL_ON)}"
                )
            return value
        return self.fail_on

    def get_list(self, section: str, key: str) -> list[str]:
        value = self.section(section).get(key, []) if section else self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(self.source, f"{section}.{key}" if section else key, "应为字符串列表")
        return value


def reject_unknown(
    table: dict[str, Any],
    allowed: Collection[str],
    prefix: str,
    source: Path | str,
    what: str = "键",
) -> None:
    """Raise ConfigError naming (``prefix`` + key) the first key of ``table`` not in ``allowed``,
    with the nearest allowed key."""
    unknown = sorted(set(table) - set(allowed), key=str)
    if unknown:
        key = str(unknown[0])
        close = difflib.get_close_matches(key, [str(a) for a in allowed], n=1, cutoff=0.6)
        hint = f"您是不是要找 {prefix}{close[0]}？" if close else ""
        raise ConfigError(
            source,
            f"{prefix}{key}",
            f"未知的{what} {key}。{hint}可用的{what}：{'、'.join(sorted(allowed))}",
        )


def discover(start: Path | None = None) -> Path | None:
    """The closest config file from ``start`` upwards, or None."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "wenshan-audit" in _parse(pyproject).get("tool", {}):
            return pyproject
    return None


def _parse(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(path, "-", f"无法读取配置文件：{exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")  # Notepad writes a BOM
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            path,
            "-",
            f"配置文件须为 UTF-8 编码，第 {line} 行含有非 UTF-8 字节（可能是用 GBK/ANSI 保存的）。"
            "请在记事本或 WPS 中“另存为”，编码选 UTF-8 后重试",
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, "-", f"TOML 格式错误：{exc}") from None


def load(path: Path | None = None, start: Path | None = None) -> Config:
    """Load an explicit config file, or discover one; no file gives the defaults."""
    if path is not None and not path.is_file():
        raise ConfigError(path, "-", "配置文件不存在，请检查 --config 参数")
    found = path or discover(start)
    if found is None:
        return Config()
    data = _parse(found)
    if found.name == "pyproject.toml":
        data = data.get("tool", {}).get("wenshan-audit", {})
    return Config(path=found.resolve(), data=data).validate()
