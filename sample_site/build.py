"""Build the bundled sample council site (Kestrelford Borough Council, fictional).

Reads the page text from ``content/**/*.md`` (a small Markdown subset: ``#`` headings, paragraphs,
``-`` and ``1.`` lists, ``[text](/link)``) and writes ``site/`` with realistic council-site chrome:
skip link, cookie banner, header navigation, breadcrumbs, a "was this page useful" aside and a
footer. It also writes the one document that exists only as a PDF.

``robots.txt`` and ``sitemap.xml`` are not written here: they name absolute URLs, so the sample
site server (``askcouncil site serve``) generates them for whatever address it listens on.

Run ``python sample_site/build.py`` after editing ``content/``; a test checks ``site/`` is current.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONTENT = HERE / "content"
SITE = HERE / "site"
COUNCIL = "Kestrelford Borough Council"

NAV = [
    ("Bins and recycling", "/bins-and-recycling/index.html"),
    ("Council Tax", "/council-tax/index.html"),
    ("Parking", "/parking/index.html"),
    ("Housing", "/housing/index.html"),
    ("Planning", "/planning/index.html"),
    ("Benefits", "/benefits/index.html"),
    ("Schools", "/schools/index.html"),
    ("Births and deaths", "/registering-births-and-deaths/index.html"),
    ("Libraries", "/libraries/index.html"),
    ("Contact us", "/contact-us/index.html"),
]

PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - {council}</title>
<link rel="stylesheet" href="/assets/site.css">
</head>
<body>
<a class="skip-link" href="#main-content">Skip to main content</a>
<div class="cookie-banner" id="cookie-banner" role="region" aria-label="Cookies on this website">
  <p>We use some essential cookies to make this website work. We would also like to set analytics
  cookies to understand how you use the site.</p>
  <button type="button">Accept analytics cookies</button>
  <button type="button">Reject analytics cookies</button>
  <a href="/cookies.html">View cookies</a>
</div>
<header class="site-header">
  <a class="logo" href="/index.html">{council}</a>
  <form class="site-search" action="/search/index.html" method="get" role="search">
    <label for="q">Search this site</label> <input id="q" name="q" type="search">
    <button type="submit">Search</button>
  </form>
  <nav aria-label="Main menu"><ul>
{nav}
  </ul></nav>
</header>
{breadcrumbs}
<main id="main-content">
{body}
</main>
<aside class="page-feedback" aria-label="Page feedback">
  <h2>Was this page useful?</h2>
  <a href="/contact-us/index.html">Yes</a> <a href="/contact-us/index.html">No</a>
  <p>Report a problem with this page</p>
</aside>
<footer class="site-footer">
  <ul>
    <li><a href="/accessibility-statement.html">Accessibility statement</a></li>
    <li><a href="/cookies.html">Cookies</a></li>
    <li><a href="/contact-us/index.html">Contact us</a></li>
    <li><a href="/search/index.html">Search</a></li>
  </ul>
  <p>&copy; {council}, Town Hall, Market Square, Kestrelford KF1 1AA. Back to top.</p>
</footer>
</body>
</html>
"""

CSS = """body{font-family:Arial,sans-serif;margin:0;line-height:1.5;color:#0b0c0c}
.skip-link{position:absolute;left:-999px}.skip-link:focus{left:8px;top:8px;background:#fd0}
.cookie-banner{background:#f3f2f1;padding:12px 24px}
.site-header{background:#1d4f44;color:#fff;padding:12px 24px}.site-header a{color:#fff}
.site-header ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:16px}
.breadcrumbs{padding:8px 24px}.breadcrumbs ol{list-style:none;display:flex;gap:8px;padding:0}
main{padding:0 24px 24px;max-width:46em}.page-feedback{padding:12px 24px;background:#f3f2f1}
.site-footer{padding:12px 24px;border-top:4px solid #1d4f44}
"""


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def inline(text: str) -> str:
    """Escape text and turn ``[label](href)`` into links."""
    out, pos = [], 0
    for m in re.finditer(r"\[([^\]]+)\]\(([^)]+)\)", text):
        out.append(html.escape(text[pos : m.start()]))
        out.append(f'<a href="{html.escape(m.group(2))}">{html.escape(m.group(1))}</a>')
        pos = m.end()
    out.append(html.escape(text[pos:]))
    return "".join(out)


def render_markdown(md: str) -> tuple[str, str]:
    """Return (title, body html) for the Markdown subset the content uses."""
    title, parts, lst, lst_tag = "", [], [], ""

    def flush() -> None:
        nonlocal lst, lst_tag
        if lst:
            items = "".join(f"<li>{inline(i)}</li>" for i in lst)
            parts.append(f"<{lst_tag}>{items}</{lst_tag}>")
            lst, lst_tag = [], ""

    for raw in md.splitlines():
        line = raw.strip()
        ordered = re.match(r"^\d+\.\s+(.*)", line)
        if line.startswith("- ") or ordered:
            tag = "ol" if ordered else "ul"
            if lst_tag and lst_tag != tag:
                flush()
            lst_tag = tag
            lst.append(ordered.group(1) if ordered else line[2:])
            continue
        flush()
        if not line:
            continue
        if line.startswith("# "):
            title = line[2:]
            parts.append(f"<h1>{html.escape(title)}</h1>")
        elif line.startswith("### "):
            parts.append(f'<h3 id="{slugify(line[4:])}">{html.escape(line[4:])}</h3>')
        elif line.startswith("## "):
            parts.append(f'<h2 id="{slugify(line[3:])}">{html.escape(line[3:])}</h2>')
        else:
            parts.append(f"<p>{inline(line)}</p>")
    flush()
    return title, "\n".join(parts)


LANG_MARK = re.compile(r"<!-- lang: (\w+) -->\n")  # first line of a page not in English


def read_page(path: Path) -> tuple[str, str, str]:
    """(language, title, body html) of one content file."""
    text = path.read_text("utf-8")
    mark = LANG_MARK.match(text)
    title, body = render_markdown(text[mark.end():] if mark else text)
    return (mark.group(1) if mark else "en"), title, body


def breadcrumbs(rel: Path, titles: dict[str, str]) -> str:
    if rel.as_posix() == "index.md":
        return ""
    crumbs = [("Home", "/index.html")]
    section = f"{rel.parts[0]}/index.md"
    if len(rel.parts) > 1 and rel.name != "index.md" and section in titles:
        crumbs.append((titles[section], f"/{rel.parts[0]}/index.html"))
    items = "".join(f'<li><a href="{u}">{html.escape(t)}</a></li>' for t, u in crumbs)
    return f'<nav class="breadcrumbs" aria-label="Breadcrumb"><ol>{items}</ol></nav>'


def pdf_bytes(pages: list[list[str]]) -> bytes:
    """Write a small but valid PDF: one Helvetica text stream per page, one line per string."""
    objects: list[bytes] = []

    def add(body: str | bytes) -> int:
        objects.append(body.encode("latin-1") if isinstance(body, str) else body)
        return len(objects)

    add("<< /Type /Catalog /Pages 2 0 R >>")
    add("")  # the page tree, filled in once the page objects exist
    font = add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    kids = []
    for lines in pages:
        ops = ["BT", "/F1 11 Tf", "14 TL", "56 780 Td"]
        for text in lines:
            esc = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({esc}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("cp1252")
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(
            add(
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                f"/Resources << /Font << /F1 {font} 0 R >> >> /Contents {content} 0 R >>"
            )
        )
    refs = " ".join(f"{k} 0 R" for k in kids)
    objects[1] = f"<< /Type /Pages /Kids [{refs}] /Count {len(kids)} >>".encode("latin-1")

    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


PEST_PRICE_LIST = [
    [
        "Kestrelford Borough Council",
        "Pest control price list 2026 to 2027",
        "",
        "Prices for treatments in homes",
        "Rats: free of charge for all households.",
        "Mice: 65.00 pounds for up to 3 visits.",
        "Wasps nest treatment: 72.00 pounds per visit.",
        "Bed bugs: 180.00 pounds for 2 visits.",
        "Cockroaches: 120.00 pounds for up to 3 visits.",
        "Fleas: 95.00 pounds for 2 visits.",
    ],
    [
        "Concessions",
        "If you receive Council Tax Reduction you pay half the standard price.",
        "",
        "Cancellations",
        "Tell us at least 24 hours before your appointment if you need to cancel.",
        "If you do not, we charge a missed appointment fee of 30.00 pounds.",
        "",
        "Bees are a protected species. We do not treat honey bees.",
    ],
]


def build() -> None:
    if SITE.exists():
        shutil.rmtree(SITE)
    files = sorted(CONTENT.rglob("*.md"))
    titles = {p.relative_to(CONTENT).as_posix(): read_page(p)[1] for p in files}
    nav = "\n".join(f'    <li><a href="{u}">{html.escape(t)}</a></li>' for t, u in NAV)
    for path in files:
        rel = path.relative_to(CONTENT)
        lang, title, body = read_page(path)
        out = SITE / rel.with_suffix(".html")
        out.parent.mkdir(parents=True, exist_ok=True)
        page = PAGE.format(
            lang=lang,
            title=html.escape(title),
            council=COUNCIL,
            nav=nav,
            breadcrumbs=breadcrumbs(rel, titles),
            body=body,
        )
        out.write_text(page, "utf-8")
    search = SITE / "search" / "index.html"
    search.parent.mkdir(parents=True, exist_ok=True)
    search.write_text(
        PAGE.format(
            lang="en",
            title="Search results",
            council=COUNCIL,
            nav=nav,
            breadcrumbs="",
            body="<h1>Search results</h1><p>Enter a word in the search box.</p>",
        ),
        "utf-8",
    )
    (SITE / "assets").mkdir(exist_ok=True)
    (SITE / "assets" / "site.css").write_text(CSS, "utf-8")
    (SITE / "documents").mkdir(exist_ok=True)
    (SITE / "documents" / "pest-control-price-list-2026-27.pdf").write_bytes(
        pdf_bytes(PEST_PRICE_LIST)
    )


if __name__ == "__main__":
    build()
    print(f"built {len(list(SITE.rglob('*.html')))} pages into {SITE}")
