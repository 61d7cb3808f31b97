"""Personal data is masked before storage (UK patterns)."""

import pytest

from analytics.masking import mask


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("email me at jo.bloggs+bins@example.co.uk please", "email me at [email] please"),
        ("call 07700 900123 or 01632 960000", "call [phone] or [phone]"),
        ("my mobile is +44 7700 900123", "my mobile is [phone]"),
        ("I live at 12 High St, KF1 1AA", "I live at [address], [postcode]"),
        ("flat 3, 27 Station Road Kestrelford", "flat 3, [address] Kestrelford"),
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
