"""People's names in a resident's message, found by the words around them (masking.py masks them
last, after addresses and numbers).

A name is recognised only after words that introduce one, never on its own, so a place, a street
or a shop is left alone. Two strengths of cue:

- strong: the words say a name follows ("my name is", "surname:", "Mr", "Mrs", "Ms", a sign-off
  at the end of the message such as "Regards, Tom Jones"): the words after it are the name,
  whatever their case, until one that cannot be part of a name ("my name is *on* the bill");
- weak: the words may or may not introduce one ("I'm", "this is", "thanks", "my son", "my
  neighbour", "Dr", "Miss", "spoke to"): the next word is a name only if it is capitalised and
  not an ordinary word ("I'm Chloe", not "I'm Disabled"), or a common first name in any case
  ("my son jack"); "this is" and "it's" also need what follows to end the name ("This is John
  from...", "it's Jenny again"), so "this is Kestrelford Borough Council" stays.

Measured on tests/corpora/names_*.jsonl and heldout/names_*.jsonl (docs/security.md has the
figures). Masking a little too much is the safe side, but an ordinary word taken for a name
would change the question the gap report shows, so ordinary words are listed generously.
"""

from __future__ import annotations

import re

# Common first names, recognised in lower case after a weak cue ("my son jack", "im stacey").
# Names that are also everyday words ("will", "may", "grace", "bill", "sue", "rob") are left out:
# "my son will start school" must stay. Capitalised, any name is recognised after a cue.
FIRST_NAMES = frozenset("""
aaliyah aaron abbie abdul abdullah abigail adam adrian agnes ahmed aidan aisha alan alana albert
alex alexander alexandra alfie ali alice alison amanda amara amelia amina amir amy andrea
andrew andy angela anita ann anna anne annie anthony archie arthur ashley aston aurora ayesha
barbara barry bartosz ben benjamin bernadette bethan beth bethany beverley bev bilal brenda
brian bronwen bryony caitlin callum cameron carl carol caroline catherine catrin charlie
charlotte chelsea chloe chris christine christopher claire clare colin connor craig dafydd
daniel danny darren dave david dawid dean debbie deborah declan dennis derek diane dominic donna
doris dorothy dylan edna edward eileen eleanor eleri elizabeth ella ellie emily emma eric erin
ethan evie fatima fiona florence francesca freddie freya gail gareth gary gemma geoffrey george
georgia gill gillian glyn gordon graham grzegorz gwen gwyneth hannah harriet harry harvey hayley
heather helen henry hollie hussain ian imran iqbal irene isabel isabella isla iwan jack jackie
jacob jake james jamal jamie jan jane janet janice jason jayden jean jennifer jenny jessica
jill joanne joe joel john jonathan joseph josh joshua joyce judith julie karen kasia katie kayleigh
keith kelly kerry kevin kev khadija kieran kirsty kyle laura lauren leah lee leighton lesley
lewis liam linda lisa liz lois lorraine louise lucy luke lynn lynne maisie malcolm mandy
marcus margaret maria marie marion martin mary matthew maureen megan melanie michael michelle
mohammad mohammed muhammad nadia naomi natalie nathan naveed neil nia nicola nicholas nigel noah
olivia oliver owen paul paula pauline peter philip phillip piotr priya rachel rebecca rhian
roy rhys richard robert robbie rosemary ryan sally samantha samuel sandra sara sarah scott sean
shane sharon sheila shirley sian siân simon siobhan sophie stacey stephanie stephen steve steven
stuart susan suzanne tariq teresa terry thomas tim timothy tom tomasz tony tracey tracy trevor
tyler valerie vicky victoria wayne wendy william yasmin yusuf zara zoe zoë
""".split())

# Surnames recognised in lower case after a lower-case first name ("my neighbour dave brown").
SURNAMES = frozenset("""
ahmed ali allen baker begum bennett brown campbell chowdhury clark clarke collins cook cooper
davies davis edwards evans green griffiths hall harris hughes hussain jackson james jenkins
johnson jones kaur khan king lewis lloyd martin mitchell moore morgan morris murphy nowak owen
parry patel phillips powell price rahman roberts robinson scott shah singh smith taylor thomas
thompson turner walker ward watson white williams wilson wood wright young
""".split())

# Words that end a name under any cue: what follows "my name is", "I'm" or "thanks" when no name
# does ("my name is on the bill", "I'm moving", "thanks for your help", "cheers mate").
ORDINARY = frozenset("""
a about above absolutely across after again against ago all almost already also although always
round
am an and anon another any anyone anything anyway anyways appreciated are around as at away back
bad be because been before behind being below best better between bit blind blue bot both
brilliant brill bud busy but by can cannot cant carer certain claiming completely concerned
confused could council currently dear deaf desperate did disabled do does done down due during
each either eligible else elsewhere emailing enough entitled even ever every everybody everyone
everything extremely fed few fine finding first fixing for forward from frustrated fuming
further getting glad going gone good great guys had half happy has have having he heaps her here
hers him his home homeless hopefully housebound how however i if ill in indeed interested into
is it its just kind kindly last late likely living lol looking lot lots loads love lovely mad
many mate me mine missing more most moving much must my myself near nearly never new next no
none nor not nothing now of off oh ok okay old on once one only onto or other our out over own
pal partially please pregnant pretty quite rather re ready really recently registered renting
responsible retired ringing ridiculous right same self self-employed sick since sir so some
someone something sorry spelled spelt stillborn still struggling stuck such sure than thank
thankful thanks that the their them then there these they this those though through to today
told too tried trying twice unable under unemployed unhappy until up upset urgent us very
visually waiting was we well were what when where whether which while who why will with within
without wondering worried would wrong x xx xxx yes yet you your yours listed shown printed used
put written showing incorrect different correct misspelt misspelled changed removed added
included mentioned displayed given
""".split())

# Capitalised words that are not people: days, months, holidays, nationalities and languages,
# faiths, and the council's own words ("I'm English", "it's Monday", "spoke to Revenues").
NOT_PEOPLE = frozenset("""
monday tuesday wednesday thursday friday saturday sunday january february march april may june
july august september october november december christmas easter boxing eid diwali new year
english welsh scottish irish british polish indian pakistani bangladeshi romanian italian
spanish portuguese french german african caribbean european asian muslim christian jewish hindu
sikh catholic church england wales scotland deaf disabled council councillor borough county
district city town parish revenues benefits housing waste recycling planning environmental
highways customer services team department office universal credit pension tax band blue badge
year reception nursery school college university nhs gp hospital police bank
""".split()) | ORDINARY

_TITLE_STRONG = r"(?:mr|mrs|ms|mx)"
_TITLE_WEAK = r"(?:miss|dr|doctor|prof|professor|rev|revd|reverend|sir|dame|cllr|councillor)"
_TITLE = re.compile(rf"(?:{_TITLE_STRONG}|{_TITLE_WEAK})\.?$", re.I)
_RELATION = (r"(?:son|daughter|child|boy|girl|baby|husband|wife|partner|fianc[eé]e?|"
             r"boyfriend|girlfriend|mum|mom|mam|mother|dad|father|nan|nana|nanna|gran|granny|"
             r"grandma|grandad|granddad|grandpa|grandmother|grandfather|grandson|granddaughter|"
             r"grandchild|brother|sister|aunt|auntie|aunty|uncle|cousin|niece|nephew|"
             r"neighbour|neighbor|friend|carer|landlord|landlady|lodger|tenant|flatmate|"
             r"housemate|colleague|boss|social worker|support worker|key worker|"
             r"step(?:son|daughter|mum|mother|dad|father|brother|sister)|"
             r"(?:son|daughter|brother|sister|father|mother)[- ]in[- ]law)")
_BEFORE_RELATION = (r"(?:(?:late|little|eldest|oldest|youngest|elderly|disabled|next[- ]door|"
                    r"new|old|best|ex|baby|twin|older|younger|big)\s+)*")
_SIGN_OFF = (r"(?:many thanks|thank(?:s| you)(?: (?:so|very) much| a lot| again)?|thankyou|thx|ta|"
             r"cheers|regards|"
             r"kind regards|best regards|warm regards|best wishes|all the best|best|"
             r"yours sincerely|yours faithfully|yours truly|sincerely|love|diolch yn fawr|diolch|"
             r"yn gywir|cofion)")

STRONG, WEAK, SIGN_OFF, THIS_IS, HERE, FULL = ("strong", "weak", "sign-off", "this is", "here",
                                              "full name")
# Second words that make a first name a place: "Victoria Road", "Albert Park", "Elizabeth Line".
PLACES = frozenset("""
road rd street st lane avenue ave close drive way crescent gardens place court terrace grove hill
row square mews walk parade view rise park centre center hall house station bridge hospital
school academy college primary infants juniors church chapel library leisure pool estate field
fields green common woods line dock docks palace gate gates lodge farm cottage cottages
surgery practice medical clinic building buildings tower towers works market arcade quay wharf
theatre museum ward wing unit
""".split())
# Each cue ends where a name may begin.
CUES: list[tuple[str, re.Pattern[str]]] = [
    (STRONG, re.compile(r"\b(?:(?:sur|fore|first |last |full |maiden |middle |christian |"
                        r"given )?name(?:\s+(?:is|was)\b|['’]s\b|\s*:|\s+-)|my names\b)\s*",
                        re.I)),
    (STRONG, re.compile(r"\bin (?:my|his|her|our|their) (?:sole |joint )?names?,\s*", re.I)),
    (STRONG, re.compile(r"\bfy enw(?: i)? (?:yw|ydy|ydi)\s+|\benw:\s*", re.I)),
    (STRONG, re.compile(rf"\b{_TITLE_STRONG}\.?\s+", re.I)),
    (WEAK, re.compile(rf"\b{_TITLE_WEAK}\.?\s+", re.I)),
    (WEAK, re.compile(r"\b(?:i['’]?m|i am)\s+(?:(?:called|named)\s+)?|"
                      r"\b(?:(?:he|she)(?:['’]s| is)|(?:who|and) is)\s+(?:called|named)\s+", re.I)),
    (WEAK, re.compile(r"\b(?:spoke|speak|spoken|talked|talk|chatted) (?:to|with)\s+|"
                      r"\bask(?:ed)? for\s+", re.I)),
    (WEAK, re.compile(rf"\b(?:my|our|his|her|their)\s+{_BEFORE_RELATION}{_RELATION},?\s+",
                      re.I)),
    (THIS_IS, re.compile(r"\b(?:this is|it['’]?s)\s+(?:me,?\s+|only\s+)?", re.I)),
    (HERE, re.compile(r"^\s*(?:(?:hi|hello|hiya|hey|morning|afternoon|evening|"
                      r"good (?:morning|afternoon|evening))[,!.]?\s+)?", re.I)),
    # A first name and a surname, both capitalised, with no cue: "where Gary Wood lives now"
    (FULL, re.compile(r"(?=\b(?-i:[A-Z][a-z]+)\s+(?-i:[A-Z]))")),
    (SIGN_OFF, re.compile(rf"\b{_SIGN_OFF}\b[,.!:-]?\s*", re.I)),
]
# A word of a name: letters, with inner hyphens and apostrophes (Smith-Jones, O'Neill, but not
# the possessive of Smith's); an initial may carry a full stop.
_WORD = re.compile(r"[^\W\d_]\.(?!\w)|[^\W\d_]+(?:(?:-|['’](?!s\b))[^\W\d_]+)*")
_GAP = re.compile(r"[ \t]+")
_ENDS_THIS_IS = re.compile(r"\s*(?:[,.!?;:\n)]|$|\s(?:from|here|again|speaking|calling|"
                           r"writing|at|of)\b)", re.I)
_ENDS_HERE = re.compile(r"\s+here\s*(?:[,.!:;\n–-]|$)", re.I)
_ENDS_MESSAGE = re.compile(r"(?:\s*(?:x+|[.!,:;)]+|[\U0001F300-\U0001FAFF\u2600-\u27BF]))*\s*$",
                           re.I)
MAX_WORDS = 4


def _plain(word: str) -> str:
    return word.rstrip(".").lower().replace("’", "'")


def _capitalised(word: str) -> bool:
    return word[0].isupper() and (len(word.rstrip(".")) == 1 or not word.isupper())


def _first_word_is_name(word: str, strength: str) -> bool:
    plain = _plain(word)
    if strength == FULL:
        return _capitalised(word) and plain in FIRST_NAMES
    if plain in ORDINARY or (plain in NOT_PEOPLE and strength != STRONG):
        return False
    if strength in (STRONG, SIGN_OFF):
        return True
    return plain in FIRST_NAMES or (_capitalised(word) and plain not in NOT_PEOPLE)


def _next_word_is_name(word: str, first: str, strength: str) -> bool:
    plain = _plain(word)
    if plain in ORDINARY or plain in NOT_PEOPLE or (strength == FULL and plain in PLACES):
        return False
    if strength in (STRONG, SIGN_OFF) or _capitalised(word):
        return True
    # lower case after a weak cue: a surname only after a lower-case first name
    return not _capitalised(first) and (plain in SURNAMES or plain in FIRST_NAMES)


def _name_after(text: str, at: int, strength: str) -> tuple[int, int] | None:
    """The span of the name that starts at ``at`` (after a cue), if there is one."""
    words: list[re.Match[str]] = []
    pos = at
    m = _WORD.match(text, pos)
    if m and _TITLE.match(m.group(0)):  # "regards, Mr D Hughes", "I'm Mrs Patel": after it
        gap = _GAP.match(text, m.end() + (text[m.end():m.end() + 1] == "."))
        if gap:
            pos = gap.end()
            strength = STRONG if _plain(m.group(0)) in ("mr", "mrs", "ms", "mx") else strength
    while len(words) < MAX_WORDS:
        m = _WORD.match(text, pos)
        if m is None:
            break
        word = m.group(0)
        ok = (_first_word_is_name(word, strength) if not words
              else _next_word_is_name(word, words[0].group(0), strength))
        if not ok:
            break
        words.append(m)
        gap = _GAP.match(text, m.end())
        if gap is None:
            break
        pos = gap.end()
    if not words:
        return None
    return words[0].start(), words[-1].end()


def name_spans(text: str) -> list[tuple[int, int]]:
    """Where the names are in ``text``: (start, end) pairs, sorted, not overlapping."""
    spans: list[tuple[int, int]] = []
    for strength, cue in CUES:
        for c in cue.finditer(text):
            if strength == HERE and c.start() != 0:
                continue
            found = _name_after(text, c.end(), WEAK if strength in (THIS_IS, HERE) else strength)
            if found is None:
                continue
            start, end = found
            if strength == THIS_IS and not _ENDS_THIS_IS.match(text, end):
                continue
            if strength == HERE and not _ENDS_HERE.match(text, end):
                continue
            if strength == SIGN_OFF and not _ENDS_MESSAGE.match(text, end):
                continue
            if strength == FULL and not re.search(r"\s", text[start:end]):
                continue  # a first name alone, with no cue, is not taken for a name
            spans.append(found)
    # The same name said again later ("my fiance, Daniel, ... Daniel's visa"): each word of a
    # name found, wherever else it stands, in the same case.
    words = {w for start, end in spans for w in _WORD.findall(text[start:end])
             if len(w.rstrip(".")) > 1}
    for w in words:
        again = re.compile(rf"(?<![\w'’-]){re.escape(w)}(?![\w-])")
        spans += [(m.start(), m.end()) for m in again.finditer(text)]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def mask_names(text: str, tag: str = "[name]") -> str:
    for start, end in reversed(name_spans(text)):
        text = text[:start] + tag + text[end:]
    return text
