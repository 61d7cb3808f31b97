"""Draft question records from a crawled index, for an editor to review and keep: for each section
that states a fee, a phone number, a period or a date, a plain question about its page with the
fact as ``must_include`` and the page as ``expected_urls``. Drafts say where they came from;
nothing here is a finished question until a person has read it."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

from askcouncil.chunks import Chunk
from askcouncil.errors import BadInput
from askcouncil.settings import Settings
from bot.pipeline import facts

FACTS = [
    ("fee", facts.AMOUNT, "{topic}: how much does it cost?"),
    ("phone", facts.PHONE, "{topic}: what number do I call?"),
    ("period", facts.PERIOD, "{topic}: how long does it take?"),
    ("date", facts.FULL_DATE, "{topic}: when is it?"),
]


def _topic(chunk: Chunk) -> str:
    """The page's title, without the site name some titles carry ("Bins | Council")."""
    return re.sub(r"\s+[-|:]\s+.*$", "", chunk.title).strip() or chunk.title


def draft(chunks: list[Chunk], limit: int = 60) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for chunk in sorted(chunks, key=lambda c: (c.url, c.position)):
        if chunk.lang != "en":
            continue
        for kind, pattern, template in FACTS:
            m = pattern.search(chunk.text)
            if not m:
                continue
            question = template.format(topic=_topic(chunk))
            if chunk.section and chunk.section != chunk.title:
                question = f"{question} ({chunk.section.split(' > ')[-1]})"
            if question.lower() in seen:
                continue
            seen.add(question.lower())
            path = urlparse(chunk.url).path.lstrip("/")
            out.append({
                "id": f"d{len(out) + 1:03d}",
                "question": question,
                "expected_urls": [path],
                "must_include": [m.group(0).strip()],
                "category": "draft",
                "style": "plain",
                "notes": f"drafted from {chunk.cite_url} ({kind}): check the wording, the fact "
                         f"and whether another page also answers it, then keep or delete",
            })
            if len(out) >= limit:
                return out
    return out


def draft_from_index(settings: Settings, limit: int = 60) -> list[dict[str, Any]]:
    """``askcouncil eval draft --from-index``: drafts from the council's crawled pages."""
    from askcouncil.chroma import open_chroma
    from askcouncil.index import CouncilIndex

    index = CouncilIndex(open_chroma(settings), settings.council)
    if not index.exists():
        raise BadInput(f"nothing indexed for council {settings.council!r}: run askcouncil crawl")
    return draft(index.all_chunks(), limit=limit)
