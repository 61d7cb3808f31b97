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
# after an answer from the site of one part of the council's area only (a predecessor's)
ONE_AREA_NOTE = "This is for that area only: other parts of the council's area may differ."

# The same words in Welsh, for a resident who writes in Welsh (``hand_off`` swaps them in when
# everything else the reply says can be said in Welsh too; docs/configuration.md, "Welsh").
WELSH = {
    NO_ANSWER_REPLY: "Ni allwn ddod o hyd i ateb i hynny ar wefan y cyngor.",
    ERROR_REPLY: ("Mae'n ddrwg gen i, ni allaf ateb cwestiynau ar hyn o bryd oherwydd problem "
                  "dechnegol."),
    IN_WORDS_REPLY: ("Teipiwch eich cwestiwn mewn geiriau, er enghraifft \"Pryd mae fy miniau'n "
                     "cael eu casglu?\""),
    REFUSED_REPLY: (
        "Ni allaf helpu gyda hynny. Dim ond cwestiynau am wasanaethau'r cyngor y gallaf eu hateb, "
        "gan ddefnyddio gwybodaeth a gyhoeddwyd ar wefan y cyngor."),
    SET_ASIDE_NOTE: (
        "Ni allaf newid sut rydw i'n gweithio na rhannu sut y cefais fy sefydlu, ond dyma beth "
        "mae gwefan y cyngor yn ei ddweud am eich cwestiwn."),
    OTHER_PEOPLE_REPLY: (
        "Ni allaf chwilio am wybodaeth am bobl eraill na'i rhannu. Dim ond gwybodaeth gyffredinol "
        "o wefan y cyngor y gallaf ei rhoi. Os ydych yn poeni am rywun, cysylltwch â'r cyngor."),
    DEFAMATION_REPLY: (
        "Ni allaf ysgrifennu hynny. Dim ond gwybodaeth a gyhoeddwyd ar wefan y cyngor y gallaf ei "
        "rhoi. Os ydych am gwyno am y cyngor neu aelod o staff, mae tudalen gwynion y cyngor yn "
        "esbonio sut."),
    OUT_OF_SCOPE_REPLY: (
        "Dim ond gyda chwestiynau am wasanaethau'r cyngor y gallaf helpu, gan ddefnyddio "
        "gwybodaeth o wefan y cyngor. Gofynnwch am finiau, y Dreth Gyngor, parcio, tai neu "
        "wasanaeth arall."),
    CALM_REPLY: "Mae'n ddrwg gen i fod hyn wedi bod yn rhwystredig. Fe wnaf fy ngorau i helpu.",
    CALM_ONLY_REPLY: (
        "Mae'n ddrwg gen i fod hyn wedi bod yn rhwystredig. Os dywedwch wrthyf beth sydd ei angen "
        "arnoch, er enghraifft \"Pryd mae fy miniau'n cael eu casglu?\", fe wnaf fy ngorau i "
        "helpu, neu gallaf roi'r rhif cywir i chi ei ffonio."),
    PERSONAL_DATA_NOTE: (
        "Peidiwch â rhannu manylion personol fel rhifau ffôn, cyfeiriadau e-bost neu rifau cyfrif "
        "yma. Rydw i wedi'u dileu, ac nid oes eu hangen arnaf i ateb."),
    ONE_AREA_NOTE: ("Mae hyn ar gyfer yr ardal honno yn unig: gall rhannau eraill o ardal y "
                    "cyngor fod yn wahanol."),
}


def out_of_hours_note(label: str, phone: str, lang: str = "en") -> str:
    """Said first when a message is urgent at home (no heating, nowhere to sleep tonight)."""
    if lang == "cy":
        return f"Os yw hyn yn argyfwng y tu allan i oriau swyddfa, ffoniwch {label} ar {phone}."
    return f"If this is an emergency outside office hours, call {label} on {phone}."


def run_by_note(body: str, council: str, lang: str = "en") -> str:
    """Said when another body runs the service: before an answer, or in a handoff."""
    if lang == "cy":
        return f"Nid {council} sy'n rhedeg y gwasanaeth hwn, ond {body}."
    return f"This service is run by {body}, not by {council}."


def area_label(area: str, whose: str | None, lang: str = "en") -> str:
    """"For North Kestrelford (the former North Kestrelford Borough Council's website):"."""
    site = f" ({whose}'s website)" if whose else ""
    return f"Ar gyfer {area}{site}:" if lang == "cy" else f"For {area}{site}:"
