"""The embeddable chat widget (plain JavaScript, no dependencies), served by the bot."""

from pathlib import Path

WIDGET_JS = Path(__file__).resolve().parent / "widget.js"
WIDGET_CSS = Path(__file__).resolve().parent / "widget.css"
