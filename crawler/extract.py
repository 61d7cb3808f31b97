"""Main-content extraction: a council page becomes a title and a list of headed sections.

Site chrome (header, navigation, breadcrumbs, cookie banner, feedback boxes, footer, asides) is
removed before the text is read, so it never reaches the index. Lists keep one item a line
(``- item`` / ``1. item``) so steps survive into answers.
"""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, NavigableString, PageElement, Tag

from askcouncil.language import looks_welsh
from askcouncil.urls import web_url

CHROME_TAGS = ["script", "style", "noscript", "template", "svg", "iframe", "header", "nav",
               "footer", "aside", "form", "button", "input", "select", "textarea", "dialog"]
CHROME_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary", "dialog"}
CHROME_HINT = re.compile(
    r"cookie|breadcrumb|skip-?link|site-header|site-footer|feedback|share-?this|back-to-top"
    r"|visually-hidden|sr-only",
    re.I,
)
BLOCK_TAGS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "table", "dl", "pre",
              "blockquote"]
CONTAINERS = {"ul", "ol", "table", "dl", "pre", "blockquote"}
BOILERPLATE = re.compile(r"^(skip to (main )?content|back to top|print this page|share this page)$",
                         re.I)


class TooSlow(Exception):
    """Reading a page's text went past its deadline (a page built to be slow to read)."""


def _in_time(deadline: float | None) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise TooSlow("past the time allowed to read one page")


@dataclass
class Section:
    heading_path: list[str]
    anchor: str
    blocks: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.blocks)


@dataclass
class Page:
    url: str
    title: str
    sections: list[Section]
    links: list[str] = field(default_factory=list)
    lang: str = "en"
    kind: str = "html"  # "html", "pdf" or "docx"
    redirect_to: str | None = None  # target of a <meta http-equiv="refresh">
    not_modified: bool = False  # answered 304: the indexed chunks stand; links from last time

    @property
    def text(self) -> str:
        return "\n".join(s.text for s in self.sections)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]


def clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def attr(tag: Tag, name: str) -> str:
    """An attribute as one string ('' when absent); multi-valued ones (class) are joined."""
    value = tag.get(name)
    if value is None:
        return ""
    return value if isinstance(value, str) else " ".join(value)


def _is_chrome(tag: Tag) -> bool:
    if tag.attrs is None:
        return False
    if attr(tag, "role") in CHROME_ROLES or attr(tag, "aria-hidden") == "true":
        return True
    hints = f"{attr(tag, 'id')} {attr(tag, 'class')}".strip()
    return bool(hints and CHROME_HINT.search(hints))


def _gone(tag: PageElement) -> bool:
    """Whether ``tag`` was decomposed. Not ``tag.decomposed``: in beautifulsoup4 4.15 that reads
    a missing attribute through ``Tag.__getattr__``, which searches the whole subtree for a child
    tag of that name, so a loop over a deeply nested page became quadratic (220 KB of nested
    <div>s took over two minutes)."""
    return bool(tag.__dict__.get("_decomposed", False))


COOKIE_BLOCKS = {"div", "section", "form", "aside"}
COOKIE_LEVELS = 6  # how far above the word "cookie" a banner's container may be


def _drop_cookie_banners(soup: BeautifulSoup, deadline: float | None = None) -> None:
    """Cookie banners, found by what they are rather than by class name: a short block that
    talks about cookies and offers buttons or accept/reject links. Looked for above each text
    that says "cookie" (a few levels up), so the cost follows the banners, not the page's
    depth."""
    for string in soup.find_all(string=re.compile("cookie", re.I)):
        _in_time(deadline)
        if _gone(string):  # inside a banner already removed
            continue
        node, banner = string.parent, None
        for _ in range(COOKIE_LEVELS):  # the largest block above it that is still a banner
            if not isinstance(node, Tag) or node.name in {"body", "html", "[document]"}:
                break
            if _gone(node) or _more_words_than(node, 120) or node.find("h1"):
                break  # (a block holding the page's heading is content, however short)
            if node.name in COOKIE_BLOCKS and _offers_choices(node):
                banner = node
            node = node.parent
        if banner is not None:
            banner.decompose()


def _more_words_than(tag: Tag, limit: int) -> bool:
    """Whether ``tag`` holds more than ``limit`` words, reading no further than that."""
    count = 0
    for text in tag.strings:
        count += len(text.split())
        if count > limit:
            return True
    return False


def _offers_choices(tag: Tag) -> bool:
    return bool(tag.find(["button", "input"]) or [
        a for a in tag.find_all("a") if re.search(r"accept|reject|agree", a.get_text(), re.I)
    ])


def _main_element(soup: BeautifulSoup, deadline: float | None = None) -> Tag:
    for finder in (
        lambda: soup.find("main"),
        lambda: soup.find(role="main"),
        lambda: soup.find(id=re.compile(r"^(main-?content|content|main)$", re.I)),
        lambda: soup.find("article"),
    ):
        found = finder()
        if isinstance(found, Tag):
            return found
    body = soup.body or soup
    return _content_around_h1(body, deadline) or body


def _trafilatura_main(html: str) -> Tag | None:
    """Last resort, for a page with no landmark of any kind and no <h1> to anchor on:
    trafilatura, a proven boilerplate remover, keeping headings (docs/quality.md)."""
    import trafilatura

    result = trafilatura.extract(html, output_format="html", include_tables=True,
                                 include_formatting=True, favor_precision=True)
    if not result:
        return None
    body = BeautifulSoup(result, "lxml").body
    return body if isinstance(body, Tag) else None


CONTENT_SHARE = 0.5  # the main container holds at least this share of the page's prose


PROSE_TAGS = {"p", "li", "td", "dd"}


def _prose_lengths(root: Tag, deadline: float | None = None) -> dict[int, int]:
    """For ``root`` and every tag in it: the characters of prose in its descendants (text
    outside links in paragraphs, list items and table cells: prose, not menus), in one pass from
    the leaves up. Counting each container's subtree again would be quadratic on a deeply nested
    page."""
    text: dict[int, int] = {}
    links: dict[int, int] = {}
    prose: dict[int, int] = {}
    for el in [*reversed(list(root.descendants)), root]:
        if not isinstance(el, Tag):
            continue
        _in_time(deadline)
        t = n = p = 0
        for child in el.children:
            if isinstance(child, Tag):
                key = id(child)
                t, n, p = t + text[key], n + links[key], p + prose[key]
                if child.name in PROSE_TAGS:
                    p += max(0, text[key] - links[key])
            elif type(child) is NavigableString:
                t += len(child.strip())
        text[id(el)], links[id(el)], prose[id(el)] = t, (t if el.name == "a" else n), p
    return prose


def _content_around_h1(body: Tag, deadline: float | None = None) -> Tag | None:
    """On a page with no <main> or similar landmark: the smallest container around the <h1>
    that holds most of the page's prose. Menus, banners and footers sit outside it."""
    h1 = body.find("h1")
    if not isinstance(h1, Tag):
        return None
    prose = _prose_lengths(body, deadline)
    total = prose[id(body)]
    node = h1.parent
    while isinstance(node, Tag) and node is not body:
        if total and prose[id(node)] >= CONTENT_SHARE * total:
            return node
        node = node.parent
    return None


def _list_text(tag: Tag) -> str:
    ordered = tag.name == "ol"
    lines = []
    for n, li in enumerate(tag.find_all("li", recursive=False), start=1):
        item = clean(li.get_text(" "))
        if item:
            lines.append(f"{n}. {item}" if ordered else f"- {item}")
    return "\n".join(lines)


def _table_text(tag: Tag) -> str:
    rows = []
    for tr in tag.find_all("tr"):
        cells = [clean(c.get_text(" ")) for c in tr.find_all(["th", "td"], recursive=False)]
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def _block_text(tag: Tag) -> str:
    if tag.name in {"ul", "ol"}:
        return _list_text(tag)
    if tag.name == "table":
        return _table_text(tag)
    if tag.name == "dl":
        return "\n".join(clean(x.get_text(" ")) for x in tag.find_all(["dt", "dd"]))
    return clean(tag.get_text(" "))


def canonical_url(soup: BeautifulSoup, url: str) -> str:
    """The page's canonical address: from a ``<link rel="canonical">`` in ``<head>`` only (a
    form echo or a comment in the body must not rename the page), and only an http(s) address
    on the fetched page's own host; else ``url``. Every chunk of the page is cited at this
    address, so a ``javascript:`` one would be a link that runs script."""
    head = soup.head
    canonical = head.find("link", rel="canonical", href=True) if isinstance(head, Tag) else None
    if not isinstance(canonical, Tag):
        return url
    claimed = web_url(urljoin(url, attr(canonical, "href").strip()))
    if claimed is None:
        return url
    here, there = urlsplit(url), urlsplit(claimed)
    same_host = (here.hostname, here.port) == (there.hostname, there.port)
    return claimed if same_host else url


def extract_html(html: str, url: str, deadline: float | None = None) -> Page:
    """The page's title, sections and links. ``deadline`` (a ``time.monotonic()`` value): raise
    TooSlow once it has passed; every step is linear in the page's size, so only a page built
    to be slow to read (or a very large one) meets it."""
    soup = BeautifulSoup(html, "lxml")
    links = [urljoin(url, attr(a, "href")) for a in soup.find_all("a", href=True)]
    root = soup.find("html")
    lang = (attr(root, "lang") if isinstance(root, Tag) else "") or "en"
    refresh = soup.find("meta", attrs={"http-equiv": re.compile("^refresh$", re.I)})
    redirect_to = None
    if isinstance(refresh, Tag):
        m = re.search(r"url\s*=\s*['\"]?([^'\";]+)", attr(refresh, "content"), re.I)
        if m:
            redirect_to = urljoin(url, m.group(1).strip())
    page_url = canonical_url(soup, url)
    head_title = clean(soup.title.get_text()) if soup.title else ""

    _drop_cookie_banners(soup, deadline)
    main = _main_element(soup, deadline)
    if main is (soup.body or soup) and not soup.find(["header", "nav", "footer"]):
        # no landmark at all, and no <h1> container: the chrome cannot be told by its tags
        main = _trafilatura_main(html) or main
    for tag in main.find_all(CHROME_TAGS):
        tag.decompose()
    for tag in main.find_all(True):
        _in_time(deadline)
        if not _gone(tag) and _is_chrome(tag):
            tag.decompose()

    h1 = main.find("h1")
    title = clean(h1.get_text(" ")) if isinstance(h1, Tag) else re.split(r" [-|–] ", head_title)[0]
    title = title or page_url

    sections: list[Section] = [Section([title], "")]
    stack: list[tuple[int, str]] = []
    for tag in main.find_all(BLOCK_TAGS):
        _in_time(deadline)
        if any(p.name in CONTAINERS for p in tag.parents if p is not main and p.name):
            continue  # already read as part of its list, table or quote
        if re.fullmatch(r"h[1-6]", tag.name):
            level, text = int(tag.name[1]), clean(tag.get_text(" "))
            if not text or level == 1:
                if level == 1 and attr(tag, "id"):
                    sections[0].anchor = attr(tag, "id")
                continue
            stack = [(lv, t) for lv, t in stack if lv < level] + [(level, text)]
            anchor = attr(tag, "id") or _parent_id(tag) or slugify(text)
            sections.append(Section([title, *(t for _, t in stack)], anchor))
            continue
        text = _block_text(tag)
        if text and not BOILERPLATE.match(text):
            sections[-1].blocks.append(text)
    _add_loose_text(main, sections)
    sections = [s for s in sections if s.blocks]
    page = Page(page_url, title, sections, links, lang.split("-")[0].lower(), "html", redirect_to)
    if page.lang == "en" and looks_welsh(page.text):
        page.lang = "cy"  # a Welsh page whose template says English
    return page


def _parent_id(tag: Tag) -> str | None:
    parent = tag.parent
    if isinstance(parent, Tag) and parent.name in {"section", "div"} and attr(parent, "id"):
        first = parent.find(re.compile(r"^h[1-6]$"))
        if first is tag:
            return attr(parent, "id")
    return None


def _add_loose_text(main: Tag, sections: list[Section]) -> None:
    """Text written straight into a <div> (no <p>) is common on older council sites."""
    if any(s.blocks for s in sections):
        return
    loose = [clean(str(s)) for s in main.find_all(string=True) if isinstance(s, NavigableString)]
    text = clean(" ".join(t for t in loose if t))
    if text:
        sections[0].blocks.append(text)


def extract_pdf(data: bytes, url: str, link_text: str | None = None) -> Page:
    """One section per PDF page, cited as ``url#page=N``."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    meta_title = (reader.metadata.title if reader.metadata else None) or ""
    sections: list[Section] = []
    for n, pdf_page in enumerate(reader.pages, start=1):
        lines = [clean(line) for line in (pdf_page.extract_text() or "").splitlines()]
        lines = [line for line in lines if line]
        if lines:
            sections.append(Section([], f"page={n}", lines))
    title = clean(meta_title or link_text or "")
    if not title and sections:
        title = " ".join(sections[0].blocks[:2])[:120]
    title = title or url.rsplit("/", 1)[-1]
    for s in sections:
        s.heading_path = [title, f"Page {s.anchor.split('=')[1]}"]
    return Page(url, title, sections, [], "en", "pdf")


def extract_docx(data: bytes, url: str) -> Page:
    """A Word document: paragraphs styled "Heading N" start sections (with anchors from their
    text); list paragraphs become "- item" lines; tables become "a | b" rows."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    title = clean(document.core_properties.title or "")
    sections: list[Section] = [Section([], "")]
    stack: list[tuple[int, str]] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "tbl":
            table = Table(child, document)
            rows = [" | ".join(clean(c.text) for c in row.cells) for row in table.rows]
            if rows:
                sections[-1].blocks.append("\n".join(rows))
            continue
        if tag != "p":
            continue
        para = Paragraph(child, document)
        text, style = clean(para.text), (para.style.name if para.style else "") or ""
        if not text:
            continue
        level = re.match(r"(?:Heading|Title)\s*(\d*)", style)
        if level:
            n = int(level.group(1) or 1)
            if not title and n == 1:
                title = text
                continue
            stack = [(lv, t) for lv, t in stack if lv < n] + [(n, text)]
            sections.append(Section([t for _, t in stack], slugify(text)))
        elif style.startswith("List"):
            sections[-1].blocks.append(f"- {text}")
        else:
            sections[-1].blocks.append(text)
    title = title or url.rsplit("/", 1)[-1]
    for s in sections:
        s.heading_path = [title, *s.heading_path]
        s.blocks = _join_list_lines(s.blocks)
    return Page(url, title, [s for s in sections if s.blocks], [], "en", "docx")


def _join_list_lines(blocks: list[str]) -> list[str]:
    """Consecutive "- item" paragraphs form one list block, as in HTML."""
    out: list[str] = []
    for block in blocks:
        if block.startswith("- ") and out and out[-1].startswith("- "):
            out[-1] += "\n" + block
        else:
            out.append(block)
    return out
