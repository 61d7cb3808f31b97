"""The evaluation's plain-English and grounding checks of one answer."""

from eval.plain import groundedness, readability, unsupported_links


def test_readability_jargon_and_acronyms() -> None:
    plain = readability("A Blue Badge costs £10 [1]. You can apply online. It takes up to 12 "
                        "weeks. Ask the NHS or the DWP.")
    assert plain["grade"] is not None and plain["grade"] < 6
    assert plain["unexplained_acronyms"] == [] and plain["jargon"] == []
    dense = readability("Pursuant to the statutory provisions, eligibility is determined "
                        "notwithstanding the applicant's circumstances by the DLA. Residents "
                        "remain liable for arrears accrued thereof.")
    assert dense["grade"] > 12
    assert {"pursuant", "statutory", "eligibility", "notwithstanding", "liable"} <= set(
        dense["jargon"])
    assert dense["unexplained_acronyms"] == ["DLA"]
    explained = readability("Ask the Disability Living Allowance team (DLA). The DLA can help.")
    assert explained["unexplained_acronyms"] == []


def test_groundedness_counts_sentences_found_in_cited_passages() -> None:
    passage = "Apply on GOV.UK. A Blue Badge costs £10. It usually takes up to 12 weeks."
    assert groundedness("A Blue Badge costs £10. [1] It usually takes up to 12 weeks. [1]",
                        [passage]) == 1.0
    assert groundedness("A Blue Badge costs £10. [1] Badges are free for everyone over 70.",
                        [passage]) == 0.5
    handoff = "You can contact Parking on 01632 960404."
    assert groundedness(f"A Blue Badge costs £10. [1] {handoff}", [passage], handoff) == 1.0
    assert groundedness("Short.", [passage]) is None


def test_unsupported_links() -> None:
    pages = {"http://council.example/bins.html"}
    quoted = "Report it at www.stoploansharks.gov.uk today."
    answer = ("See http://council.example/bins.html#when, www.stoploansharks.gov.uk and "
              "https://evil.example/x.")
    assert unsupported_links(answer, quoted, pages) == ["https://evil.example/x"]
