"""Personal data is masked before storage (UK patterns)."""

import pytest

from analytics.masking import mask


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("email me at jo.bloggs+bins@example.co.uk please", "email me at [email] please"),
        ("call 07700 900123 or 01632 960000", "call [phone] or [phone]"),
        ("my mobile is +44 7700 900123", "my mobile is [phone]"),
        ("I live at 12 High St, KF1 1AA", "I live at 12 High St, [postcode]"),
        ("postcode sw1a2aa", "postcode [postcode]"),
        ("NI number QQ 12 34 56 C", "NI number [NI number]"),
        ("ni AB123456D thanks", "ni [NI number] thanks"),
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
    ],
)
def test_leaves_ordinary_questions_alone(text: str) -> None:
    assert mask(text) == text


def test_none_passes_through() -> None:
    assert mask(None) is None
