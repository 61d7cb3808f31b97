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

from askcouncil.cli import build_parser
from askcouncil.settings import Settings
from tests.conftest import free_port, wait_for_port

REPO = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text("utf-8"))
BIN = Path(sys.executable).parent


# What an operator sets before `docker compose up`; everything else takes compose's defaults.
OPERATOR = {"POSTGRES_PASSWORD": "test-only-password", "COUNCIL_URL": "set-per-test"}


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


def test_compose_has_the_four_services_with_health_checks() -> None:
    services = COMPOSE["services"]
    assert set(services) == {"bot", "chroma", "postgres", "crawler"}
    for name in ("bot", "chroma", "postgres"):
        assert "healthcheck" in services[name], name
    assert services["crawler"]["restart"] == "no"


def test_compose_commands_and_settings_are_real() -> None:
    fields = set(Settings.model_fields)
    for name in ("bot", "crawler"):
        command = COMPOSE["services"][name]["command"]
        assert command[0] == "askcouncil"
        build_parser().parse_args(command[1:])  # exits on an unknown subcommand or option
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
    procs: list[subprocess.Popen] = []
    try:
        chroma_port, bot_port = free_port(), free_port()
        chroma_cmd = _loopback(COMPOSE["services"]["chroma"]["command"], chroma_port,
                               tmp_path / "chroma")
        procs.append(subprocess.Popen(
            [str(BIN / chroma_cmd[0]), *chroma_cmd[1:]],
            env={**os.environ, **service_env("chroma")},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_for_port(chroma_port, 30)

        env = {**os.environ, **service_env("bot"), "HF_HUB_OFFLINE": "1",
               "ASKCOUNCIL_CHROMA_URL": f"http://127.0.0.1:{chroma_port}",
               "ASKCOUNCIL_DATABASE_URL": postgres_url,
               "ASKCOUNCIL_DATA_DIR": str(tmp_path / "data")}
        crawl_cmd = [interpolate(c, {**OPERATOR, "COUNCIL_URL": sample_site})
                     for c in COMPOSE["services"]["crawler"]["command"]]
        done = subprocess.run([str(BIN / crawl_cmd[0]), *crawl_cmd[1:]], env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert "chunks written:" in done.stdout

        serve_cmd = _loopback(COMPOSE["services"]["bot"]["command"], bot_port)
        procs.append(subprocess.Popen([str(BIN / serve_cmd[0]), *serve_cmd[1:]], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_for_port(bot_port, 90)
        base = f"http://127.0.0.1:{bot_port}"
        deadline = time.monotonic() + 60
        while httpx.get(f"{base}/readyz", timeout=5).status_code != 200:
            assert time.monotonic() < deadline, httpx.get(f"{base}/readyz").text
            time.sleep(0.5)
        reply = httpx.post(f"{base}/api/chat", timeout=30,
                           json={"message": "How much is a copy of a birth certificate?"}).json()
        assert reply["status"] == "answered" and "£12.50" in reply["answer"]

        engine = create_engine(postgres_url)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, status FROM turns")).all()
        engine.dispose()
        assert rows == [(reply["message_id"], "answered")]
    finally:
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
