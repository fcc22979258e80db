"""Every command and option of the CLI is documented in the README (like sqlite-utils)."""

from __future__ import annotations

from pathlib import Path

import typer.main

from wenshan_audit.cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(group, prefix: str = "") -> list:  # noqa: ANN001 - typer's vendored click types
    found = []
    for name, command in getattr(group, "commands", {}).items():
        path = f"{prefix}{name}"
        found.append((path, command))
        found.extend(_commands(command, path + " "))
    return found


def test_every_command_and_option_is_in_the_readme() -> None:
    root = typer.main.get_command(app)
    missing = []
    for path, command in _commands(root):
        if f"wenshan-audit {path}" not in README:
            missing.append(f"command: wenshan-audit {path}")
        for param in command.params:
            if param.param_type_name == "option":
                flags = [f for f in param.opts if f.startswith("--")]
                if flags and not any(f in README for f in flags) and flags[0] != "--help":
                    missing.append(f"option: {path} {flags[0]}")
    assert not missing, "README 缺少：\n" + "\n".join(missing)


def test_every_command_group_of_the_readme_is_registered() -> None:
    root = typer.main.get_command(app)
    expected = {"check", "init", "audit", "hook", "index", "ledger", "quota", "rules"}
    assert expected <= set(root.commands)
