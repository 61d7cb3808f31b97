"""Finding what a long message asks (contextualise.focus)."""

from bot.pipeline.contextualise import FOCUS_WORDS, LONG, focus

STORY = ("My mother has lived in the same flat for thirty years and has always managed on her "
         "own. Last winter she had a fall on the ice outside the shops and broke her wrist. "
         "Since then she has been nervous about going out, and my brother and I take turns to "
         "do her shopping, but we both work full time and live an hour away. ")


def test_a_short_message_is_the_question_as_it_stands() -> None:
    question = "how much is a garden waste bin? I live in Kestrelford"
    assert focus(question) == question


def test_a_long_story_is_searched_for_its_question_and_the_sentence_before() -> None:
    message = STORY * 4 + ("She keeps saying she does not want to be a burden on anyone. "
                           "Is there someone who could bring her a hot meal each day?")
    assert len(message) > LONG
    found = focus(message)
    assert found == ("She keeps saying she does not want to be a burden on anyone. Is there "
                     "someone who could bring her a hot meal each day?")


def test_questions_without_a_question_mark_and_several_questions() -> None:
    message = STORY * 4 + ("My question is whether she can get a personal alarm. "
                           "And how much would it cost us every month?")
    found = focus(message)
    assert "personal alarm" in found and "how much would it cost" in found
    assert "broke her wrist" not in found


def test_a_story_that_asks_nothing_in_words_keeps_its_last_two_sentences() -> None:
    message = STORY * 4 + "We are worried about her. Meals on wheels for my mother."
    assert focus(message) == "We are worried about her. Meals on wheels for my mother."


def test_the_focus_is_bounded_and_keeps_the_last_question() -> None:
    message = " ".join(f"Could you tell me about thing number {i} please?" for i in range(60))
    found = focus(message)
    assert len(found.split()) <= FOCUS_WORDS
    assert found.endswith("thing number 59 please?")


def test_a_run_on_message_without_full_stops_keeps_its_end() -> None:
    message = "so basically " + "the bins were not emptied again and " * 80 + "who do I call"
    found = focus(message)
    assert len(found.split()) == FOCUS_WORDS and found.endswith("who do I call")
