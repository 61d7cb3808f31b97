"""Documentation keeps up: every setting, endpoint, widget option and command is described."""

import re
from pathlib import Path

from askcouncil.settings import Settings
from cli.main import build_parser

REPO = Path(__file__).resolve().parent.parent
ENV_EXAMPLE = (REPO / ".env.example").read_text("utf-8")
CONFIG_DOC = (REPO / "docs" / "configuration.md").read_text("utf-8")
API_DOC = (REPO / "docs" / "api.md").read_text("utf-8")
USAGE_DOC = (REPO / "docs" / "usage.md").read_text("utf-8")
WIDGET_DOC = (REPO / "widget" / "README.md").read_text("utf-8")
WIDGET_JS = (REPO / "widget" / "widget.js").read_text("utf-8")


def test_every_setting_is_in_env_example_and_docs() -> None:
    for name in Settings.model_fields:
        var = f"ASKCOUNCIL_{name.upper()}"
        assert re.search(rf"^{var}=", ENV_EXAMPLE, re.M), f"{var} missing from .env.example"
        assert f"`{var}`" in CONFIG_DOC, f"{var} missing from docs/configuration.md"


def test_env_example_names_only_real_settings() -> None:
    for var in re.findall(r"^(ASKCOUNCIL_\w+)=", ENV_EXAMPLE, re.M):
        assert var.removeprefix("ASKCOUNCIL_").lower() in Settings.model_fields, var


def test_every_endpoint_is_documented() -> None:
    from bot.routes import router

    for route in router.routes:
        for method in route.methods - {"HEAD"}:
            assert f"`{method} {route.path}`" in API_DOC, f"{method} {route.path} undocumented"


def test_every_widget_option_is_documented() -> None:
    used = set(re.findall(r"ds\.(\w+)", WIDGET_JS))
    for key in used:
        attr = "data-" + re.sub(r"([A-Z])", lambda m: "-" + m.group(1).lower(), key)
        assert f"`{attr}`" in WIDGET_DOC, f"{attr} missing from widget/README.md"


def test_every_command_is_documented() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, cmd in sub.choices.items():
        verbs = [a for a in cmd._actions if a.dest == "verb"]
        phrases = [f"{name} {v}" for v in verbs[0].choices] if verbs else [name]
        for phrase in phrases:
            assert f"askcouncil {phrase}" in USAGE_DOC, f"askcouncil {phrase} undocumented"


def test_readme_has_the_two_commands_and_the_glossary() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    assert "make demo" in readme and "make test" in readme
    for term in ["Council", "Page", "Chunk", "Source", "Status", "Deflection", "Gap"]:
        assert f"| {term} |" in readme
    for link in re.findall(r"\]\(([^)#]+)\)", readme):
        assert (REPO / link).exists(), link


TO_WRITE = {"askcouncil/councils/examplecouncil.yaml"}  # the docs tell a deployer to write it


def test_every_file_the_docs_name_exists() -> None:
    """A path in backticks or in prose (`bot/pipeline/decide.py`, tests/bot/test_api.py) must
    exist: files move, and the docs are how a newcomer finds them."""
    named = re.compile(r"(?<![\w./-])((?:askcouncil|bot|crawler|analytics|eval|widget|cli|tests|"
                       r"benchmarks|scripts|docs)/[\w/.-]+\.(?:py|md|js|css|yaml|json|jsonl|html))\b")
    docs = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")),
            REPO / "widget" / "README.md", REPO / "docker-compose.yml"]
    missing = {f"{doc.relative_to(REPO)}: {path}" for doc in docs
               for path in named.findall(doc.read_text("utf-8"))
               if not (REPO / path).exists() and path not in TO_WRITE}
    assert not missing, sorted(missing)


# WCAG 2.2's A and AA success criteria (4.1.1 Parsing was removed in 2.2).
WCAG_22_A_AA = (
    "1.1.1 1.2.1 1.2.2 1.2.3 1.2.4 1.2.5 1.3.1 1.3.2 1.3.3 1.3.4 1.3.5 1.4.1 1.4.2 1.4.3 1.4.4 "
    "1.4.5 1.4.10 1.4.11 1.4.12 1.4.13 2.1.1 2.1.2 2.1.4 2.2.1 2.2.2 2.3.1 2.4.1 2.4.2 2.4.3 2.4.4 "
    "2.4.5 2.4.6 2.4.7 2.4.11 2.5.1 2.5.2 2.5.3 2.5.4 2.5.7 2.5.8 3.1.1 3.1.2 3.2.1 3.2.2 3.2.3 "
    "3.2.4 3.2.6 3.3.1 3.3.2 3.3.3 3.3.4 3.3.7 3.3.8 4.1.2 4.1.3").split()


def test_the_accessibility_table_covers_every_criterion_and_names_real_tests() -> None:
    """docs/accessibility.md goes into councils' accessibility statements: it must list every
    WCAG 2.2 A and AA criterion, and every test it cites as proof must exist."""
    table = (REPO / "docs" / "accessibility.md").read_text("utf-8")
    rows = re.findall(r"^\| (\d\.\d\.\d+)(?:–(\d\.\d\.\d+))? ", table, re.M)
    listed = set()
    for first, last in rows:
        listed.add(first)
        if last:  # a range: 1.2.1–1.2.5
            head, lo = first.rsplit(".", 1)
            listed |= {f"{head}.{n}" for n in range(int(lo), int(last.rsplit(".", 1)[1]) + 1)}
    assert set(WCAG_22_A_AA) <= listed, set(WCAG_22_A_AA) - listed
    tests = "\n".join(p.read_text("utf-8") for p in (REPO / "tests").rglob("test_*.py"))
    cited = set(re.findall(r"`(test_\w+)`", table))
    assert len(cited) >= 20
    for name in cited:
        assert f"def {name}(" in tests, f"docs/accessibility.md cites {name}, which does not exist"
