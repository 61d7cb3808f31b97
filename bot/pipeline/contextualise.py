"""Step 2: make the question searchable: find the question in a long message, join a follow-up
("and how much is it?") to the last turn, fix misspellings against the site's words, and add
synonyms for residents' phrases."""

from __future__ import annotations

import re

from bot.pipeline.context import TurnContext
from bot.services import Services
from bot.text import INTENT, tokens

ANAPHORA = re.compile(
    r"^(and|also|so|but|what about|how about|what if|what happens if|if|then)\b"
    r"|\b(it|its|that|this|they|them|those|these|there|one|ones|he|she|him|her)\b",
    re.I,
)

# A resident who says the question is a new one ("Unrelated, but ...", "Also, totally separate,
# ..."): whatever pronouns it holds, it is not about the last question's topic.
NEW_TOPIC = re.compile(
    r"\b(unrelated|(totally|completely|entirely) (separate|different|unrelated)|"
    r"(a |another |one more |different |separate )(question|thing|matter|topic|issue)\b"
    r"(?! (about|on|with) (it|that|this|them))|on another note|change of subject|"
    r"changing the subject|while i'?m here|something else)\b", re.I)
# The people and numbers a follow-up may change ("What if my son is 19?" after a question asked
# "as a parent" about a 17 year old): the one the follow-up names replaces the earlier one.
PEOPLE = frozenset(tokens(
    "son daughter child children kid kids baby babies boy girl teenager mum mother dad father "
    "parent parents husband wife partner boyfriend girlfriend friend neighbour grandmother "
    "grandfather grandparent nan gran grandson granddaughter brother sister carer tenant "
    "landlord employer employee student pensioner widow widower"))
NUMBER = re.compile(r"£?\d[\d,.]*")

LONG = 1000  # characters: a story with a question in it, and longer than the embedder reads
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
ASKING = re.compile(
    r"\?\s*$|^(?:so\s+|and\s+|but\s+)?(?:how|what|when|where|which|who|why|can|could|do|does|"
    r"is|are|am|will|would|should|shall|may)\b|\b(?:want|need|like|wanted) to (?:know|ask|"
    r"understand)\b|\b(?:tell|let) me\b|\bmy (?:main |real |only )?question\b", re.I)
FOCUS_WORDS = 90  # the most of a long message that is searched


def focus(message: str) -> str:
    """What a long message asks: its asking sentences (a question mark, a question word first,
    "I need to know", "my question is"), in their order, at most FOCUS_WORDS words, the last kept
    first; one that names no topic of its own or points back ("Is that right?") brings the
    sentence before it. A message that asks nothing in words keeps its last two sentences. Short
    messages are the question as they stand."""
    if len(message) <= LONG:
        return message
    sentences = [s.strip() for s in SENTENCE.split(message) if s and s.strip()]
    asking = [i for i, s in enumerate(sentences) if ASKING.search(s)]
    if not asking:
        return _last_words(" ".join(sentences[-2:]))
    keep: set[int] = set()
    words = 0
    for i in reversed(asking):  # residents usually ask last, after the story
        # "Is that right?" needs the sentence before it; "How much is X?" names its own topic
        for j in ((i, i - 1) if is_follow_up(sentences[i]) else (i,)):
            if j < 0 or j in keep:
                continue
            n = len(sentences[j].split())
            if j != i and (j in asking or words + n > FOCUS_WORDS):
                continue
            if words and words + n > FOCUS_WORDS:
                break
            keep.add(j)
            words += n
    return _last_words(" ".join(sentences[j] for j in sorted(keep)))


def _last_words(text: str) -> str:
    """One run-on sentence can be the whole story: its end is where the asking usually is."""
    words = text.split()
    return text if len(words) <= FOCUS_WORDS else " ".join(words[-FOCUS_WORDS:])


def is_follow_up(question: str) -> bool:
    """Refers back ("it", "that", "and ...", "what about ...") or names no topic at all
    ("how much?"). "How do I report a pothole?" names its own topic, and "Unrelated, but when
    can she leave school?" says it is new: not follow-ups."""
    topic = [t for t in tokens(question) if t not in INTENT]
    if topic and NEW_TOPIC.search(question):
        return False
    return not topic or bool(ANAPHORA.search(question))


def without_marker(question: str) -> str:
    """The question without the words that said it was new: "Also, totally separate, is there
    a helpline?" -> "is there a helpline?"."""
    rest = NEW_TOPIC.sub("", re.sub(r"^\s*(also|and|but|so)\b", "", question, flags=re.I))
    return re.sub(r"^[\s,;:.-]*((but|and|so)\b)?[\s,;:.-]*", "", rest, flags=re.I) or question


def carry(earlier: str, follow_up: str) -> str:
    """The earlier question's words joined to the follow-up, less the people and numbers the
    follow-up replaces: "what if my son is 19" after "as a parent, can a 17 year old appeal"
    searches for the son at 19, not the parent and the 17 year old as well."""
    mine = set(tokens(follow_up))
    words = earlier.split()
    if mine & PEOPLE:
        words = [w for w in words if not (set(tokens(w)) & PEOPLE)]
    if NUMBER.search(follow_up):
        words = [w for w in words if not NUMBER.fullmatch(w.strip("?.,!;:()"))]
    return f"{' '.join(words)} {follow_up}"


def contextualise(ctx: TurnContext, services: Services) -> None:
    """Join a follow-up to the previous question, then add the council's words for residents'
    phrases ("tip" -> "household recycling centre") from the reviewed synonyms file."""
    ctx.asked = query = focus(ctx.question)
    if query != ctx.question:
        ctx.notes.append(f"long message: searched for {query!r}")
    if ctx.history and is_follow_up(query):
        query = carry(ctx.history[-1].query, query)
        ctx.follow_up = True
        ctx.notes.append("follow-up: joined to the previous question")
    elif ctx.history and NEW_TOPIC.search(query):
        query = without_marker(query)  # "Unrelated, but ..." is no part of what is asked
        ctx.notes.append("a new topic, said to be one")
    keyword, _index = ctx.indexes(services)
    corrected = keyword.correct(query)
    if corrected != query:
        ctx.notes.append(f"spelling: {corrected}")
    ctx.query = ctx.council.expand(corrected)
