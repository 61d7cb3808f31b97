"""The reply's structure, for a page to show it as paragraphs, lists and tables with each source
number linked, rather than guessing from the text (WCAG 1.3.1).

Built from the final answer text, after every check has run on it, so the parts hold exactly
what ``answer`` holds and nothing the checks removed: the pipeline writes a list as "- " lines
after its lead-in, a table as " | " rows, a source number as "[n]" after the text it supports,
and each line said first (the personal-data warning, a calm word) as a line of its own.
"""

from __future__ import annotations

import re
from typing import Any

LIST_ITEM = re.compile(r"^(?:- |\d+\. )")
TABLE_ROW = re.compile(r" \| |^\| ")
MARKER = re.compile(r"\s*\[(\d+)\]")
RUN = re.compile(r"(.*?)(?:\s*\[(\d+)\]|$)")


def parts(answer: str, known: set[int], contact: str | None = None) -> list[dict[str, Any]]:
    """``[{"kind": "text", "text": ..., "cites": [1]}, {"kind": "list", "items": [...],
    "ordered": false, "cites": [1]}, {"kind": "table", "rows": [[...], ...], "cites": []}]``,
    in reading order. ``cites`` are the source numbers the part ends with or holds (only those
    in ``known``); the markers are taken out of the text, since ``cites`` carries them. The
    contact line's sentence the answer ends with (``contact``, from ``hand_off``) is a part of
    its own, ``{"kind": "contact", "text": ...}``: a page showing the contact card can leave it
    out rather than say the line twice."""
    out: list[dict[str, Any]] = []
    tail = None
    if contact and answer.rstrip().endswith(contact):
        answer, tail = answer.rstrip()[: -len(contact)], contact
    for line in (raw.strip() for raw in answer.split("\n")):
        if not line:
            continue
        cites = [int(n) for n in MARKER.findall(line) if int(n) in known]
        text = MARKER.sub("", line).strip()
        last = out[-1] if out else None
        if LIST_ITEM.match(text):
            ordered = not text.startswith("- ")
            item = LIST_ITEM.sub("", text, count=1)
            if last and last["kind"] == "list" and last["ordered"] == ordered:
                last["items"].append(item)
                last["cites"] += [n for n in cites if n not in last["cites"]]
            else:
                out.append({"kind": "list", "ordered": ordered, "items": [item], "cites": cites})
        elif TABLE_ROW.search(text):
            row = [cell.strip() for cell in text.strip("|").split("|")]
            if last and last["kind"] == "table":
                last["rows"].append(row)
                last["cites"] += [n for n in cites if n not in last["cites"]]
            else:
                out.append({"kind": "table", "rows": [row], "cites": cites})
        elif text:
            # one part per run of sentences and the source number after it: "A. [1] B. [2]"
            for run, number in RUN.findall(line):
                cited = [int(number)] if number and int(number) in known else []
                if run.strip():
                    out.append({"kind": "text", "text": run.strip(), "cites": cited})
                elif cited and out:
                    out[-1]["cites"] += [n for n in cited if n not in out[-1]["cites"]]
        elif cites and last:  # a marker on a line of its own belongs to what came before
            last["cites"] += [n for n in cites if n not in last["cites"]]
    if tail:
        out.append({"kind": "contact", "text": tail, "cites": []})
    return out
