"""The gap report: the questions the website did not answer (declined, marked unhelpful, or
answered with low confidence), grouped into topics (:mod:`analytics.clustering`), ranked by
volume, trended against the previous period, matched to the nearest page and to the stored topics
(:mod:`analytics.gap_topics`), with its CSV and HTML exports. Its data comes from the store."""

from __future__ import annotations

import contextlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from analytics.clustering import (
    JOIN,
    MERGE,
    MIN_SIZE,
    THRESHOLD,
    Topic,
    clean,
    cluster,
    merge,
    places,
    topics_of,
    unit,
    without_places,
)
from analytics.gap_owner import (
    BOT_MISSED,
    NEAR,
    NEIGHBOURS,
    QUESTION_MISSED,
    SITE_LACKS,
    TOPIC_MISSED,
    SitePages,
    answered_nearby,
    chance,
    retrieved,
)
from analytics.gap_topics import (
    RECHECKED,
    SAME_TOPIC,
    VERIFIED_SHARE,
    remember_topics,
    suggestion,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from analytics.store import AnalyticsStore
    from askcouncil.council import Council
    from askcouncil.embedding import Embedder
    from askcouncil.index import CouncilIndex
    from askcouncil.settings import Settings

LOW_CONFIDENCE = 0.55  # an answer below this similarity counts as a possible gap
NEW_PAGE_BELOW = 0.5  # nearest page less similar than this: the topic needs a new page
ANSWERED_POOL = 5000  # the period's latest confident answers the evidence compares against
EMBED_BATCH = 256


@dataclass
class GapQuestion:
    message_id: str
    question: str  # masked when stored
    created_at: datetime
    why: str  # declined, unhelpful or low confidence
    text: str = ""  # what is grouped: the question, a follow-up joined to the one before
    confidence: float = 0.0  # the bot's, in its answer (0 when it declined)

    def __post_init__(self) -> None:
        self.text = self.text or self.question


@dataclass
class AnsweredQuestion:
    text: str
    page: dict[str, Any] | None  # the page it was answered from (its first citation)


def period_questions(store: AnalyticsStore, council: str, since: datetime, until: datetime,
                     low_confidence: float = LOW_CONFIDENCE
                     ) -> tuple[list[GapQuestion], list[AnsweredQuestion]]:
    """The period's gap questions (declined, answered with a "No, it did not answer" or
    answered with low confidence) and its latest ``ANSWERED_POOL`` confident answers."""
    gaps, answered = [], []
    for c in store.gap_candidates(council, since, until):
        text = f"{c.earlier} {c.question}" if c.earlier else c.question
        if c.status == "no_answer":
            why = "declined"
        elif c.unhelpful:
            why = "unhelpful"
        elif c.confidence < low_confidence:
            why = "low confidence"
        else:
            page = ({k: c.cited.get(k) for k in ("url", "title", "section")}
                    if c.cited else None)
            answered.append(AnsweredQuestion(text, page))
            continue
        gaps.append(GapQuestion(c.id, c.question, c.created_at, why, text,
                                c.confidence if c.status == "answered" else 0.0))
    return gaps, answered[-ANSWERED_POOL:]


def gap_questions(store: AnalyticsStore, council: str, since: datetime, until: datetime,
                  low_confidence: float = LOW_CONFIDENCE) -> list[GapQuestion]:
    """Questions the bot declined, answered with a "No, it did not answer my question" or
    answered with low confidence, in the period."""
    return period_questions(store, council, since, until, low_confidence)[0]


def embed(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """The texts' embeddings as unit rows, a batch at a time (float32: a county's month fits)."""
    out = np.zeros((len(texts), 0), dtype=np.float32)
    parts = [np.asarray(embedder.embed_documents(texts[i:i + EMBED_BATCH]), dtype=np.float32)
             for i in range(0, len(texts), EMBED_BATCH)]
    if parts:
        out = np.vstack(parts)
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
    return out


@dataclass
class Analysis:
    """The period's gap questions grouped and each given its owner."""

    topics: list[Topic]  # what the site lacks: for web editors
    missed: list[int]  # what the bot missed (indexes into the questions): for answer quality
    other: list[int]  # left ungrouped, not the bot's miss
    vectors: np.ndarray
    chances: np.ndarray  # each question's chance that the site has its answer
    evidence: np.ndarray  # each question's evidence, as gap_owner.chance weighs it
    pages: list[dict[str, Any] | None]  # the page that answers it, where the evidence names one


def analyse(gaps: list[GapQuestion], answered: list[AnsweredQuestion], embedder: Embedder,
            site: SitePages | None, council: Council | None = None,
            index: CouncilIndex | None = None) -> Analysis:
    """Group the gap questions into topics without their place names, weigh the evidence
    (``analytics.gap_owner``) and split what the site lacks from what the bot missed. Without
    the site's pages or its index (down), their evidence counts as none: the split leans to
    "the site lacks it"."""
    names = places([q.text for q in gaps] + [a.text for a in answered],
                   council.name if council is not None else "")
    texts = [clean(without_places(q.text, names)) for q in gaps]
    # in the council's words too ("tip" -> "household recycling centre")
    worded = [council.expand(t) if council is not None else t for t in texts]
    vectors = embed(embedder, texts)
    pool = embed(embedder, [clean(without_places(a.text, names)) for a in answered])
    nearby, pages = answered_nearby(vectors, pool, [a.page for a in answered]) if gaps else (
        np.zeros(0), [])
    similarity, held = np.zeros(len(gaps)), np.zeros(len(gaps))
    if index is not None and site is not None and gaps:
        with contextlib.suppress(Exception):  # the index is down: the rest still counts
            similarity, held = retrieved(worded, vectors, index, site)
    evidence = np.zeros((len(gaps), 5))
    for i, text in enumerate(worded):
        url, share = site.best_page(text) if site is not None else (None, 0.0)
        evidence[i] = (nearby[i], share, gaps[i].confidence, similarity[i], held[i])
        if pages[i] is None and url is not None and share >= 0.5 and site is not None:
            pages[i] = {"url": url, "title": site.titles.get(url, ""), "section": None}
    chances = np.array([chance(*row) for row in evidence])
    groups, other = cluster(texts, vectors) if gaps else ([], [])
    missed = {i for i in other if chances[i] >= QUESTION_MISSED}
    kept = []
    for m in groups:
        if float(np.mean(chances[m])) >= TOPIC_MISSED:
            missed.update(m)
            continue
        own = [i for i in m if chances[i] < QUESTION_MISSED]
        missed.update(i for i in m if chances[i] >= QUESTION_MISSED)
        if len(own) >= MIN_SIZE:
            kept.append(own)
        else:
            other.extend(own)
    topics = topics_of(texts, vectors, merge(vectors, kept),
                       shown=[clean(q.question) for q in gaps])
    return Analysis(topics, sorted(missed), sorted(set(other) - missed), vectors, chances,
                    evidence, pages)


def gap_report(store: AnalyticsStore, council: Council, embedder: Embedder,
               index: CouncilIndex | None, since: datetime, until: datetime,
               share: float = 0.5, site: Callable[[], SitePages | None] | None = None
               ) -> dict[str, Any]:
    """What the site lacks, as topics ranked by volume, with the estimated calls at stake
    (volume x the share who would otherwise have phoned), masked examples, the trend against
    the previous period of the same length, the nearest existing page and what to do; and what
    the bot missed, by the page that answers it."""
    current, answered = period_questions(store, council.slug, since, until)
    previous = gap_questions(store, council.slug, since - (until - since), since)
    pages = (site or site_pages(index))() if current else None  # read only when needed
    a = analyse(current, answered, embedder, pages, council, index)
    topics = a.topics
    centres = [unit(a.vectors[t.members].mean(axis=0)) for t in topics]
    before: Counter[int] = Counter()
    if centres and previous:  # grouped as this period's are: without their place names
        names = places([q.text for q in previous], council.name)
        prev = embed(embedder, [clean(without_places(q.text, names)) for q in previous])
        sims = prev @ np.array(centres).T
        for row in sims:  # last period's questions, each to its nearest topic if close
            if row.max() >= 1 - THRESHOLD:
                before[int(np.argmax(row))] += 1
    ids = remember_topics(store, council.slug, topics, centres,
                          [q.message_id for q in current])
    out = []
    for n, (topic, centre) in enumerate(zip(topics, centres, strict=True)):
        page, similarity = None, None
        try:
            hit = index.query(centre.tolist(), 1)[0] if index is not None else None
            if hit is not None:
                page = {"url": hit.chunk.cite_url, "title": hit.chunk.title,
                        "section": hit.chunk.section}
                similarity = round(hit.similarity, 3)
        except Exception:  # the index is down: the report still lists the topics
            page = None
        whys = Counter(current[i].why for i in topic.members)
        out.append({
            **topic.as_dict(),
            "owner": SITE_LACKS,
            "topic_id": ids[n][0],
            "status": ids[n][1],
            "verification": ids[n][2],
            "questions": topic.questions[:5],
            # every question of the topic, so anyone can check its grouping from the export
            "members": [_member(current[i], a, i) for i in topic.members],
            "calls_at_stake": round(topic.volume * share, 1),
            "previous_volume": before[n],
            "trend": topic.volume - before[n],
            "why": dict(whys),
            "nearest_page": page,
            "nearest_similarity": similarity,
            "suggestion": suggestion(ids[n][1], similarity, NEW_PAGE_BELOW),
        })
    return {
        "council": council.name,
        "since": since.isoformat(timespec="seconds"),
        "until": until.isoformat(timespec="seconds"),
        "gap_questions": len(current),
        "previous_period_gap_questions": len(previous),
        "topics": out,
        "bot_missed": _by_page(current, a),
        "bot_missed_questions": len(a.missed),
        "other": len(a.other),
        "method": [
            "Gap questions: declined, answered but marked unhelpful, or answered with "
            f"similarity below {LOW_CONFIDENCE}.",
            "Whose each is: the site lacks it (for web editors), or the site has it and the "
            "bot missed it (for whoever looks after answer quality). The evidence: how many "
            f"of the {NEIGHBOURS} questions most like it (at least {NEAR} similar) were "
            "answered, the share of its words one page holds, and the bot's own confidence, "
            "weighed by a model fitted on a labelled log of residents' messages. A topic is "
            f"the bot's miss when its questions' average chance reaches {TOPIC_MISSED:.0%}; a "
            f"question is when its own reaches {QUESTION_MISSED:.0%}.",
            "Grouped by average-linkage clustering of the questions' embeddings beside "
            f"character n-grams, with place names taken out, cut at cosine distance "
            f"{THRESHOLD}; a question left out joins the nearest topic if it is at least "
            f"{JOIN} similar to its centre; groups of fewer than {MIN_SIZE} questions are "
            f"counted as other. Fragments of one subject are joined: centres at least {MERGE} "
            "similar (a shared word alone does not join two subjects).",
            f"Calls at stake = volume x {share:.0%} (the share who would otherwise have "
            "phoned).",
            f"Suggestion: a new page when the nearest page's similarity is below "
            f"{NEW_PAGE_BELOW}, else more on the nearest page.",
            f"A topic keeps its identity and status from one report to the next when its centre "
            f"is within cosine similarity {SAME_TOPIC} of a known topic's. Topics marked fixed "
            f"are re-asked after each crawl, and go on being re-asked: verified while "
            f"{VERIFIED_SHARE:.0%} of their questions are answered, not verified otherwise.",
        ],
    }


def _member(q: GapQuestion, a: Analysis, i: int) -> dict[str, Any]:
    return {"message_id": q.message_id, "question": clean(q.question), "why": q.why,
            "site_has_it": round(float(a.chances[i]), 3)}


def _by_page(current: list[GapQuestion], a: Analysis) -> list[dict[str, Any]]:
    """The bot's misses grouped by the page that answers them (where the evidence names one),
    largest first."""
    groups: dict[str | None, list[int]] = defaultdict(list)
    for i in a.missed:
        page = a.pages[i]
        groups[page["url"] if page else None].append(i)
    order = sorted(groups.items(), key=lambda kv: (kv[0] is None, -len(kv[1])))
    return [{"owner": BOT_MISSED,
             "page": next((a.pages[i] for i in members if a.pages[i]), None) if url else None,
             "volume": len(members),
             "questions": [clean(current[i].question) for i in members[:5]],
             "members": [_member(current[i], a, i) for i in members]}
            for url, members in order]


GAP_CSV_COLUMNS = ["topic_id", "status", "label", "volume", "calls_at_stake", "previous_volume",
                   "trend", "representative", "nearest_page", "nearest_similarity", "suggestion"]


def gaps_to_csv(r: dict[str, Any]) -> str:
    from analytics.render import to_csv_text

    rows: list[list[Any]] = [["owner"] + GAP_CSV_COLUMNS + ["examples"]]
    for t in r["topics"]:
        page = t["nearest_page"]["url"] if t["nearest_page"] else ""
        rows.append([SITE_LACKS, t["topic_id"], t["status"], t["label"], t["volume"],
                     t["calls_at_stake"], t["previous_volume"], t["trend"],
                     t["representative"], page, t["nearest_similarity"],
                     t["suggestion"], " | ".join(t["questions"])])
    for g in r.get("bot_missed", []):
        page = g["page"]["url"] if g["page"] else ""
        rows.append([BOT_MISSED, "", "", g["page"]["title"] if g["page"] else "page not found",
                     g["volume"], "", "", "", "", page, "",
                     "the site has this: improve how the bot answers it",
                     " | ".join(g["questions"])])
    rows += [[f"# method: {line}"] for line in r["method"]]
    return to_csv_text(rows)


def gaps_to_html(r: dict[str, Any]) -> str:
    from analytics.render import render

    return render("gaps.html", r=r)


def _open(settings: Settings, warn: Callable[[str], None]
          ) -> tuple[AnalyticsStore, Council, CouncilIndex | None]:
    from analytics.store import open_store
    from askcouncil.chroma import open_chroma
    from askcouncil.council import load_council
    from askcouncil.index import CouncilIndex

    council = load_council(settings.council, settings.councils_path)
    try:
        index: CouncilIndex | None = CouncilIndex(open_chroma(settings), settings.council)
    except Exception as exc:  # the report still groups the questions
        warn(f"index unavailable, no nearest pages: {exc}")
        index = None
    return open_store(settings), council, index


def gap_report_for(settings: Settings, since: datetime, until: datetime,
                   warn: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """``askcouncil report gaps``: the gap report for the settings' council and period, with
    nearest pages from its index; when the index cannot be opened the questions are still
    grouped (``warn`` is told why)."""
    from askcouncil.embedding import load_embedder

    store, council, index = _open(settings, warn)
    return gap_report(store, council, load_embedder(settings), index, since, until)


def site_pages(index: CouncilIndex | None) -> Callable[[], SitePages | None]:
    """The site's words (``SitePages``) from the index, read a batch of chunks at a time on
    the first call and kept for the next; None when the index is down (the report still
    groups the questions)."""
    made: list[SitePages | None] = []

    def pages() -> SitePages | None:
        if not made:
            try:
                made.append(SitePages.of(index.iter_chunks()) if index is not None else None)
            except Exception:
                made.append(None)
        return made[0]

    return pages


PERIODS = (7, 30, 90)  # the periods (days) the job makes a report for: the dashboard's choices


def refresh_gap_reports(settings: Settings, embedder: Embedder | None = None,
                        periods: tuple[int, ...] = PERIODS,
                        say: Callable[[str], None] = print) -> list[dict[str, Any]]:
    """The job (after each crawl, nightly, or ``askcouncil report refresh-gaps``): make the gap
    report for each period ending now and keep it for the dashboard, which only reads it."""
    import time
    from datetime import UTC, timedelta

    from askcouncil.embedding import load_embedder

    store, council, index = _open(settings, say)
    embedder = embedder or load_embedder(settings)
    site = site_pages(index)  # read once for every period, and only if one has questions
    made = []
    for days in periods:
        started = time.monotonic()
        until = datetime.now(UTC)
        r = gap_report(store, council, embedder, index, until - timedelta(days=days), until,
                       site=site)
        seconds = time.monotonic() - started
        store.save_gap_report(council.slug, days, r, seconds)
        made.append({"days": days, "topics": len(r["topics"]),
                     "bot_missed_questions": r["bot_missed_questions"],
                     "gap_questions": r["gap_questions"], "seconds": round(seconds, 2)})
        say(f"Gap report, last {days} days: {r['gap_questions']} unanswered questions, "
            f"{len(r['topics'])} topics the site lacks, {r['bot_missed_questions']} the bot "
            f"missed ({seconds:.1f} s).")
    return made


def stored_gap_report(store: AnalyticsStore, council: str, days: int) -> dict[str, Any] | None:
    """The gap report the job last made for the period, with each topic's status as it is now
    (an editor's, or the last crawl's check) and the suggestion that follows from it; None if the
    job has not made one. Reads only."""
    row = store.latest_gap_report(council, days)
    if row is None:
        return None
    live = {t.id: t for t in store.gap_topics(council)}
    topics = []
    for t in row.report.get("topics", []):
        now = live.get(t.get("topic_id"))
        if now is not None:
            t = {**t, "status": now.status, "verification": now.verification,
                 "suggestion": suggestion(now.status, t.get("nearest_similarity"),
                                          NEW_PAGE_BELOW)}
        topics.append(t)
    shown = {t.get("topic_id") for t in topics}
    # topics an editor marked fixed that this report no longer lists as lacking (the page now
    # holds their words): still followed, so "verified" shows where the editor looks for it
    followed = [{"topic_id": t.id, "label": t.label, "status": t.status,
                 "verification": t.verification,
                 "suggestion": suggestion(t.status, None, NEW_PAGE_BELOW)}
                for t in live.values() if t.status in RECHECKED and t.id not in shown]
    return {**row.report, "topics": topics, "followed": followed, "days": days,
            "made_at": row.made_at.isoformat(timespec="seconds"), "seconds": row.seconds}
