"""Council files: sites and their owners, and who a reply says runs the service."""

import pytest

from askcouncil.council import parse_council
from askcouncil.errors import ConfigError

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
    assert council.runs("how do I claim universal credit", [own]).body == "the DWP"
    # a service named in one word is too weak to say so over an answer from the own site
    assert council.runs("potholes", [own]) is None
    assert council.runs("potholes", [county]).key == "county"
    # ... unless the answer names it too: "PIP" answered about PIP, not "police" about a licence
    assert council.runs("pip rates", [own], "PIP is paid every 4 weeks").body == "the DWP"
    assert council.runs("can the police object to my licence", [own],
                        "The licensing team decides.") is None
    # the question names one of the council's own services: its own, whatever site answered
    assert council.runs("is it the county I ring about my bins?", [county]) is None
    # named by nobody: the owner of the site most of the answer is from
    assert council.runs("who fixes this", [county, county, own]).key == "county"
    assert council.runs("who fixes this", [own, county]) is None  # a tie: the first part's
    assert council.runs("who fixes this", []) is None


def test_a_topic_counts_once_however_many_of_its_forms_a_line_lists() -> None:
    council = parse_council("wrenbury", FILE)
    # "bin" and "bins" are one topic (2); "school transport" is two words (4)
    assert council.line_for("my bins and the school transport", []).key == "county"
    assert council.line_for("potholes everywhere", []).key == "county"
    assert council.line_for("the school transports", []).key == "county"  # a plural phrase
