"""Text helpers every layer shares: words for keyword search and topic grouping (the bot's
retrieval and the analytics' gap report read questions the same way), and text no encoder
accepts."""

from __future__ import annotations

import re
from functools import lru_cache

# A str can hold a lone UTF-16 surrogate (JSON "\ud800", or a command-line argument that was not
# valid UTF-8) that no UTF-8 encoder, database or tokenizer accepts.
_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_unicode(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD, so it can be answered, stored and
    shown like any other text (a resident's message is never dropped for one bad character)."""
    return _SURROGATE.sub("\ufffd", text)


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


@lru_cache(maxsize=1 << 16)  # a site has tens of thousands of words; each is stemmed often
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
# hours"): the decision's coverage, follow-up detection and the gap report look past them.
INTENT = frozenset(tokens(
    "much many long cost costs price fee fees charge pay apply applying way find time times "
    "day days open opening hours when where who why how can could do does need get make"
))
