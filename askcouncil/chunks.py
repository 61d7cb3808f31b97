"""The chunk contract: a section of a council page as the crawler writes it and the bot cites
it, and a search hit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Chunk:
    """A section (or part of one) of a council page, ready to embed and cite."""

    id: str
    url: str  # the page URL as crawled (final URL after redirects)
    anchor: str  # fragment for the section: "heading-id" or "page=N" for PDFs
    title: str  # page title
    section: str  # heading path, e.g. "Garden waste collections > When we collect garden waste"
    text: str  # the section text, lists kept as "- item" lines
    page_hash: str  # hash of the whole page's extracted text (unchanged pages are skipped)
    position: int = 0  # order of the chunk within its page
    lang: str = "en"

    @property
    def cite_url(self) -> str:
        return f"{self.url}#{self.anchor}" if self.anchor else self.url

    @property
    def embed_text(self) -> str:
        return f"{self.title}. {self.section}.\n{self.text}"

    def metadata(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "anchor": self.anchor,
            "title": self.title,
            "section": self.section,
            "page_hash": self.page_hash,
            "position": self.position,
            "lang": self.lang,
        }

    @classmethod
    def from_record(cls, chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
        return cls(
            id=chunk_id,
            url=str(meta["url"]),
            anchor=str(meta.get("anchor") or ""),
            title=str(meta.get("title") or ""),
            section=str(meta.get("section") or ""),
            text=text,
            page_hash=str(meta.get("page_hash") or ""),
            position=int(meta.get("position") or 0),
            lang=str(meta.get("lang") or "en"),
        )


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    similarity: float  # cosine similarity of the query to the chunk (dense), 0 when not scored
