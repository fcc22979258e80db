"""Locate and load the editable rule data (YAML files under ``rules/``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError


def packaged_rules_dir() -> Path:
    """The rules shipped with the tool: inside the wheel, or the checkout's ``rules/``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "rules", here.parents[1] / "rules"):
        if candidate.is_dir():
            return candidate
    raise ConfigError("rules", "rules", "找不到内置规则目录，请重新安装 wenshan-audit")


@lru_cache(maxsize=64)
def _load(path: Path, mtime: float) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark else "未知位置"
        raise ConfigError(path, where, f"YAML 格式错误：{exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(path, "-", "规则文件须为 UTF-8 编码") from None


def load_rules(rules_dir: Path, name: str) -> Any:
    """Load ``rules_dir/name`` (e.g. ``burden.yaml``), falling back to the packaged copy.

    A user's rules directory may hold only the files they changed.
    """
    path = rules_dir / name
    if not path.is_file():
        path = packaged_rules_dir() / name
    if not path.is_file():
        raise ConfigError(rules_dir, name, "规则文件不存在")
    return _load(path.resolve(), path.stat().st_mtime)
