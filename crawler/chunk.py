"""Sections become chunks: one chunk per section, long sections split on line and sentence
boundaries (never inside a list item), each carrying its heading path and anchor."""

from __future__ import annotations

import hashlib

from langchain_text_splitters import RecursiveCharacterTextSplitter

from askcouncil.chunks import Chunk
from crawler.extract import Page

MAX_CHARS = 1200  # about 250 MiniLM tokens, the model's useful window
OVERLAP = 150


def page_hash(page: Page) -> str:
    h = hashlib.sha256(page.title.encode())
    for s in page.sections:
        h.update(b"\x00" + " > ".join(s.heading_path).encode() + b"\x00" + s.text.encode())
    return h.hexdigest()[:32]


def chunk_page(page: Page) -> list[Chunk]:
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=MAX_CHARS, chunk_overlap=OVERLAP, separators=["\n\n", "\n", ". ", " ", ""]
    )
    digest = page_hash(page)
    chunks: list[Chunk] = []
    for section in page.sections:
        text = section.text
        parts = [text] if len(text) <= MAX_CHARS else splitter.split_text(text)
        name = " > ".join(section.heading_path[1:]) or page.title
        for part in parts:
            position = len(chunks)
            ident = hashlib.sha1(f"{page.url}#{section.anchor}#{position}".encode()).hexdigest()
            chunks.append(
                Chunk(
                    id=ident,
                    url=page.url,
                    anchor=section.anchor,
                    title=page.title,
                    section=name,
                    text=part,
                    page_hash=digest,
                    position=position,
                    lang=page.lang,
                )
            )
    return chunks
