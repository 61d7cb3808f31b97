"""Drafting a council file from crawled pages: what a web editor's pages say becomes lines,
hours and partners, each with its source; what they do not say is left out."""

from datetime import date

import yaml

from askcouncil.chunks import Chunk
from askcouncil.council import parse_council
from crawler.councilfile import to_yaml
from crawler.draft import digits_of, draft_council, numbers_in

BASE = "https://www.example-council.test/"


def chunk(path: str, title: str, section: str, text: str, position: int = 0) -> Chunk:
    return Chunk(f"{path}-{position}", BASE + path, section.lower().replace(" ", "-"), title,
                 section, text, "h", position)


PAGES = [
    chunk("", "Welcome to Wrenbury District Council", "Welcome", "Find services."),
    chunk("contact-us", "Contact us", "Phone lines",
          "- general enquiries: 01632 970000, Monday to Friday, 9am to 5pm\n"
          "- bins and recycling: 01632 970111, Monday to Thursday, 8am to 4pm, and Friday, "
          "8am to 3:30pm\n"
          "- out of hours emergencies: 01632 970999\n"
          "Email: hello@wrenbury.example\n"
          "Our phone lines are closed on bank holidays."),
    chunk("bins/missed-bin", "Report a missed bin", "Call us",
          "If we missed your bin, call the bins and recycling team on 01632 970111."),
    chunk("bins/garden-waste", "Garden waste collections", "Garden waste", "Bins for garden "
          "waste are collected every two weeks."),
    chunk("benefits/help-with-rent", "Help with rent", "Universal Credit",
          "If you get Universal Credit, ask the DWP.\n"
          "Universal Credit helpline Telephone: 0800 555 0101 Textphone: 0800 555 0102 "
          "Relay UK: 18001 then 0800 555 0101\n"
          "8am to 6pm, Monday to Friday"),
    chunk("roads/potholes", "Potholes", "Who fixes roads",
          "Roads are looked after by Merrowshire County Council, not by us."),
]


def test_lines_hours_and_owners_come_from_the_pages_with_their_sources() -> None:
    draft = draft_council(PAGES, BASE, today=date(2026, 11, 30))
    assert draft.name and draft.name[0] == "Wrenbury District Council"
    assert draft.contact_url and draft.contact_url[0] == "/contact-us"
    by_phone = {digits_of(x.phone): x for x in draft.lines}
    assert set(by_phone) == {"01632970000", "01632970111", "01632970999", "08005550101"}
    general = by_phone["01632970000"]
    assert general.key == "general" and general.council
    assert general.hours and general.hours.spec == {"mon-fri": "09:00-17:00"}
    bins = by_phone["01632970111"]
    assert bins.label == "Bins and recycling" and bins.council
    assert bins.hours and bins.hours.spec == {"mon-thu": "08:00-16:00", "fri": "08:00-15:30"}
    assert bins.paths == ["/bins/"] and bins.form_url == "/bins/missed-bin"
    assert "garden" in bins.keywords
    assert any("missed-bin" in s.url for s in bins.sources)
    assert by_phone["01632970999"].hours is None  # the page gives none: none is guessed
    uc = by_phone["08005550101"]
    assert not uc.council and uc.body_key == "dwp" and uc.label == "Universal Credit helpline"
    assert uc.hours and uc.hours.spec == {"mon-fri": "08:00-18:00"}
    assert uc.alternatives == {"textphone": "0800 555 0102"}  # not a line of its own
    assert draft.closed_on and date(2026, 12, 25) in draft.closed_on[0]
    assert "Merrowshire County Council" in draft.other_councils
    assert "dwp" in draft.partners_named


def test_the_drafted_file_loads_and_cites_every_line() -> None:
    text = to_yaml(draft_council(PAGES, BASE, today=date(2026, 11, 30)), "wrenbury")
    council = parse_council("wrenbury", text)
    assert council.name == "Wrenbury District Council"
    assert council.general_line.phone == "01632 970000"
    assert council.line("bins_and_recycling").opening is not None
    assert [p.body for p in council.partners] == ["the Department for Work and Pensions (DWP)"]
    raw = yaml.safe_load(text)
    assert raw["closed_on"][0] == date(2026, 12, 25)
    for key in raw["contact_lines"]:  # each line says where it came from
        assert f"  {key}:\n    # {BASE}" in text


def test_a_site_without_numbers_drafts_a_handoff_to_its_contact_page() -> None:
    pages = [chunk("contact", "Contact us", "Write to us", "Use our online form.")]
    council = parse_council("x", to_yaml(draft_council(pages, BASE), "x"))
    assert council.general_line.phone is None and council.general_line.url == "/contact"
    assert council.contact_url == "/contact"


def test_numbers_in_any_spacing_and_not_what_follows_them() -> None:
    assert numbers_in("Telephone: 0300 555 2222 24-hour service") == {"03005552222"}
    assert numbers_in("Telephone +44 (0) 191 496 0000") == {"01914960000"}
    assert numbers_in("call 101 or NHS 111; it costs £0800 1234 5678") >= {"101", "111"}
    assert numbers_in("Published 12 March 2025, 10:00 1234 5678") == set()
