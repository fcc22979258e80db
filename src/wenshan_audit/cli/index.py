"""``wenshan-audit index``: build, update and inspect the copy-detection index."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from . import ConfigOption, app, fail, handle_errors, load_config

if TYPE_CHECKING:
    from ..checks.copying.index import CorpusWriter, UpdateStats
    from ..config import Config

index_app = typer.Typer(
    help="照搬检测索引：把上级文件文件夹建成可快速比对的索引（增量更新，按内容哈希）。",
    no_args_is_help=True,
)
app.add_typer(index_app, name="index")

IndexOption = Annotated[
    Path | None,
    typer.Option(
        "--index",
        "-i",
        help="索引目录（默认：配置 [reference] index，否则缓存目录中按文件夹自动命名）",
    ),
]
CorpusArgument = Annotated[
    Path | None,
    typer.Argument(help="上级文件文件夹（默认：配置 [reference] corpus）", show_default=False),
]
WorkersOption = Annotated[int, typer.Option("--workers", "-j", min=1, help="并行进程数")]


def _corpus(cfg: Config, corpus: Path | None) -> Path:
    if corpus is None:
        value = cfg.section("reference").get("corpus")
        if not value:
            raise fail("请指定上级文件文件夹，或在配置 [reference] 中设置 corpus")
        corpus = cfg.resolve(value)
    if not corpus.is_dir():
        raise fail(f"上级文件文件夹 {escape(str(corpus))} 不存在或不是文件夹")
    return corpus


def _index_path(cfg: Config, index: Path | None, corpus: Path | None) -> Path:
    from ..checks.copying.check import index_path

    found = index or index_path(cfg, corpus)
    if found is None:
        raise fail("请用 --index 指定索引目录，或在配置 [reference] 中设置 index 或 corpus")
    return found


def _index_corpus(
    config: Path | None,
    corpus: Path | None,
    index: Path | None,
    workers: int,
    rebuild: bool,
    engine: str = "local",
) -> None:
    """Build (``rebuild``) or update the index of the corpus folder, then say what changed."""
    from ..checks.copying.backend import open_writer

    cfg = load_config(config)
    folder = _corpus(cfg, corpus)
    path = _index_path(cfg, index, folder)
    if engine not in ("local", "spark"):
        raise fail(f"--engine 取值应为 local 或 spark，实际为 {engine}")
    writer = open_writer(cfg, path)  # the shared Redis index when [reference] backend = "redis"
    try:
        if engine == "spark":
            from ..checks.copying import spark_build

            stats = spark_build.build(folder, writer, spark_build.session())
        else:
            stats = _with_progress(writer, folder, workers, rebuild)
    finally:
        writer.close()
    _report(stats, path)


def _with_progress(writer: CorpusWriter, corpus: Path, workers: int, rebuild: bool) -> UpdateStats:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("建立索引"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("index", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return writer.update_from_folder(
            corpus, workers=workers, progress=progress, rebuild=rebuild
        )


def _report(stats: UpdateStats, index: Path) -> None:
    console = Console(highlight=False, soft_wrap=True)
    console.print(
        f"索引 {escape(str(index))}：新增 {stats.added} 份，更新 {stats.updated} 份，"
        f"删除 {stats.removed} 份，未变 {stats.unchanged} 份（用时 {stats.seconds:.1f} 秒）"
    )
    for path, message in stats.failures:
        console.print(f"[yellow]跳过[/] {escape(path)}：{escape(message)}")


@index_app.command("build")
@handle_errors
def build(
    corpus: CorpusArgument = None,
    index: IndexOption = None,
    workers: WorkersOption = 2,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="local：本机多进程；spark：用 Apache Spark 读取和计算签名（spark-submit 提交时为集群）",
        ),
    ] = "local",
    config: ConfigOption = None,
) -> None:
    """从头建立上级文件索引（已有索引将被重建）。"""
    _index_corpus(config, corpus, index, workers, rebuild=True, engine=engine)


@index_app.command("update")
@handle_errors
def update(
    corpus: CorpusArgument = None,
    index: IndexOption = None,
    workers: WorkersOption = 2,
    config: ConfigOption = None,
) -> None:
    """增量更新索引：只处理新增、修改和删除的文件；未变化的文件不重复处理。"""
    _index_corpus(config, corpus, index, workers, rebuild=False)


@index_app.command("stats")
@handle_errors
def stats(
    corpus: CorpusArgument = None,
    index: IndexOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出")] = False,
    config: ConfigOption = None,
) -> None:
    """显示索引的规模、磁盘占用和签名方案。"""
    from ..checks.copying.backend import open_configured
    from ..checks.copying.index import Index

    cfg = load_config(config)
    opened = open_configured(cfg) or Index(_index_path(cfg, index, corpus))
    try:
        info = opened.stats()
    finally:
        opened.close()
    if as_json:
        typer.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    console = Console(highlight=False, soft_wrap=True)
    rows = (
        ("索引目录", info["path"]),
        ("上级文件文件夹", info["corpus"]),
        ("格式版本 / 代次", f"{info['format_version']} / {info['generation']}"),
        ("建立时间", info["built_at"]),
        ("文件数", info["documents"]),
        ("字符数", info["characters"]),
        ("指纹数", info["postings"]),
        ("套话停用词（k-gram）", info["stoplist_kgrams"]),
        (
            "指纹表大小",
            f"{info['table_bytes'] / 1e6:.1f} MB（每个指纹 {info['bytes_per_posting']} 字节）",
        ),
        ("文本库大小", f"{info['text_store_bytes'] / 1e6:.1f} MB"),
        ("每份文件占用", f"{info['bytes_per_document'] / 1e3:.1f} KB"),
    )
    for label, value in rows:
        console.print(f"{label}：{escape(str(value))}")
