"""Who runs what: the words that name a service, the catalogue, and meaning."""

import pytest

from askcouncil.routing import (
    Match,
    Topics,
    load_catalogue,
    outside_longer,
    plurals,
    senses_for,
    singular,
)


def test_words_match_whole_in_the_singular_or_plural_and_count_once() -> None:
    topics = Topics(("bin", "bins", "citizenship ceremony", "bus", "school transport"))
    assert topics.score("my bins") == 2  # "bin" and "bins" are one topic
    assert topics.score("two citizenship ceremonies") == 4  # a phrase weighs 2 a word
    assert topics.score("the buses are late") == 2
    assert topics.score("cabinet") == 0  # whole words only
    assert topics.score("free school transport and bins") == 6
    assert Topics(("bus pass",)).score("our bus passes") == 4
    assert singular("ceremonies") == "ceremony" and singular("bus") == "bus"
    assert singular("passes") == "pass" and singular("gas") == "gas"
    assert plurals("ceremony") == {"ceremonys", "ceremonies"}
    assert plurals("day") == {"days"}  # not "daies"


def test_a_body_s_name_weighs_little() -> None:
    topics = Topics(("police", "stolen"), names=frozenset({"police"}))
    assert topics.score("should I ring the police?") == 0.5
    assert topics.score("my bike was stolen, police?") == 2.5


def test_a_word_inside_a_longer_phrase_names_nothing_of_its_own() -> None:
    text = "the grit bin is empty"
    bin_, grit_bin = Topics(("bin",)).matches(text), Topics(("grit bin",)).matches(text)
    assert outside_longer(bin_, bin_ + grit_bin) == []
    assert outside_longer(grit_bin, bin_ + grit_bin) == grit_bin
    assert outside_longer([Match(0, 3, "bin", 2.0)], [Match(0, 3, "bin", 2.0)]) != []


def test_the_catalogue_covers_every_body_with_words_and_examples() -> None:
    catalogue = load_catalogue()
    assert {"district", "county", "parish", "dwp", "hmrc", "nhs", "police", "dvla"} <= set(
        catalogue.roles)
    for service in catalogue.services:
        assert service.words.keywords and len(service.examples) >= 1, service.name
    assert "police" in catalogue.names and "parish council" in catalogue.names


@pytest.mark.parametrize(("question", "body"), [
    ("someone nicked my bike from outside the shop", "police"),
    ("the bin men didn't empty my wheelie bin", "district"),
    ("my nan needs help getting washed and dressed at home", "county"),
    ("how do I claim the money you get for each child", "hmrc"),
    ("I need to tell someone I've scrapped my old car", "dvla"),
])
def test_meaning_finds_the_body_without_its_words(embedder, question: str, body: str) -> None:
    """Real embeddings (all-MiniLM-L6-v2): the service a question is closest to in meaning
    belongs to the body that runs it."""
    senses = senses_for(embedder)
    by_service = senses.by_service(embedder.embed_query(question))
    best = max(by_service, key=lambda s: by_service[s])
    assert best.role == body, (best.role, best.name)


def test_residents_questions_join_their_service_s_examples(tmp_path) -> None:
    written = load_catalogue(asked=None)
    assert all(not s.asked for s in written.services)
    assert sum(len(s.asked) for s in load_catalogue().services) > 1000  # services-asked.yaml
    asked = tmp_path / "asked.yaml"
    asked.write_text("services:\n  Council Tax: [is my house in the right band]\n", "utf-8")
    tax = next(s for s in load_catalogue(asked=asked).services if s.name == "Council Tax")
    assert tax.asked == ("is my house in the right band",)
    misnamed = tmp_path / "misnamed.yaml"
    misnamed.write_text("services:\n  Counsil Tax: [is my house in the right band]\n", "utf-8")
    with pytest.raises(ValueError, match="Counsil Tax"):
        load_catalogue(asked=misnamed)


class CountingEmbedder:
    """A stand-in model: a fixed vector a text (``shift`` makes another model), counting what
    it is asked to embed; ``cache_dir`` as ``load_embedder`` sets it."""

    def __init__(self, cache_dir, shift: float = 0.0) -> None:
        self.name, self.cache_dir, self.shift, self.embedded = "fake", cache_dir, shift, 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        import zlib

        self.embedded += len(texts)
        return [[1.0 + self.shift * i, (zlib.crc32(t.encode()) % 97) / 97.0, 0.5] for i, t in
                enumerate(texts, 1)]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def test_the_catalogue_s_vectors_are_kept_for_the_next_process(tmp_path) -> None:
    from askcouncil.routing import Senses

    first = CountingEmbedder(tmp_path)
    kept = Senses(first).warm()
    texts = sum(1 + len(s.examples) + len(s.asked) for s in load_catalogue().services)
    assert kept is not None and kept.parent == tmp_path and first.embedded == texts
    again = CountingEmbedder(tmp_path)
    question = again.embed_query("my bins")
    assert Senses(again).by_service(question) == Senses(first).by_service(question)
    assert again.embedded == 1 + 1  # the question, and one text to check the file's model
    other = CountingEmbedder(tmp_path, shift=5.0)  # same name, another model: embeds anew
    Senses(other).warm()
    assert other.embedded == 1 + texts  # the check, then all of them
    locked = tmp_path / "locked"
    locked.write_text("a file, not a folder")  # nothing can be kept here: it still routes
    assert Senses(CountingEmbedder(locked)).by_service(question)
