"""Council files: sites and their owners, and who a reply says runs the service."""

import pytest

from askcouncil.council import parse_council
from askcouncil.errors import ConfigError
from askcouncil.routing import Service, load_catalogue

FILE = """
name: Wrenbury District Council
sites:
  own:
    url: https://www.wrenbury.example/
  county:
    url: https://www.merrowshire.example/
    owner: county
  old:
    url: https://www.wrenbury.example/archive/north/
    name: the former North Wrenbury Council
    area: North Wrenbury
contact_lines:
  general:
    label: General enquiries
    phone: 01632 970000
    keywords: [bin, bins, council tax]
partners:
  county:
    name: Merrowshire County Council
    label: Merrowshire County Council
    services: [pothole, potholes, school transport]
  dwp:
    name: the DWP
    label: Universal Credit helpline
    services: [universal credit, pip, police]
"""


def test_sites_and_the_page_each_holds() -> None:
    council = parse_council("wrenbury", FILE)
    assert [s.key for s in council.sites] == ["own", "county", "old"]
    assert council.own_url == "https://www.wrenbury.example/"
    assert council.site_for("https://www.merrowshire.example/schools/").key == "county"
    # the longest address that holds a page wins: a predecessor's archive on the same host
    assert council.site_for("https://www.wrenbury.example/archive/north/bins.html").key == "old"
    assert council.site_for("https://www.wrenbury.example/bins.html").key == "own"
    assert council.site_for("https://elsewhere.example/") is None


@pytest.mark.parametrize("sites, says", [
    ("  own: {url: 'not a url'}\n", r"needs an http\(s\) url"),
    ("  county: {url: 'https://x.example/', owner: police}\n", "which is not in partners"),
    ("  - https://x.example/\n", "must map a key"),
])
def test_a_bad_site_is_a_clear_error(sites: str, says: str) -> None:
    text = FILE.split("sites:")[0] + "sites:\n" + sites + "contact_lines:" + \
        FILE.split("contact_lines:")[1]
    with pytest.raises(ConfigError, match=says):
        parse_council("wrenbury", text)


def test_who_runs_the_service_a_reply_is_about() -> None:
    council = parse_council("wrenbury", FILE)
    county = "https://www.merrowshire.example/roads/potholes.html"
    own = "https://www.wrenbury.example/bins.html"
    # words naming a service decide, whichever site answered: the county runs the roads in a
    # district's area (its partner is the county, so the district is this council)
    assert council.runs("how do I claim universal credit", [own]).body == "the DWP"
    assert council.runs("potholes", [own]).key == "county"
    assert council.runs("pip rates", [own]).body == "the DWP"
    # the bundled catalogue names what the council file does not: libraries are the county's
    assert council.runs("renew my library books", [own]).key == "county"
    # the question names one of the council's own services as strongly: its own
    assert council.runs("is it the county I ring about my bins?", [county]) is None
    # a word inside another body's longer phrase names nothing: the "bin" of "grit bin"
    assert council.runs("the grit bin is empty", [own]).key == "county"
    # named by nobody: the owner of the site most of the answer is from
    assert council.runs("who fixes this", [county, county, own]).key == "county"
    assert council.runs("who fixes this", [own, county]) is None  # a tie: the first part's
    assert council.runs("who fixes this", []) is None


def sense(**by_role: float) -> dict[Service, float]:
    """A question's similarity to every service of each body (``routing.Senses.by_service``)."""
    return {s: by_role.get(s.role, 0.0) for s in load_catalogue().services}


def test_meaning_decides_what_no_word_names() -> None:
    council = parse_council("wrenbury", FILE)
    own = "https://www.wrenbury.example/bins.html"
    assert council.runs("my money got stopped", [own], sense(dwp=0.6, district=0.4)).key == "dwp"
    assert council.runs("my money got stopped", [own], sense(dwp=0.4, district=0.6)) is None
    # a body the council has no partner for is never named
    assert council.runs("my car tax", [own], sense(dvla=0.9)) is None
    # too far from everything to say: the site decides
    assert council.runs("hello", [own], sense(dwp=0.2, district=0.1)) is None
    # words weigh with meaning: a two-word service (0.4) over a closer meaning
    assert council.runs("universal credit for my rent", [own],
                        sense(district=0.6, dwp=0.4)).body == "the DWP"


def test_the_council_file_says_what_its_council_runs() -> None:
    """A service the catalogue gives the county is this council's when its own lines name it
    (a borough that runs its libraries), and the county's lines keep the ones they name."""
    council = parse_council("wrenbury", FILE.replace("keywords: [bin, bins, council tax]",
                                                     "keywords: [bin, bins, library, blue badge]"))
    by_name = {s.name: body for s, body in council.services}
    assert by_name["Libraries and adult learning"] is None
    assert by_name["Blue Badges"] is None
    assert by_name["School transport"] == "county"  # the county's line names it
    assert by_name["Roads, pavements and street lights"] == "county"  # the catalogue's
    assert council.runs("renew my library books", []) is None
    assert council.runs("how do I get a disabled parking badge", [],
                        sense(county=0.7, district=0.3)) is None


def test_a_unitary_runs_the_county_services_itself() -> None:
    unitary = parse_council("wrenbury", """
name: Wrenbury Council
contact_lines:
  general:
    label: General enquiries
    phone: 01632 970000
partners:
  nhs:
    name: the NHS
    label: NHS 111
    phone: "111"
""")
    assert unitary.runs("potholes", []) is None
    assert unitary.runs("renew my library books", []) is None
    assert unitary.runs("register with a gp", []).key == "nhs"


def test_each_partner_is_a_body_of_the_catalogue() -> None:
    council = parse_council("wrenbury", FILE + """  pip_claims:
    name: the Department for Work and Pensions (DWP)
    label: PIP new claims
    phone: 0800 917 2222
    services: [new claim]
  county_roads:
    name: Merrowshire County Council
    label: Highways
    services: [road surface]
  fire:
    name: Merrowshire Fire and Rescue
    label: Fire safety visits
    role: fire
    services: [smoke alarm]
""")
    roles = {p.key: p.role for p in council.partners}
    # keyed by a body; named as bodies.yaml names it; named as a partner keyed by a body; its own
    assert roles == {"county": "county", "dwp": "dwp", "pip_claims": "dwp",
                     "county_roads": "county", "fire": "fire"}
    # a body's line that the words name best; else the one keyed by the body
    assert council.runs("pip new claim", []).key == "pip_claims"
    assert council.runs("universal credit", []).key == "dwp"
    assert council.line_for("the road surface is breaking up", []).key == "county_roads"
    assert council.line_for("potholes", []).key == "county"  # the main line names them too
    assert council.line_for("a free smoke alarm", []).key == "fire"


def test_a_topic_counts_once_however_many_of_its_forms_a_line_lists() -> None:
    council = parse_council("wrenbury", FILE)
    # "bin" and "bins" are one topic (2); "school transport" is two words (4)
    assert council.line_for("my bins and the school transport", []).key == "county"
    assert council.line_for("potholes everywhere", []).key == "county"
    assert council.line_for("the school transports", []).key == "county"  # a plural phrase


def test_a_file_without_emergencies_keeps_the_national_crisis_lines() -> None:
    """A drafted council file has no emergency section: someone at risk is still given
    Samaritans, as for a council with no file at all."""
    drafted = parse_council("wrenbury", FILE)
    assert [line.phone for line in drafted.emergency.crisis_lines] == ["116 123"]
    none = parse_council("wrenbury", FILE + "emergency: {}\n")
    assert none.emergency.crisis_lines == ()


def test_a_body_without_a_partner_is_nobody_to_name() -> None:
    """Child Benefit is HMRC's: a council with no HMRC partner names nobody, not the DWP, the
    nearest body it has."""
    council = parse_council("wrenbury", FILE)
    assert council.runs("how do I claim child benefit", [], sense(hmrc=0.7, dwp=0.6)) is None
    assert council.line_for("how do I claim child benefit", [], sense(hmrc=0.7, dwp=0.6)
                            ).key == "general"


def test_an_answer_needs_surer_meaning_than_a_handoff() -> None:
    """Saying another body runs the service an answer is about takes a closer meaning
    (SURE_SENSE) than choosing whose line a declined question goes to (MIN_SENSE)."""
    council = parse_council("wrenbury", FILE)
    close = sense(dwp=0.4, district=0.2)
    assert council.runs("my money got stopped", [], close) is None
    assert council.line_for("my money got stopped", [], close).key == "dwp"
    assert council.runs("my money got stopped", [], sense(dwp=0.6, district=0.2)).key == "dwp"
