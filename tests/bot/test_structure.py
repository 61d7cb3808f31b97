"""The reply's structure (bot/structure.py): paragraphs, lists and tables with their sources, from
the final answer text, holding the same words."""

import re

from bot.structure import parts

ANSWER = """Please don't share personal details here.
A subscription costs £49 a year. You can pay online. [1] Bins are emptied fortnightly. [2]
You will need:
- your name
- your address [1]
1. Fill in the form
2. Send it to us [3]
Band | Amount
A | £1,000 [3]
You can contact Waste and recycling on 01632 960101."""


def test_paragraphs_lists_and_tables_each_with_the_sources_they_come_from() -> None:
    got = parts(ANSWER, {1, 2, 3})
    assert [p["kind"] for p in got] == ["text", "text", "text", "text", "list", "list", "table",
                                        "text"]
    assert got[1] == {"kind": "text", "text": "A subscription costs £49 a year. You can pay "
                      "online.", "cites": [1]}
    assert got[2]["cites"] == [2] and got[0]["cites"] == [] and got[-1]["cites"] == []
    assert got[4] == {"kind": "list", "ordered": False, "items": ["your name", "your address"],
                      "cites": [1]}
    assert got[5]["ordered"] is True and got[5]["items"] == ["Fill in the form", "Send it to us"]
    assert got[6]["rows"] == [["Band", "Amount"], ["A", "£1,000"]] and got[6]["cites"] == [3]


def test_the_parts_hold_the_answer_s_words_and_only_known_sources() -> None:
    got = parts(ANSWER, {1, 2})  # [3] was dropped by the output check
    words = " ".join(p.get("text") or " ".join(p.get("items") or [])
                     or " ".join(c for r in p.get("rows") or [] for c in r) for p in got)
    assert sorted(re.findall(r"[\w£,']+", words)) == sorted(
        re.findall(r"[\w£,']+", re.sub(r"\[\d\]|^\d+\.|^- |\|", " ", ANSWER, flags=re.M)))
    assert all(n in (1, 2) for p in got for n in p["cites"])


def test_the_contact_sentence_is_a_part_of_its_own() -> None:
    contact = "You can contact Waste and recycling on 01632 960101 (closed now)."
    answer = f"I couldn't find an answer to that on the council's website. {contact}"
    got = parts(answer, set(), contact)
    assert got == [
        {"kind": "text", "text": "I couldn't find an answer to that on the council's website.",
         "cites": []},
        {"kind": "contact", "text": contact, "cites": []}]
    # a sentence the output check changed is no longer the answer's end: left in the text
    assert [p["kind"] for p in parts(answer, set(), contact + " (changed)")] == ["text"]
