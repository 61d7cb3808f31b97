"""The HTTP contract: shapes, statuses, one JSON error shape, health, widget and demo page."""

import json
from typing import Never

import pytest

ERROR_KEYS = {"code", "message", "details"}


def assert_error(resp, status: int, code: str) -> None:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == ERROR_KEYS
    assert body["error"]["code"] == code


def test_chat_contract(client) -> None:
    resp = client.post("/api/chat", json={"message": "How much is a Blue Badge?",
                                          "conversation_id": None})
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"conversation_id", "conversation_token", "message_id", "message_token",
                         "status", "answer", "citations", "handoff", "lang", "question_lang",
                         "parts"}
    assert body["status"] == "answered" and body["lang"] == body["question_lang"] == "en"
    # the structure holds the answer's words, each part with the sources it is taken from
    said = " ".join(p.get("text") or " ".join(p.get("items") or []) for p in body["parts"])
    assert "£10" in said and "[1]" not in said
    holding = next(p for p in body["parts"] if "£10" in (p.get("text") or str(p.get("items"))))
    assert 1 in holding["cites"]
    assert {n for p in body["parts"] for n in p["cites"]} <= {c["n"] for c in body["citations"]}
    assert "£10" in body["answer"]
    assert "[1]" in body["answer"]
    cite = body["citations"][0]
    assert set(cite) == {"n", "url", "title", "section", "snippet"}
    assert cite["n"] == 1
    assert cite["url"].endswith("/parking/blue-badge.html#how-to-apply")
    assert cite["title"] == "Blue Badge parking"
    assert cite["section"] == "How to apply"
    assert body["handoff"] is None


def test_every_reply_says_its_language(client) -> None:
    """A Welsh question is answered from the Welsh page and marked "cy"; a Welsh question the
    site does not answer gets the Welsh no-answer line and contact line, marked "cy"."""
    answered = client.post("/api/chat", json={
        "message": "Faint mae tanysgrifiad gwastraff gardd yn ei gostio?"}).json()
    assert answered["status"] == "answered" and answered["lang"] == "cy", answered
    assert answered["question_lang"] == "cy"  # for the page to mark the question shown back
    assert all("/cy/" in c["url"] for c in answered["citations"])
    declined = client.post("/api/chat", json={
        "message": "Pwy yw fy nghynghorydd lleol a sut ydw i'n cysylltu â nhw?"}).json()
    assert declined["status"] == "no_answer" and declined["lang"] == "cy", declined
    assert declined["answer"].startswith("Ni allwn ddod o hyd i ateb")
    assert "Gallwch gysylltu" in declined["answer"]
    # the contact line's sentence is its own part, for a page showing the card to leave out
    assert declined["parts"][-1]["kind"] == "contact"
    assert declined["parts"][-1]["text"].startswith("Gallwch gysylltu")


@pytest.mark.parametrize(
    ("payload", "why"),
    [
        ({"message": ""}, "empty"),
        ({"message": "   "}, "blank"),
        ({"message": "x" * 10_001}, "too long"),  # ASKCOUNCIL_MAX_MESSAGE_CHARS is 10,000
        ({"message": 42}, "wrong type"),
        ({"message": ["a"]}, "wrong type"),
        ({}, "missing"),
        ({"message": "hi", "conversation_id": 5}, "wrong id type"),
        ({"message": "hi", "surprise": True}, "unknown field"),
        ({"message": "bins", "council": "../../etc"}, "bad council slug"),
        ({"message": "bins", "conversation_id": "x" * 65}, "conversation id too long"),
        ({"message": "bins", "conversation_id": "'; drop table turns; --"}, "odd id"),
    ],
)
def test_bad_chat_input_is_a_4xx_with_one_shape(client, payload, why) -> None:
    resp = client.post("/api/chat", json=payload)
    assert 400 <= resp.status_code < 500, why
    assert set(resp.json()["error"]) == ERROR_KEYS


def test_malformed_json_is_a_422(client) -> None:
    resp = client.post("/api/chat", content=b"{not json", headers={"Content-Type":
                                                                   "application/json"})
    assert_error(resp, 422, "bad_input")


def test_unknown_route_uses_the_error_shape(client) -> None:
    assert_error(client.get("/api/nothing-here"), 404, "not_found")


def test_feedback_round_trip(client, bot) -> None:
    answer = client.post("/api/chat", json={"message": "How much is a resident parking permit?"})
    message_id, token = answer.json()["message_id"], answer.json()["message_token"]
    resp = client.post("/api/feedback", json={"message_id": message_id, "message_token": token,
                                              "helpful": True, "reason": None,
                                              "would_have_phoned": True})
    assert resp.status_code == 200 and resp.json() == {"ok": True}
    assert bot.writer.flush() == 0
    stored = [f for f in bot.store.feedback() if f.turn_id == message_id]
    assert [(f.helpful, f.would_have_phoned) for f in stored] == [(True, True)]
    assert_error(client.post("/api/feedback", json={"message_id": "nope", "message_token": token,
                                                     "helpful": True}), 404, "not_found")
    assert_error(client.post("/api/feedback", json={"message_id": message_id,
                                                     "message_token": token, "helpful": "yes"}),
                 422, "bad_input")


def test_handoff_event_round_trip(client, bot) -> None:
    answer = client.post("/api/chat", json={"message": "When is the next full council meeting?"})
    message_id, token = answer.json()["message_id"], answer.json()["message_token"]
    resp = client.post("/api/event", json={"message_id": message_id, "message_token": token,
                                           "kind": "phone", "target": "tel:01632960000"})
    assert resp.status_code == 200 and resp.json() == {"ok": True}
    assert bot.writer.flush() == 0
    assert [e.kind for e in bot.store.events() if e.turn_id == message_id] == ["phone"]
    assert_error(client.post("/api/event", json={"message_id": message_id,
                                                  "message_token": token, "kind": "fax"}),
                 422, "bad_input")
    assert_error(client.post("/api/event", json={"message_id": "nope", "message_token": token,
                                                  "kind": "form"}), 404, "not_found")


def test_health_and_readiness(client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["ready"] is True and body["degraded"] is False
    assert body["checks"]["chroma"] == "ok" and body["checks"]["database"] == "ok"
    assert body["checks"]["outbox"]["failed"] == 0


def test_widget_demo_page_and_openapi(client) -> None:
    js = client.get("/widget.js")
    assert js.status_code == 200
    assert js.headers["content-type"].startswith("text/javascript")
    assert "attachShadow" in js.text
    page = client.get("/")
    assert page.status_code == 200
    assert 'src="/widget.js"' in page.text and 'data-council="kestrelford"' in page.text
    schema = client.get("/openapi.json").json()
    assert {"/api/chat", "/api/feedback", "/healthz", "/readyz"} <= set(schema["paths"])
    assert client.get("/docs").status_code == 200


def test_a_long_story_is_answered_from_the_sentences_that_ask(client, bot) -> None:
    """A resident's whole story (here 7,000 characters, with an email address in it) is
    accepted, searched for the question it holds, answered with a citation, and stored masked;
    over the limit is a plain 422 in the one error shape."""
    story = ("Our street has had a terrible year with the bins and I have written to my councillor "
             "twice already. " * 70 + "You can reach me at jo.bloggs@example.com if needed. "
             "Anyway, we have just taken on an allotment-sized garden with the new house. "
             "How much does the garden waste subscription cost?")
    assert 6000 < len(story) < 10_000
    reply = client.post("/api/chat", json={"message": story}).json()
    assert reply["status"] == "answered", reply["answer"]
    assert any("garden-waste" in c["url"] for c in reply["citations"])
    assert "£49" in reply["answer"]
    bot.writer.flush()
    stored = next(t for t in reversed(bot.store.turns()) if t.id == reply["message_id"])
    assert "jo.bloggs@example.com" not in stored.question and len(stored.question) > 6000
    too_long = client.post("/api/chat", json={"message": story + "x" * 4000})
    assert too_long.status_code == 422 and "10000" in too_long.json()["error"]["message"]


def test_urgent_situations_the_site_answers_are_signposted_then_answered(client) -> None:
    """Homeless tonight and an unsafe wall: the out-of-hours line first, then the council's
    own page, cited. A gas leak: the gas emergency line, not a decline."""
    for message, page in [("I have nowhere to sleep tonight", "housing/homelessness.html"),
                          ("there's a wall about to fall down onto the pavement",
                           "planning/building-control.html")]:
        reply = client.post("/api/chat", json={"message": message}).json()
        assert reply["status"] == "answered", reply["answer"]
        assert reply["answer"].startswith("If this is an emergency outside office hours, call "
                                          "Emergencies out of hours on 01632 960999.")
        assert any(page in c["url"] for c in reply["citations"])
    gas = client.post("/api/chat", json={"message": "I smell gas in my council house"}).json()
    assert gas["status"] == "urgent" and "0800 111 999" in gas["answer"].splitlines()[0]


def test_a_failing_dependency_degrades_to_an_error_reply(client, bot, monkeypatch) -> None:
    def broken(*args: object, **kwargs: object) -> Never:
        raise ConnectionError("chroma went away")

    monkeypatch.setattr(bot.services, "index", broken)
    resp = client.post("/api/chat", json={"message": "How much is a Blue Badge?"})
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "error"
    assert body["citations"] == []
    assert body["handoff"]["label"] == "Parking"  # the line for Blue Badges, with its hours
    assert body["handoff"]["hours"] == "Monday to Friday, 9am to 5pm"
    assert "Traceback" not in body["answer"]


def test_analytics_outage_queues_turns_and_stores_each_once(client, bot, monkeypatch) -> None:
    from sqlalchemy.exc import OperationalError

    real = bot.store.record_turns

    def down(*args: object, **kwargs: object) -> Never:
        raise OperationalError("INSERT", {}, ConnectionRefusedError("database is down"))

    monkeypatch.setattr(bot.store, "record_turns", down)
    replies = [client.post("/api/chat", json={"message": q}).json()
               for q in ("How much is a Blue Badge?", "When is my bin collected?")]
    assert [r["status"] for r in replies] == ["answered", "answered"]
    assert bot.writer.flush(timeout_s=0.5) >= 2  # waiting in the outbox, on disk
    assert not any(bot.store.has_turn(r["message_id"]) for r in replies)
    monkeypatch.setattr(bot.store, "record_turns", real)  # the database is back
    assert bot.writer.flush() == 0
    for r in replies:
        assert [t.id for t in bot.store.turns(r["conversation_id"])] == [r["message_id"]]
    bot.writer.drain()  # a repeated drain stores nothing twice
    assert len(bot.store.turns(replies[0]["conversation_id"])) == 1


def test_bot_starts_and_answers_while_the_database_is_down(crawled, embedder, tmp_path) -> None:
    from fastapi.testclient import TestClient

    from bot.app import create_app
    from bot.chat import build_bot
    from tests.conftest import free_port

    settings, _ = crawled
    down = settings.model_copy(
        update={"database_url": f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none",
                "outbox_path": tmp_path / "outbox.sqlite3"})
    bot = build_bot(down, embedder=embedder)
    with TestClient(create_app(down, bot)) as http:
        body = http.post("/api/chat", json={"message": "How much is a Blue Badge?"}).json()
        assert body["status"] == "answered"
        ready = http.get("/readyz")  # still ready to answer, but degraded
        assert ready.status_code == 200 and ready.json()["degraded"] is True
        assert ready.json()["checks"]["database"].startswith("unreachable")
        assert ready.json()["checks"]["outbox"]["pending"] >= 1
        fb = http.post("/api/feedback", json={"message_id": body["message_id"], "helpful": True,
                                              "message_token": body["message_token"]})
        assert fb.status_code == 200  # queued behind its turn
    bot.close()  # the database never comes back: the writes stay on disk for the next start
    from analytics.outbox import Outbox

    assert Outbox(tmp_path / "outbox.sqlite3").counts() == {"pending": 2, "failed": 0}


def test_a_lone_surrogate_is_answered_and_stored_not_dropped(client, bot) -> None:
    """JSON may carry a lone UTF-16 surrogate ("\\ud800") that no UTF-8 encoder accepts: it gave
    status `error` and the turn was refused by the database (an outside test). The character
    becomes U+FFFD; the question is answered and stored like any other."""
    raw = b'{"message": "How much is a resident parking permit? \\ud800"}'
    reply = client.post("/api/chat", content=raw, headers={"content-type": "application/json"})
    assert reply.status_code == 200
    body = reply.json()
    assert body["status"] == "answered", body
    streamed = client.post("/api/chat/stream", content=raw,
                           headers={"content-type": "application/json"})
    assert streamed.status_code == 200 and '"status": "answered"' in streamed.text
    assert bot.writer.flush() == 0
    stored = bot.store.turns(body["conversation_id"])
    assert [t.question for t in stored] == ["How much is a resident parking permit? \ufffd"]


@pytest.mark.parametrize("previous", [5, "x" * 65, "'; drop table turns; --", ["abc12345"], "",
                                      "short"])
def test_a_bad_previous_conversation_id_is_a_clear_422_and_stores_nothing(client, bot,
                                                                         previous) -> None:
    before = len(bot.store.turns())
    resp = client.post("/api/chat", json={"message": "When is my bin collected?",
                                          "previous_conversation_id": previous})
    assert_error(resp, 422, "bad_input")
    assert "previous_conversation_id" in str(resp.json()["error"]["details"])
    stream = client.post("/api/chat/stream", json={"message": "When is my bin collected?",
                                                   "previous_conversation_id": previous})
    assert_error(stream, 422, "bad_input")
    assert bot.writer.flush() == 0 and len(bot.store.turns()) == before


def _previous_of(bot, conversation_id: str) -> str | None:
    assert bot.writer.flush() == 0
    from sqlalchemy import text

    with bot.store.engine.connect() as conn:
        return conn.execute(text("SELECT previous_conversation_id FROM conversations "
                                 "WHERE id = :id"), {"id": conversation_id}).scalar()


def test_a_new_conversation_is_linked_to_the_browsers_previous_one(client, bot) -> None:
    first = client.post("/api/chat", json={"message": "When is my bin collected?"}).json()
    again = client.post("/api/chat", json={
        "message": "How much is a Blue Badge?",
        "previous_conversation_id": first["conversation_id"]}).json()
    assert again["conversation_id"] != first["conversation_id"]
    assert "previous_conversation_id" not in again  # never sent back
    assert _previous_of(bot, again["conversation_id"]) == first["conversation_id"]
    # the streamed route links the same way
    streamed = client.post("/api/chat/stream", json={
        "message": "How much is a Blue Badge?",
        "previous_conversation_id": again["conversation_id"]})
    done = streamed.text.split("event: done\ndata: ")[1].split("\n")[0]
    assert _previous_of(bot, json.loads(done)["conversation_id"]) == again["conversation_id"]
    # a follow-up continues its conversation: what it says about a previous one is ignored
    follow = client.post("/api/chat", json={
        "message": "and how long does it take?", "conversation_id": again["conversation_id"],
        "conversation_token": again["conversation_token"],
        "previous_conversation_id": first["conversation_id"]}).json()
    assert follow["conversation_id"] == again["conversation_id"]
    assert _previous_of(bot, again["conversation_id"]) == first["conversation_id"]
    # an id that is no conversation is answered as usual, with no link, and no error that
    # would tell a caller whether a conversation exists
    unknown = client.post("/api/chat", json={"message": "How much is a Blue Badge?",
                                             "previous_conversation_id": "abcdefgh-1234"})
    assert unknown.status_code == 200
    assert _previous_of(bot, unknown.json()["conversation_id"]) is None
