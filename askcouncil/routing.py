"""Who runs the service a question is about: the words that name a service, and the bundled
catalogue of who runs what (``councils/services.yaml``: district, county, town and parish
councils, and the national bodies of ``bodies.yaml``), matched by its words and by meaning.

``Council.route`` (askcouncil/council.py) weighs them with the council file's own lines and
partners; ``Senses`` gives the meaning part, one similarity per service, from the question's
embedding (the one retrieval made) and the catalogue's examples.

A council file says what its council runs: a service of the catalogue that the words of one of
its lines name ("blue badge" in the parking line of a council that runs Blue Badges itself) is
that body's there, whatever the catalogue says (``Council.services``).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import threading
import weakref
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    import numpy as np

    from askcouncil.embedding import Embedder

log = logging.getLogger(__name__)

CATALOGUE = Path(__file__).resolve().parent / "councils" / "services.yaml"
# Residents' questions labelled with the body that runs the service, each filed under that body's
# service it is closest to (``python -m eval.routing --learn`` writes it from the labelled
# questions the routing evaluation learns from, never from its held-out parts)
ASKED = CATALOGUE.with_name("services-asked.yaml")
# England's two tiers of councils: a council is the tier none of its partners is (both, for a
# unitary). Its partners play the catalogue's other bodies (``Council._roles``).
TIERS = ("district", "county")
NAME_WEIGHT = 0.5  # a body's name in a question, against 2 for a word naming a service
TOP_K = 2  # a service's meaning: the mean of its TOP_K closest examples


@dataclass(frozen=True)
class Match:
    """Where a text names a topic: its span, the topic (a keyword's singular) and its weight."""

    start: int
    end: int
    topic: str
    weight: float


class Topics:
    """Words and phrases that name a topic, compiled once into one pattern (a council file with
    many partners has over a thousand), matched whole and in the singular or plural ("bin"
    matches "bins", "ceremony" "ceremonies"). A phrase weighs 2 a word; one of ``names`` (a
    body's name: "police", "parish council") weighs NAME_WEIGHT, as residents often name the
    wrong body; a topic counts once however many of its forms are listed ("bin" and "bins")."""

    def __init__(self, keywords: tuple[str, ...], names: frozenset[str] = frozenset()) -> None:
        self.keywords = keywords
        self._forms: dict[str, tuple[str, float]] = {}  # a form -> (its topic, its weight)
        for kw in keywords:
            one = singular(kw)
            weight = NAME_WEIGHT if kw in names else 2.0 * len(kw.split())
            for form in {kw, one, *plurals(one)}:
                self._forms.setdefault(form, (one, weight))
        alternatives = "|".join(re.escape(f) for f in sorted(self._forms, key=len, reverse=True))
        self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)") if self._forms else None

    @cached_property
    def topics(self) -> frozenset[str]:
        """The topics named (each keyword's singular)."""
        return frozenset(topic for topic, _weight in self._forms.values())

    def matches(self, text: str) -> list[Match]:
        """Where a lower-cased text names the topics (the longest form at each place)."""
        if self._pattern is None:
            return []
        return [Match(m.start(), m.end(), *self._forms[m.group()])
                for m in self._pattern.finditer(text)]

    def score(self, text: str) -> float:
        return weigh(self.matches(text))


def singular(phrase: str) -> str:
    """A word's (or a phrase's last word's) singular, for the regular plurals residents write:
    "bins", "ceremonies", "buses", "passes"; "bus", "pass" and "gas" stay as they are."""
    if phrase.endswith("ies") and len(phrase) > 4:
        return phrase[:-3] + "y"
    if phrase.endswith(("sses", "uses", "shes", "ches", "xes")):
        return phrase[:-2]
    if phrase.endswith("s") and not phrase.endswith(("ss", "us", "is", "as")):
        return phrase[:-1]
    return phrase


def plurals(word: str) -> set[str]:
    """A word's (or a phrase's last word's) plurals: "bins", "ceremonies", "buses"."""
    out = {f"{word}s"}
    if word.endswith("y") and word[-2:-1] not in set("aeiou"):
        out.add(f"{word[:-1]}ies")
    if word.endswith(("s", "x", "ch", "sh")):
        out.add(f"{word}es")
    return out


def weigh(matches: list[Match]) -> float:
    """The weight of the topics named, each once."""
    return sum({m.topic: m.weight for m in matches}.values())


def outside_longer(matches: list[Match], others: list[Match]) -> list[Match]:
    """The matches not inside a longer one of ``others``: "bin" in "grit bin", "park" in
    "car park" name nothing of their own there."""
    return [m for m in matches
            if not any(o.start <= m.start and m.end <= o.end and o.end - o.start > m.end - m.start
                       for o in others)]


@dataclass(frozen=True, eq=False)
class Service:
    """A service of the catalogue (compared by identity: one object per service loaded)."""

    role: str  # the catalogue's key: district, county, parish, dwp, ...
    name: str
    words: Topics
    examples: tuple[str, ...]  # written for the catalogue
    asked: tuple[str, ...] = ()  # residents' questions about it (``ASKED``)
    safeguarding: bool = False  # its body is the one to tell that a child or adult is at risk


@dataclass(frozen=True)
class Catalogue:
    services: tuple[Service, ...]
    names: frozenset[str] = frozenset()  # bodies' names, for ``Topics``

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.role for s in self.services))


@cache
def load_catalogue(path: Path = CATALOGUE, asked: Path | None = ASKED) -> Catalogue:
    """The catalogue, with residents' questions from ``asked`` (none: the written one alone)."""
    raw = yaml.safe_load(path.read_text("utf-8")) or {}
    names = frozenset(str(n).lower() for n in raw.pop("names", None) or ())
    questions = load_asked(asked) if asked is not None else {}
    services = tuple(
        Service(str(role), str(item["service"]),
                Topics(tuple(str(w).lower() for w in item.get("words") or ()), names),
                tuple(str(e) for e in item.get("examples") or ()),
                questions.pop(str(item["service"]), ()), bool(item.get("safeguarding")))
        for role, items in raw.items() for item in items)
    if questions:
        raise ValueError(f"{asked}: no service of the catalogue is called "
                         f"{', '.join(sorted(questions))}")
    return Catalogue(services, names)


def load_asked(path: Path) -> dict[str, tuple[str, ...]]:
    """Residents' questions by the name of the service they are about (``ASKED``)."""
    if not path.exists():
        return {}
    raw = yaml.safe_load(path.read_text("utf-8")) or {}
    return {str(name): tuple(str(q) for q in questions or ())
            for name, questions in (raw.get("services") or {}).items()}


@dataclass(frozen=True)
class Body:
    key: str
    name: str
    aliases: tuple[str, ...]
    services: tuple[str, ...]
    schemes: bool = False  # its services are its own schemes: naming one names the body

    def named_in(self, text: str) -> bool:
        return self.position_in(text) is not None

    def services_in(self, text: str) -> list[str]:
        """The body's services a text names ("PIP", "Universal Credit")."""
        lowered = text.lower()
        return [s for s in self.services if re.search(rf"(?<!\w){re.escape(s)}(?!\w)", lowered)]

    def position_in(self, text: str) -> int | None:
        """Where ``text`` first names the body (a short alias only as written: "DWP", not
        "dwp" inside a word), or None."""
        for alias in self.aliases:
            m = re.search(rf"(?<!\w){re.escape(alias)}(?!\w)", text, 0 if len(alias) <= 5
                          else re.I)
            if m:
                return m.start()
        return None


@cache
def load_bodies(path: Path = CATALOGUE.parent / "bodies.yaml") -> tuple[Body, ...]:
    """The public bodies council pages name (bodies.yaml): how pages name them, and the
    services drafts give their lines."""
    raw = yaml.safe_load(path.read_text("utf-8")) or {}
    return tuple(Body(k, v["name"], tuple(v.get("aliases") or ()), tuple(v.get("services") or ()),
                      bool(v.get("schemes"))) for k, v in raw.items())


def body_roles() -> dict[str, str]:
    """The national bodies' names as bodies.yaml gives them (and council files, drafted from
    it, name partners), to their keys."""
    return {body.name: body.key for body in load_bodies()}


class Senses:
    """How close a question's meaning is to each service of the catalogue: the mean of the
    TOP_K highest cosine similarities between the question's embedding and the service's
    name, examples and residents' questions (one stray example close by chance does not carry
    a service). They are embedded with the embedder the question was: about 2,300 short
    texts, 8 s on two cores, so they are kept in the model cache folder (``_vectors``: once per
    catalogue and model, at install), ``senses_for`` keeps one per embedder, and the bot warms
    it at start-up."""

    def __init__(self, embedder: Embedder, catalogue: Catalogue | None = None) -> None:
        self.embedder = embedder
        self.catalogue = catalogue or load_catalogue()
        self._matrix: np.ndarray | None = None  # (services x most examples) rows of vectors
        self._padding: np.ndarray | None = None  # where a service has fewer examples
        self._cache: Path | None = None  # the file the vectors are kept in, if any
        self._lock = threading.Lock()

    def warm(self) -> Path | None:
        """Embed the catalogue now; the file it is kept in, if any."""
        self._examples()
        return self._cache

    def _examples(self) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            if self._matrix is None or self._padding is None:
                import numpy as np

                groups = [(service.name, *service.examples, *service.asked)
                          for service in self.catalogue.services]
                vectors = self._vectors([text for group in groups for text in group])
                width = max(len(group) for group in groups)
                matrix = np.zeros((len(groups), width, vectors.shape[1]), dtype=np.float32)
                padding = np.ones((len(groups), width), dtype=bool)
                start = 0
                for i, group in enumerate(groups):
                    matrix[i, :len(group)] = vectors[start:start + len(group)]
                    padding[i, :len(group)] = False
                    start += len(group)
                self._matrix, self._padding = matrix, padding
            return self._matrix, self._padding

    def _vectors(self, texts: list[str]) -> np.ndarray:
        """The texts' unit vectors: from the embedder's cache folder when a file there holds
        them for this model (its first row still matches a fresh embedding), else embedded and
        kept there for the next process (``python -m askcouncil.embedding`` does it at install;
        a folder it cannot write to only means the next process embeds them too)."""
        import numpy as np

        def unit(rows: list[list[float]]) -> np.ndarray:
            vectors = np.asarray(rows, dtype=np.float32)
            return vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12)

        folder = getattr(self.embedder, "cache_dir", None)  # LazyEmbedder's: the model cache
        key = hashlib.sha256("\n".join([getattr(self.embedder, "name", ""), *texts])
                             .encode("utf-8")).hexdigest()[:16]
        self._cache = Path(folder) / f"routing-{key}.npy" if folder else None
        if self._cache is not None and self._cache.exists():
            try:
                kept = np.load(self._cache)
                if kept.shape[0] == len(texts) and float(
                        kept[0] @ unit(self.embedder.embed_documents(texts[:1]))[0]) > 0.999:
                    return kept
            except (OSError, ValueError):
                pass
        vectors = unit(self.embedder.embed_documents(texts))
        if self._cache is not None:
            partial = self._cache.with_suffix(f".{os.getpid()}.part")
            try:
                self._cache.parent.mkdir(parents=True, exist_ok=True)
                with partial.open("wb") as out:
                    np.save(out, vectors)
                partial.replace(self._cache)
            except OSError as exc:
                with contextlib.suppress(OSError):
                    partial.unlink(missing_ok=True)
                log.info("routing catalogue not kept in %s: %s", self._cache.parent, exc)
        return vectors

    def by_service(self, embedding: list[float]) -> dict[Service, float]:
        import numpy as np

        matrix, padding = self._examples()
        q = np.asarray(embedding, dtype=np.float32)
        sims = matrix @ (q / (np.linalg.norm(q) + 1e-12))
        sims[padding] = -1.0
        top = np.sort(sims, axis=1)[:, -TOP_K:].mean(axis=1)
        return dict(zip(self.catalogue.services, top.tolist(), strict=True))


_SENSES: weakref.WeakKeyDictionary[Any, Senses] = weakref.WeakKeyDictionary()
_SENSES_LOCK = threading.Lock()


def senses_for(embedder: Embedder) -> Senses:
    """The one ``Senses`` of an embedder in this process (every bot built with it shares it)."""
    with _SENSES_LOCK:
        senses = _SENSES.get(embedder)
        if senses is None:
            senses = _SENSES[embedder] = Senses(embedder)
        return senses
