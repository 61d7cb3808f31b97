"""Telling Welsh from English, for pages and for questions (UK councils publish both)."""

from __future__ import annotations

import re

# Common Welsh words that are not English words: enough to tell a Welsh page or question.
WELSH = frozenset(
    "yw mae ein eich gyda gyfer hefyd neu chi sydd bod fydd cyngor gwybodaeth rhaid ddim hyn "
    "wedi ydych dylech yr ac ei eu gan i'r o'r a'r ydy sut faint beth pryd ble gallwch "
    "gwneud cais ffurflen gwasanaethau yn y rydym rydych bob mis ym drwy cael gael sy'n mae'n "
    "chi'n hwn hon rhwng unwaith blwyddyn "
    # and as residents write it: "dw i eisiau ...", "does gen i ddim ..."
    "dw dwi fy eisiau isio ydw oes efo hefo fod roedd oedd gen rhagor plis diolch".split()
)


def looks_welsh(text: str) -> bool:
    words = re.findall(r"[a-zâêîôûŵŷ']+", text.lower())
    hits = sum(w in WELSH for w in words)
    return hits >= 2 and hits >= 0.15 * len(words)
