"""HTML exports of the analytics reports (Jinja templates in analytics/templates, autoescaped)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from askcouncil import urls

# `| href` on every address a template links to (askcouncil/urls.py)
_ENV = urls.install(Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=select_autoescape(["html"])))


def render(template: str, **context: Any) -> str:
    return _ENV.get_template(template).render(**context)


def render_from(folder: Path, template: str, **context: Any) -> str:
    """Render a template from another package's folder, autoescaped the same way."""
    env = urls.install(Environment(loader=FileSystemLoader(folder),
                                   autoescape=select_autoescape(["html"])))
    return env.get_template(template).render(**context)
