"""Small text helpers shared by keyword retrieval and the composer."""

from __future__ import annotations

import re

STOPWORDS = frozenset(
    "a about above after again all am an and any are as at be because been before being below "
    "between both but by can could did do does doing down during each few for from further "
    "had has have having he her here hers him his how i if in into is it its itself just me "
    "more most my no nor not now of off on once only or other our ours out over own same she "
    "should so some such than that the their theirs them then there these they this those "
    "through to too under until up very was we were what when where which while who whom why "
    "will with would you your yours yourself please tell know need want get got ok hi hello "
    "thanks thank im ive id dont doesnt didnt isnt wasnt arent cant couldnt wont wouldnt "
    "shouldnt whats".split()
)
WORD = re.compile(r"[a-z0-9£][a-z0-9£.,']*[a-z0-9]|[a-z0-9]")


def stem(word: str) -> str:
    """A light suffix stripper: enough to match 'bins'/'bin', 'collections'/'collection' and
    'give'/'giving'."""
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)] + repl
            break
    # "give" and "giving", "notice" and "noticed" meet at "giv" and "notic"
    return word[:-1] if word.endswith("e") and len(word) >= 4 and word.isalpha() else word


def tokens(text: str) -> list[str]:
    """Lower-cased, stemmed content words (numbers and prices kept whole)."""
    out = []
    for w in WORD.findall(text.lower().replace("’", "'")):
        w = w.rstrip(".,'").replace("'s", "")
        if w and w not in STOPWORDS:
            out.append(stem(w))
    return out


# Words that say what kind of answer is wanted, not what it is about ("how much", "opening
# hours"): the decision's coverage and follow-up detection look past them.
INTENT = frozenset(tokens(
    "much many long cost costs price fee fees charge pay apply applying way find time times "
    "day days open opening hours when where who why how can could do does need get make"
))

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9£\"(])")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]


def strip_markup(text: str) -> str:
    """Treat markup in a question as text: drop tags, keep their words out of the query."""
    return re.sub(r"<[^>]{0,500}>", " ", text)

