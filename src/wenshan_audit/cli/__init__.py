"""Command-line shell (typer + rich): options -> config -> library -> reporters -> exit code.

Each command group lives in its own module and is registered here with one line.
Library errors (:class:`WenshanError`) become a Chinese message and exit code 2.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from ..audit import EXIT_CLEAN, EXIT_ERROR
from ..errors import WenshanError

app = typer.Typer(
    name="wenshan-audit",
    help="公文审核工具：检查拟发文件是否照搬上级文件、有无具体落实措施、是否违反基层减负负面清单、是否超出发文限额。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="配置文件路径（默认从当前目录向上查找 wenshan-audit.toml 或 pyproject.toml）",
    ),
]


def _stream_encoding_safe() -> None:
    """Never die on a console that cannot show a character (e.g. a GBK console)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def table_console(to_file: bool) -> Console:
    """Console for tables: recorded when going to a file, wide enough when piped.

    Piped output has no terminal width; rich would squeeze Chinese tables into
    80 columns and truncate every header, so give it room instead.
    """
    if to_file:
        return Console(highlight=False, record=True, file=io.StringIO(), width=160)
    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=160)
    return console


def err_console() -> Console:
    return Console(stderr=True, highlight=False)


def fail(message: str) -> typer.Exit:
    """Print a Chinese error to stderr and return the exit to raise."""
    from rich.markup import escape  # messages quote config keys such as [quota], not markup

    err_console().print(f"[bold red]错误：[/]{escape(message)}", markup=True, soft_wrap=True)
    return typer.Exit(EXIT_ERROR)


F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(func: F) -> F:
    """Turn library errors into a Chinese message and exit code 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except WenshanError as exc:
            raise fail(str(exc)) from None
        except KeyboardInterrupt:
            raise fail("已中断（Ctrl-C）。") from None
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - never show a traceback to office staff
            if os.environ.get("WENSHAN_DEBUG"):
                raise
            raise fail(
                f"内部错误（{type(exc).__name__}：{exc}）。"
                "请设置环境变量 WENSHAN_DEBUG=1 重新运行以获得详细信息，并反馈给维护者。"
            ) from None

    return wrapper  # type: ignore[return-value]


def load_config(path: Path | None):  # noqa: ANN201 - Config, imported lazily
    from ..config import load

    return load(path)


def _show_version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"wenshan-audit {__version__}")
        raise typer.Exit(EXIT_CLEAN)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", help="显示版本号并退出", callback=_show_version, is_eager=True),
    ] = False,
) -> None:
    """公文审核工具。"""


from . import audit as _audit  # noqa: E402,F401  (registers audit)
from . import check as _check  # noqa: E402,F401  (registers check, init)
from . import hook as _hook  # noqa: E402,F401  (registers hook)
from . import index as _index  # noqa: E402,F401  (registers index)
from . import ledger as _ledger  # noqa: E402,F401  (registers ledger)
from . import quota as _quota  # noqa: E402,F401  (registers quota)
from . import rule as _rule  # noqa: E402,F401  (registers rule)
from . import rules as _rules  # noqa: E402,F401  (registers rules)


def main() -> None:
    _stream_encoding_safe()
    app()
