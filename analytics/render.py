"""Rendering the analytics reports: HTML (Jinja templates in analytics/templates, autoescaped),
CSV (every text cell neutralised against spreadsheet formulas) and the bar chart's geometry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from askcouncil import urls

# `| href` on every address a template links to (askcouncil/urls.py)
_ENV = urls.install(Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=select_autoescape(["html"])))


def render(template: str, **context: object) -> str:
    return _ENV.get_template(template).render(**context)


def render_from(folder: Path, template: str, **context: object) -> str:
    """Render a template from another package's folder, autoescaped the same way."""
    env = urls.install(Environment(loader=FileSystemLoader(folder),
                                   autoescape=select_autoescape(["html"])))
    return env.get_template(template).render(**context)


# A cell that starts with one of these is run as a formula by Excel, LibreOffice or Google
# Sheets (=HYPERLINK(...), =cmd|...): residents' questions go into the exports, so any text cell
# that would start with one (after leading spaces) gets a leading apostrophe and stays text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: object) -> object:
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv_text(rows: list[list[Any]]) -> str:
    """CSV with every text cell passed through :func:`safe_cell` (numbers stay numbers)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()


def bars(counts: dict[str, int], width: int = 300, step: int = 28) -> list[dict[str, Any]]:
    """A horizontal bar chart's geometry, largest first: label, value, bar width (the largest
    ``width`` pixels) and top ``y``, one bar every ``step`` pixels. The dashboard draws it in SVG,
    with the same numbers in a table beside it."""
    top = max(counts.values(), default=0) or 1
    return [{"label": k, "value": v, "width": round(width * v / top), "y": step * i}
            for i, (k, v) in enumerate(sorted(counts.items(), key=lambda kv: -kv[1]))]
