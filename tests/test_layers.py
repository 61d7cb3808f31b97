"""The layers point down, checked by reading every import (also those inside functions):

    askcouncil (core: settings, council files, hours, language, errors, embedding, the index,
                text helpers, addresses)                       imports nothing else of ours
    crawler, analytics                                          the core
    bot                                                         the core, crawler, analytics, widget
    eval                                                        the core, crawler, analytics, bot
    cli (the command line, at the top)                          anything; nothing imports it

so that `analytics` never needs the bot, and a change in the bot cannot break the crawler."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
OURS = {"askcouncil", "crawler", "analytics", "bot", "eval", "widget", "cli"}
MAY_IMPORT = {
    "core": {"core"},
    "widget": set(),
    "crawler": {"core", "crawler"},
    "analytics": {"core", "analytics"},
    "bot": {"core", "crawler", "analytics", "bot", "widget"},
    "eval": {"core", "crawler", "analytics", "bot", "eval"},
    "cli": {"core", "crawler", "analytics", "bot", "eval", "widget", "cli"},
}


def layer(module: str) -> str:
    top = module.split(".")[0]
    return "core" if top == "askcouncil" else top


def imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return [(line, name) for line, name in found if name.split(".")[0] in OURS]


def modules() -> list[tuple[str, Path]]:
    out = []
    for package in sorted(OURS):
        for path in sorted((REPO / package).rglob("*.py")):
            rel = path.relative_to(REPO).with_suffix("")
            out.append((".".join(p for p in rel.parts if p != "__init__"), path))
    return out


@pytest.mark.parametrize(("module", "path"), modules(), ids=[m for m, _ in modules()])
def test_imports_point_down(module: str, path: Path) -> None:
    allowed = MAY_IMPORT[layer(module)]
    wrong = [f"line {line}: {name} ({layer(name)})" for line, name in imports(path)
             if layer(name) not in allowed]
    assert not wrong, f"{module} ({layer(module)} layer) imports upwards: {wrong}"


def test_the_rule_reads_lazy_imports_too(tmp_path) -> None:
    sample = tmp_path / "m.py"
    sample.write_text("def f():\n    from bot.chat import Bot\n    import eval.runner\n")
    assert [name for _, name in imports(sample)] == ["bot.chat", "eval.runner"]


def test_no_command_reaches_into_another_command() -> None:
    """One command calling another's handler (with a hand-built namespace) is how `make demo`
    broke: a noun's module may use cli.common, and only cli.main assembles the nouns."""
    for path in sorted((REPO / "cli").glob("*.py")):
        if path.stem in {"main", "__main__", "common", "__init__"}:
            continue
        others = [name for _, name in imports(path)
                  if name.startswith("cli") and name not in {"cli.common"}]
        assert not others, f"cli/{path.name} imports {others}"
