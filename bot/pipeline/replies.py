"""Every stock reply the pipeline gives, in one place: the words a resident reads when the bot
does not answer from a page (a status other than ``answered``), so they can be reviewed together.
The steps name them; handoff text and crisis signposting are built from the council's file."""

from __future__ import annotations

NO_ANSWER_REPLY = "I couldn't find an answer to that on the council's website."
ERROR_REPLY = "Sorry, I can't answer questions right now because of a technical problem."
IN_WORDS_REPLY = "Please ask your question in words, for example \"When is my bin collected?\""
REFUSED_REPLY = (
    "I can't help with that. I can only answer questions about council services, using "
    "information published on the council's website."
)
# said first when a message held instructions to the bot as well as a question: they are ignored
SET_ASIDE_NOTE = (
    "I can't change how I work or share how I was set up, but here is what the council's "
    "website says about your question."
)
OTHER_PEOPLE_REPLY = (
    "I can't look up or share information about other people. I can only give general "
    "information from the council's website. If you have a concern about someone, contact the "
    "council."
)
DEFAMATION_REPLY = (
    "I can't write that. I can only give information published on the council's website. If "
    "you want to complain about the council or a member of staff, the council's complaints "
    "page explains how."
)
OUT_OF_SCOPE_REPLY = (
    "I can only help with questions about council services, using information from the "
    "council's website. Try asking about bins, Council Tax, parking, housing or another service."
)
CALM_REPLY = "I'm sorry this has been frustrating. I'll do my best to help."
CALM_ONLY_REPLY = (
    "I'm sorry this has been frustrating. If you tell me what you need, for example \"When is "
    "my bin collected?\", I'll do my best to help, or I can give you the right number to call."
)
PERSONAL_DATA_NOTE = (
    "Please don't share personal details such as phone numbers, email addresses or account "
    "numbers here. I've removed them, and I don't need them to answer."
)
