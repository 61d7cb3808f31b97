"""Measure main-content extraction on sites without semantic markup.

For each page that has a <main>, the text extracted from the page as published is the reference.
The page is then rewritten without that landmark and the extraction repeated:

- ``renamed``: <main> becomes <div> (and "main"/"content" ids and role=main go);
- ``no-landmarks``: also header, nav, footer and aside become <div>, ARIA roles and labels go,
  and cookie, breadcrumb, feedback and header/footer class names are blanked.

Token-level precision, recall and F1 (micro-averaged over all pages) compare the two.

    python -m eval.extraction SITE_DIR
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from crawler.extract import extract_html

VARIANTS = ("renamed", "no-landmarks")


def strip_landmarks(html: str, variant: str) -> str:
    out = re.sub(r"<main(\s[^>]*)?>", lambda m: f"<div{m.group(1) or ''}>", html)
    out = out.replace("</main>", "</div>")
    out = re.sub(r'\s(id|role)="(main[^"]*|content)"', "", out)
    if variant == "no-landmarks":
        for tag in ("header", "nav", "footer", "aside"):
            out = re.sub(rf"<{tag}(\s|>)", r"<div\1", out).replace(f"</{tag}>", "</div>")
        out = re.sub(r'\s(role|aria-label)="[^"]*"', "", out)
        out = re.sub(r'class="[^"]*(cookie|breadcrumb|feedback|site-header|site-footer)[^"]*"',
                     'class="x"', out)
    return out


def _tokens(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.lower()))


@dataclass
class Agreement:
    pages: int
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def measure(site: Path, variant: str) -> Agreement:
    tp = fp = fn = pages = 0
    for path in sorted(site.rglob("*.html")):
        html = path.read_text("utf-8", errors="replace")
        if "<main" not in html:
            continue
        gold = _tokens(extract_html(html, "http://site/").text)
        pred = _tokens(extract_html(strip_landmarks(html, variant), "http://site/").text)
        common = sum((gold & pred).values())
        tp += common
        fp += sum(pred.values()) - common
        fn += sum(gold.values()) - common
        pages += 1
    return Agreement(pages, tp / max(1, tp + fp), tp / max(1, tp + fn))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("site", type=Path)
    args = ap.parse_args()
    for variant in VARIANTS:
        a = measure(args.site, variant)
        print(f"{variant:<13} pages {a.pages}  precision {a.precision:.4f}  "
              f"recall {a.recall:.4f}  F1 {a.f1:.4f}")


if __name__ == "__main__":
    main()
