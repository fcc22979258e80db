"""The seam between the ``copy`` check and where the reference index lives.

The check needs four things from an index: the boilerplate stoplist, candidate
sources for a draft (its winnowing fingerprints looked up), the stored texts of
those sources, and statistics. The embedded on-disk :class:`~.index.Index` and the shared
:class:`~.redis_backend.RedisIndex` both provide them; :func:`open_configured`
picks the backend named in ``[reference] backend``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    from pathlib import Path

    from ...config import Config
    from .index import Source, Writer
    from .normalise import Normalised
    from .redis_backend import RedisWriter

BACKENDS = ("embedded", "redis")
DEFAULT_NAME = "default"


class ReferenceIndex(Protocol):
    """What the ``copy`` check reads from a reference index (one consistent version)."""

    stoplist: np.ndarray

    def retrieve(self, norm: Normalised, limit: int) -> list[int]: ...

    def sources(self, ids: Iterable[int]) -> list[Source]: ...

    def stats(self) -> dict[str, Any]: ...

    def close(self) -> None: ...


def backend_of(config: Config) -> str:
    from ...errors import ConfigError

    value = config.section("reference").get("backend", "embedded")
    if value not in BACKENDS:
        raise ConfigError(
            config.source, "reference.backend", f"取值应为 {' / '.join(BACKENDS)}，实际为 {value!r}"
        )
    return value


def redis_target(config: Config) -> tuple[str, str]:
    """``(url, name)`` of the shared index from ``[reference] url`` and ``name``."""
    from ...errors import ConfigError

    section = config.section("reference")
    url = section.get("url")
    if not isinstance(url, str) or not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(
            config.source,
            "reference.url",
            'backend = "redis" 时须给出 Redis 地址，如 url = "redis://文库服务器:6379/0"',
        )
    name = section.get("name", DEFAULT_NAME)
    if not isinstance(name, str) or not name or any(c in name for c in " :{}"):
        raise ConfigError(
            config.source, "reference.name", '应为不含空格、冒号和花括号的索引名，如 "省级文库"'
        )
    return url, name


def open_configured(config: Config) -> ReferenceIndex | None:
    """The shared index when ``[reference] backend = "redis"``, else None (embedded)."""
    if backend_of(config) != "redis":
        return None
    from .redis_backend import RedisIndex

    url, name = redis_target(config)
    return RedisIndex(url, name)


def open_writer(config: Config, path: Path) -> Writer | RedisWriter:
    """The writer ``index build/update`` use: the shared index, or the directory ``path``."""
    if backend_of(config) == "redis":
        from .redis_backend import RedisWriter

        return RedisWriter(*redis_target(config))
    from .index import Writer

    return Writer(path)
