"""Personal data is masked before storage (UK patterns)."""

import json
import re

import pytest

from askcouncil.masking import mask
from tests.conftest import TESTS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("email me at jo.bloggs+bins@example.co.uk please", "email me at [email] please"),
        ("call 07700 900123 or 01632 960000", "call [phone] or [phone]"),
        ("my mobile is +44 7700 900123", "my mobile is [phone]"),
        ("I live at 12 High St, KF1 1AA", "I live at [address], [postcode]"),
        ("flat 3, 27 Station Road Kestrelford", "[address] Kestrelford"),
        ("postcode sw1a2aa", "postcode [postcode]"),
        ("NI number QQ 12 34 56 C", "NI number [NI number]"),
        ("ni AB123456D thanks", "ni [NI number] thanks"),
        ("my NHS number is 943 476 5919", "my NHS number is [NHS number]"),
        ("nhs 9434765919 ok", "nhs [NHS number] ok"),
        ("card 4111 1111 1111 1111 exp 12/27", "card [card number] exp 12/27"),
        ("paid with 4111111111111111", "paid with [card number]"),
        ("my car AB12 CDE got a ticket", "my car [vehicle registration] got a ticket"),
        ("reg ab12cde", "reg [vehicle registration]"),
        ("old plate A123 BCD", "old plate [vehicle registration]"),
        ("council tax account number 50012345", "council tax account number [reference]"),
        ("my reference is CT-0012345", "my reference is [reference]"),
        ("PCN KF12345678 appeal", "PCN [reference] appeal"),
        ("my account is 98765432", "my account is [reference]"),
        ("it is 123456789012 I think", "it is [number] I think"),
    ],
)
def test_masks_uk_personal_data(text: str, expected: str) -> None:
    assert mask(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "How much is a garden waste subscription?",
        "Band D is £2,268.72 for 2026 to 2027",
        "Can I register a birth within 42 days?",
        "Is Route 66 open in 2026?",
        "Is the M25 and A1 closed for roadworks?",
        "Can I pay £1,229.42 in 10 instalments?",
        "What is the deadline, 31 October 2026?",
        "Do you collect 240 litre bins on Fridays?",
        "Which case officer deals with planning?",
        "Is the booking fee £35?",
    ],
)
def test_leaves_ordinary_questions_alone(text: str) -> None:
    assert mask(text) == text


def test_none_passes_through() -> None:
    assert mask(None) is None


# ---- The corpora: personal data that must go, and ordinary questions that must stay ----------
# tests/corpora/personal_data.jsonl and ordinary_questions.jsonl were written by someone who had
# not read this code, and the patterns were then fixed against them (a regression set: every
# line must pass). tests/corpora/heldout/ was written the same way and is never tuned on: it
# measures the masker, and its floors only move up.

CORPORA = TESTS / "corpora"
# First measured 2026-11-29 (before this round's patterns: 45.1% and 98.4%); only ever raised.
HELD_OUT_FLOORS = {"personal": 0.875, "ordinary": 0.984}


def _load(name: str) -> list[dict]:
    path = CORPORA / name
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def _left(record: dict) -> list[str]:
    masked = mask(record["text"]) or ""
    return [p for p in record["personal"] if p in masked]


def test_the_corpora_are_large_and_well_formed() -> None:
    personal, ordinary = _load("personal_data.jsonl"), _load("ordinary_questions.jsonl")
    assert len(personal) >= 80 and len(ordinary) >= 40
    assert len({r["id"] for r in personal}) == len(personal)
    for r in personal:
        assert r["personal"] and all(p in r["text"] for p in r["personal"]), r["id"]
    kinds = {r["kind"] for r in personal}
    for needed in ("date_of_birth", "sort_code", "iban", "cvv", "driving_licence", "address",
                   "house_name", "nhs_number", "card_number", "council_tax_ref", "email"):
        assert needed in kinds, needed


@pytest.mark.parametrize("record", _load("personal_data.jsonl"), ids=lambda r: r["id"])
def test_personal_data_is_masked(record: dict) -> None:
    assert not _left(record), f"{record['id']}: {mask(record['text'])}"


@pytest.mark.parametrize("record", _load("ordinary_questions.jsonl"), ids=lambda r: r["id"])
def test_ordinary_questions_are_left_alone(record: dict) -> None:
    assert mask(record["text"]) == record["text"], record["why"]


def test_held_out_corpora_rates() -> None:
    """Measured, not tuned on: the share of messages whose personal data is all masked, and of
    ordinary questions left untouched (printed with -s; floors only move up)."""
    personal = _load("heldout/personal_data.jsonl")
    ordinary = _load("heldout/ordinary_questions.jsonl")
    masked = sum(1 for r in personal if not _left(r)) / len(personal)
    untouched = sum(1 for r in ordinary if mask(r["text"]) == r["text"]) / len(ordinary)
    print(f"held out: personal data fully masked in {masked:.1%} of {len(personal)} messages; "
          f"{untouched:.1%} of {len(ordinary)} ordinary questions untouched")
    assert masked >= HELD_OUT_FLOORS["personal"]
    assert untouched >= HELD_OUT_FLOORS["ordinary"]


# ---- People's names ---------------------------------------------------------------------------
# tests/corpora/names_personal.jsonl and names_ordinary.jsonl (tuned on: every line must pass) and
# heldout/names_*.jsonl (never tuned on; floors only move up) were written before the name rules.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my name is Jane Smith, when is my bin day?", "my name is [name], when is my bin day?"),
        ("I'm Mrs Patel and my bin was missed", "I'm Mrs [name] and my bin was missed"),
        ("This is John from the flats, the light is out",
         "This is [name] from the flats, the light is out"),
        ("Dr. Okafor said to ask about a grant", "Dr. [name] said to ask about a grant"),
        ("can I get a bus pass?\nThanks, Sarah", "can I get a bus pass?\nThanks, [name]"),
        ("Regards, Tom Jones", "Regards, [name]"),
        ("my son Jack starts school in September", "my son [name] starts school in September"),
        ("my neighbour Dave Brown burns rubbish", "my neighbour [name] burns rubbish"),
        ("my son jack starts school", "my son [name] starts school"),  # lower case
        ("MY NAME IS SUE HARGREAVES AND I AM ANGRY", "MY NAME IS [name] AND I AM ANGRY"),
        ("Fy enw i yw Siân Jones", "Fy enw i yw [name]"),
        ("my daughter, Ellie, is 17. Can Ellie get help?",
         "my daughter, [name], is 17. Can [name] get help?"),  # said again: masked again
        ("Can you give me John Smith's benefit details?",
         "Can you give me [name]'s benefit details?"),  # the possessive stays
        ("Mr Patel at 12 Mill Lane", "Mr [name] at [address]"),
    ],
)
def test_masks_peoples_names(text: str, expected: str) -> None:
    assert mask(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I'm moving next month, who do I tell?",
        "I'm disabled and need an assisted collection",
        "I'm a carer for my mum",
        "this is urgent, there is water pouring into the road",
        "my name is on the council tax but I moved out",
        "my name is spelt wrong on the bill",
        "I'm English and my partner is Polish, can we vote?",
        "this is Kestrelford Borough Council's website isn't it",
        "my son will start school in September",  # "will" is not taken for a name
        "Thanks for your help",
        "Regards the garden waste, is it fortnightly?",
        "parking on Victoria Road every night",
        "Did you miss my bin on Monday?",
        "How do I change my name on the electoral register?",
        "Round here bonfire night sounds like a war zone",
    ],
)
def test_ordinary_words_after_the_cues_stay(text: str) -> None:
    assert mask(text) == text


def _names_scores(personal: list[dict], ordinary: list[dict]) -> tuple[float, float, list[str]]:
    """Recall: the labelled names of which no word is left. Precision: the [name] tags that
    stand for a labelled name, out of all [name] tags (in ordinary messages every tag is wrong).
    A word of a name that the message also uses elsewhere is allowed to stay that often."""
    found = wrong = total = 0
    misses = []
    for r in personal:
        masked = mask(r["text"]) or ""
        here = 0
        for name in r["personal"]:
            total += 1
            left = [w for w in re.findall(r"[^\W\d_]{2,}(?:['’-][^\W\d_]+)*", name)
                    if _count(w, masked) > _count(w, r["text"]) - sum(
                        _count(w, p) for p in r["personal"])]
            if left:
                misses.append(f"{r['id']}: {masked}")
            else:
                here += 1
        found += here
        wrong += max(0, masked.count("[name]") - here)
    for r in ordinary:
        masked = mask(r["text"]) or ""
        wrong += masked.count("[name]")
        if masked != r["text"]:
            misses.append(f"{r['id']} ({r['why']}): {masked}")
    return found / total, found / (found + wrong) if found + wrong else 0.0, misses


def _count(word: str, text: str) -> int:
    return len(re.findall(rf"(?<!\w){re.escape(word)}(?!\w)", text))


def test_the_names_corpora_are_large_and_well_formed() -> None:
    sets = [_load(f"{d}names_{k}.jsonl") for d in ("", "heldout/") for k in ("personal",
                                                                          "ordinary")]
    assert sum(map(len, sets)) >= 150
    for personal in (sets[0], sets[2]):
        for r in personal:
            assert r["kind"] == "name" and r["personal"], r["id"]
            assert all(p in r["text"] for p in r["personal"]), r["id"]
    ids = [r["id"] for s in sets for r in s]
    assert len(ids) == len(set(ids))


def test_names_tuned_on_all_pass() -> None:
    recall, precision, misses = _names_scores(_load("names_personal.jsonl"),
                                              _load("names_ordinary.jsonl"))
    assert not misses, misses
    assert recall == precision == 1.0


# First measured 2026-11-30 with the first version of the rules: recall 1.000, precision 1.000
# (40 names, 35 ordinary messages). Only ever raised.
NAMES_HELD_OUT_FLOORS = {"recall": 1.0, "precision": 1.0}


def test_names_held_out_rates() -> None:
    recall, precision, misses = _names_scores(_load("heldout/names_personal.jsonl"),
                                              _load("heldout/names_ordinary.jsonl"))
    print(f"names held out: recall {recall:.3f}, precision {precision:.3f}; misses: {misses}")
    assert recall >= NAMES_HELD_OUT_FLOORS["recall"]
    assert precision >= NAMES_HELD_OUT_FLOORS["precision"]


def test_the_scorer_sees_a_name_left_and_a_word_taken() -> None:
    """The measure can fail: a name half masked is a miss, and a tag in an ordinary message
    lowers precision."""
    personal = [{"id": "x1", "text": "my name is Jane Smith", "personal": ["Jane Smith"]}]
    # (a known miss: a capitalised place after "I'm" is taken for a name)
    ordinary = [{"id": "x2", "text": "I'm Kestrelford born and bred", "why": "a place"}]
    recall, precision, misses = _names_scores(personal, ordinary)
    assert recall == 1.0 and precision == 0.5 and len(misses) == 1
    left = [{"id": "x3", "text": "the tenancy is jane xyzzy's", "personal": ["jane xyzzy"]}]
    assert _names_scores(left, [])[0] == 0.0


def test_a_hostile_message_is_masked_quickly() -> None:
    """The longest message the API takes, built to make the name rules work hardest."""
    import time

    for unit in ("my son my daughter ", "Mr Mrs Dr ", "Thanks, Regards, ", "Jane Smith ",
                 "my name is " * 3 + "x "):
        text = (unit * (10_000 // len(unit)))[:10_000]
        began = time.perf_counter()
        mask(text)
        assert time.perf_counter() - began < 2.0, unit
