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

    python -m eval.councilcheck REFERENCE.yaml --draft DRAFT.yaml [--pages SITE_DIR]
    python -m eval.councilcheck REFERENCE.yaml --data data/eval-realpages --council realpages \
        --pages ../shared/sites/realpages --gate draft-realpages
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
from crawler.draft import digits_of


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
    """The reference's lines whose number some page gives, and those no page gives: the
    number's digits in any spacing, standing alone ("111" in "call NHS 111", not in
    "0800 111 999"), or after +44 (not the drafter's own reading, which is what is measured)."""
    pages = [" ".join(text.split()) for text in texts]

    def given(digits: str) -> bool:
        spaced = r"[ -]?".join(digits)
        pattern = rf"(?<!\d)(?<!\d )(?:{spaced}" + (
            rf"|\+44 ?(?:\(0\) ?)?{r'[ -]?'.join(digits[1:])}" if digits.startswith("0")
            else "") + r")(?!\d)"
        return any(re.search(pattern, page) for page in pages)

    said = [r for r in reference if r.phone and given(r.phone)]
    return said, [r for r in reference if r not in said]


def draft_from_index(data_dir: Path, council: str, out: Path) -> Path:
    """Draft the council file from a crawl's index (the site's address is the one the crawl
    recorded), as ``askcouncil council draft`` does, into ``out``."""
    from askcouncil.chroma import open_chroma
    from askcouncil.index import CouncilIndex
    from askcouncil.settings import Settings
    from crawler.councilfile import to_yaml
    from crawler.draft import draft_council

    index = CouncilIndex(open_chroma(Settings(_env_file=None, data_dir=data_dir,
                                              council=council)), council)
    base = str(index.site_info().get("base_url") or "").rstrip("/") + "/"
    out.write_text(to_yaml(draft_council(index.iter_chunks(), base), council), "utf-8")
    return out


def flat(result: dict[str, Any]) -> dict[str, float]:
    """``lines_recall``, ``hours_precision``...: the scores as the release gate reads them."""
    return {f"{kind}_{measure}": result[kind][measure] for kind in ("lines", "phones", "hours")
            for measure in ("recall", "precision") if result[kind][measure] is not None}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("reference", type=Path, help="the council file written by hand")
    p.add_argument("--draft", type=Path, help="the drafted council file")
    p.add_argument("--data", type=Path, help="instead of --draft: draft from this data "
                   "folder's crawl (with --council)")
    p.add_argument("--council", help="the crawl's council slug (with --data)")
    p.add_argument("--pages", type=Path, help="a folder of the site's HTML files: also score "
                   "against the reference's lines the site states")
    p.add_argument("--out", type=Path, help="write the scores (JSON) here")
    p.add_argument("--gate", metavar="SET", help="fail below eval/baseline.json's floors for "
                   "SET (on the site-stated scores when --pages is given)")
    args = p.parse_args(argv)
    if args.draft is None:
        if args.data is None or args.council is None:
            p.error("give --draft, or --data and --council")
        args.draft = draft_from_index(args.data, args.council,
                                      args.data / f"{args.council}.draft.yaml")
    draft, reference = lines_of(args.draft), lines_of(args.reference)
    result: dict[str, Any] = {"draft": str(args.draft), "all": compare(draft, reference)}
    if args.pages:
        texts = (re.sub(r"<[^>]+>", " ", f.read_text("utf-8", "replace"))
                 for f in args.pages.rglob("*.html"))
        said, unsaid = site_stated(reference, texts)
        result["site_stated"] = compare(draft, said)
        result["not_on_site"] = sorted(r.key for r in unsaid)
    print(json.dumps(result, indent=2))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2), "utf-8")
    if args.gate:
        from eval.gate import check, load

        scores = flat(result["site_stated" if args.pages else "all"])
        problems = check(scores, load()["sets"][args.gate]["floors"])
        for problem in problems:
            print(f"gate {args.gate}: {problem}")
        if problems:
            return 1
        print(f"gate {args.gate}: every floor met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
