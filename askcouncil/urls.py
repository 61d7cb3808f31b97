"""Which addresses may leave the product as links. A crawled page controls some of the addresses
we show (its canonical link, its links), so every link a resident or an editor can click is
checked here first: web pages (http, https, with a host), and the phone and email links we build
ourselves (tel:, mailto:). Anything else (javascript:, data:, vbscript:, a scheme hidden behind
tabs, newlines or leading spaces, which browsers remove) is dropped.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from jinja2 import Environment

WEB = frozenset({"http", "https"})
LINKABLE = WEB | {"tel", "mailto"}
# Browsers drop ASCII tab and newline anywhere in an address, and C0 controls and spaces at
# either end, before they read its scheme: an address holding any of them is not ours.
_HIDDEN = re.compile(r"[\t\n\r]|^[\x00-\x20]|[\x00-\x20]$")


def _parts(url: object) -> tuple[str, str, str, str] | None:
    """(address, scheme, host, path) of an address we could render, else None."""
    if not isinstance(url, str) or _HIDDEN.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url, parts.scheme.lower(), parts.netloc, parts.path


def web_url(url: object) -> str | None:
    """``url`` when it is an http(s) address with a host, else None."""
    parts = _parts(url)
    return parts[0] if parts and parts[1] in WEB and parts[2] else None


def link_url(url: object) -> str | None:
    """``url`` when a link to it is safe to render: http(s) with a host, tel: or mailto:."""
    parts = _parts(url)
    if parts is None:
        return None
    address, scheme, host, path = parts
    ok = bool(host) if scheme in WEB else scheme in LINKABLE and bool(path)
    return address if ok else None


def href(url: object) -> str:
    """The Jinja filter for every ``href`` we render: the address, or nothing."""
    return link_url(url) or ""


def install(env: Environment) -> Environment:
    """Add the ``href`` filter to a Jinja environment."""
    env.filters["href"] = href
    return env


def within(site: str, url: str) -> bool:
    """Whether ``url`` is a page of the website at ``site`` (same host, under its path)."""
    a, b = urlsplit(site), urlsplit(url)
    return a.netloc.lower() == b.netloc.lower() and b.path.startswith(a.path.rstrip("/"))
