"""Personal data is masked before storage (UK patterns)."""

import json

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
