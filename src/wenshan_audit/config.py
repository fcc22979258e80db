"""Configuration: ``wenshan-audit.toml`` or ``[tool.wenshan-audit]`` in ``pyproject.toml``.

Discovered from the current directory upwards, like ruff: the closest file wins.
Each concept module validates its own section (``config.section("quota")``);
this module only finds, parses and resolves paths.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class Config:
    """Parsed configuration. ``root`` anchors every relative path in the file."""

    path: Path | None = None
    data: dict[str, Any] = field(default_factory=dict)

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
        return self.resolve(value) if value else packaged_rules_dir()

    @property
    def fail_on(self) -> str:
        value = self.data.get("fail_on", "error")
        if value not in FAIL_ON:
            raise ConfigError(self.source, "fail_on", f"取值应为 {' / '.join(FAIL_ON)}")
        return value

    def get_list(self, section: str, key: str) -> list[str]:
        value = self.section(section).get(key, []) if section else self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(self.source, f"{section}.{key}" if section else key, "应为字符串列表")
        return value


def reject_unknown(
    table: dict[str, Any], allowed: Collection[str], prefix: str, source: Path | str
) -> None:
    """Raise ConfigError naming (``prefix`` + key) the first key of ``table`` not in ``allowed``."""
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise ConfigError(
            source, f"{prefix}{unknown[0]}", f"未知的键；可用的键：{'、'.join(sorted(allowed))}"
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
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, "-", f"TOML 格式错误：{exc}") from None
    except OSError as exc:
        raise ConfigError(path, "-", f"无法读取配置文件：{exc.strerror}") from None


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
    return Config(path=found.resolve(), data=data)
