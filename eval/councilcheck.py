"""Measure a drafted council file against one written by hand (``askcouncil council draft``).

Lines are matched by phone number (``crawler.draft.digits_of``: the same however spaced):

- **lines**: recall is the share of the reference's lines (its own and its partners') that the
  draft has a line for with the same number; precision is the share of the draft's lines that
  the reference has;
- **phones**: the same over distinct numbers;
- **hours**: over the lines both have, recall is the share of the reference's lines with hours
  whose drafted hours are the same days and times, and precision the share of the drafted lines
  with hours that the reference gives the same (hours the reference does not give are wrong);
- **owner**: over the lines both have, the share the draft puts on the same side (the council's
  own, or another body's).

``--site-stated`` leaves out the reference's lines whose number no page of the site gives (a
drafter can only find what the site says), and lists them.

    python -m eval.councilcheck DRAFT.yaml REFERENCE.yaml [--pages CHUNK_TEXTS_DIR]
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from askcouncil.council import ContactLine, parse_council
from crawler.draft import digits_of, numbers_in


@dataclass(frozen=True)
class Line:
    key: str
    phone: str
    council: bool
    hours: tuple[tuple[int, str, str], ...] | str | None

    @classmethod
    def of(cls, line: ContactLine, council: bool) -> Line:
        hours: tuple[tuple[int, str, str], ...] | str | None = None
        if line.opening is not None:
            hours = "24/7" if line.opening.always else tuple(
                (d, f"{o:%H:%M}", f"{c:%H:%M}") for d, o, c in line.opening.days)
        return cls(line.key, digits_of(line.phone or ""), council, hours)


def lines_of(path: Path) -> list[Line]:
    council = parse_council(path.stem, path.read_text("utf-8"))
    return [Line.of(x, True) for x in council.lines if x.phone] + [
        Line.of(x, False) for x in council.partners if x.phone]


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def compare(draft: list[Line], reference: list[Line]) -> dict[str, Any]:
    drafted = {line.phone: line for line in draft}
    refs = {line.phone: line for line in reference}
    found = [r for r in reference if r.phone in drafted]
    right = [d for d in draft if d.phone in refs]
    both = [(r, drafted[r.phone]) for r in found]
    ref_hours = [(r, d) for r, d in both if r.hours is not None]
    draft_hours = [(r, d) for r, d in both if d.hours is not None]
    return {
        "lines": {"reference": len(reference), "drafted": len(draft),
                  "recall": _share(len(found), len(reference)),
                  "precision": _share(len(right), len(draft))},
        "phones": {"reference": len(refs), "drafted": len(drafted),
                   "recall": _share(len(set(refs) & set(drafted)), len(refs)),
                   "precision": _share(len(set(refs) & set(drafted)), len(drafted))},
        "hours": {"reference": len(ref_hours), "drafted": len(draft_hours),
                  "recall": _share(sum(r.hours == d.hours for r, d in ref_hours), len(ref_hours)),
                  "precision": _share(sum(r.hours == d.hours for r, d in draft_hours),
                                      len(draft_hours))},
        "owner": {"both": len(both),
                  "same_side": _share(sum(r.council == d.council for r, d in both), len(both))},
        "missed": sorted(r.key for r in reference if r.phone not in drafted),
        "extra": sorted(d.key for d in draft if d.phone not in refs),
        "hours_differ": sorted(r.key for r, d in both if r.hours != d.hours),
    }


def site_stated(reference: list[Line], texts: Iterable[str]) -> tuple[list[Line], list[Line]]:
    """The reference's lines whose number some page gives, and those no page gives."""
    on_site: set[str] = set()
    for text in texts:
        on_site |= numbers_in(text)
    said = [r for r in reference if r.phone in on_site]
    return said, [r for r in reference if r not in said]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("draft", type=Path)
    p.add_argument("reference", type=Path)
    p.add_argument("--pages", type=Path, help="a folder of the site's HTML files: also score "
                   "against the reference's lines the site states")
    args = p.parse_args(argv)
    draft, reference = lines_of(args.draft), lines_of(args.reference)
    result: dict[str, Any] = {"all": compare(draft, reference)}
    if args.pages:
        texts = (re.sub(r"<[^>]+>", " ", f.read_text("utf-8", "replace"))
                 for f in args.pages.rglob("*.html"))
        said, unsaid = site_stated(reference, texts)
        result["site_stated"] = compare(draft, said)
        result["not_on_site"] = sorted(r.key for r in unsaid)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
