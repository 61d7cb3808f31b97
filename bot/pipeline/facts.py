"""The kinds of fact residents ask for most (a fee, a date or a period, a phone number, opening
hours), as patterns: what a question asking for one looks like, and what a text giving one holds.

Each pattern has one job, and some jobs need a different net, so similar patterns sit side by side
rather than one serving all:

- ``decide`` weighs against answering a question that *asks for* hours, a phone number, a price
  or the date of the next event (``ASKS_*``, strict: "how much is it", not "how much rubbish")
  when no on-topic section of a close page *gives* one; "no charge" counts as a price there
  (``GIVES_PRICE``), a weekday as a date (``GIVES_DATE``).
- ``compose`` favours sections holding the kind of fact a question *mentions* (``WANTS_*``,
  loose: any "cost", "when", "number" or "open"), and shows both figures when two pages give
  different ones (``FIGURE``).
- ``llm_compose`` drops a model's sentence holding a phone number or an amount no source holds:
  there the phone net is wider (``ANY_PHONE``), since a model may write a number in any form.
- ``eval.draft`` quotes the fact it found as the draft question's ``must_include``, so its
  period keeps its lead-in ("within 10 working days") and its date needs a year (``PERIOD``,
  ``FULL_DATE``).
"""

from __future__ import annotations

import re

_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|"
          r"December)")

# -- what a text gives --------------------------------------------------------------------------

# An amount of money: "£35", "£1,250", "£10.50", "£ 49".
AMOUNT = re.compile(r"£\s?[\d,]+(?:\.\d\d)?")
# A text says what something costs: an amount, or that it is free.
COST = re.compile(r"£\s?\d|\bfree\b", re.I)
# ... or that there is no charge: for deciding that a page answers "how much is it?".
GIVES_PRICE = re.compile(r"£\s?\d|\bfree\b|\bno charge\b", re.I)
# A UK phone number as council pages write it: "01632 960606", "0300 555 2222", "01632960101".
PHONE = re.compile(r"\b0\d{3,4} ?\d{3} ?\d{3,4}\b")
# Wider, for a model's reply: three-digit area codes ("020 7946 0000") and short helplines
# ("116 123").
ANY_PHONE = re.compile(r"\b0\d{2,4} ?\d{3} ?\d{3,4}\b|\b\d{3} \d{3}\b")
# A time of day, or round the clock: "9am", "9.30 am", "5:30pm", "17:00", "24 hours".
TIME_OF_DAY = re.compile(r"\b\d{1,2}(?:[:.]\d\d)?\s?(?:am|pm)\b|\b24 hours\b|\b\d\d:\d\d\b", re.I)
# A day of the year or a length of time: "1 April", "21st October", "10 working days",
# "a week", "two months", "3 years".
DATE_OR_PERIOD = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)? {_MONTH}\b|\b(?:\d+|one|two|three|four|five|six|a|an) "
    r"(?:working |calendar |school |clear )?(?:days?|weeks?|months?|years?)\b",
    re.I,
)
# A figure two pages can disagree on: an amount, or a number of days, weeks or months
# ("£35" against "£40"; "10 working days" against "20 working days").
FIGURE = re.compile(AMOUNT.pattern + r"|\b\d+ (?:working |calendar )?(?:days?|weeks?|months?)\b",
                    re.I)
# A period as a draft question quotes it, with its lead-in: "within 10 working days".
PERIOD = re.compile(r"\b(?:within |up to |at least )?\d+ (?:working |calendar |school )?"
                    r"(?:days|weeks|months)\b", re.I)
# A date with its year, month capitalised as pages write it: "3 March 2025".
FULL_DATE = re.compile(rf"\b\d{{1,2}} {_MONTH} \d{{4}}\b")

# -- what a question asks for (strictly: decide declines when the site does not say) ----------

ASKS_HOURS = re.compile(r"\b(?:opening (?:hours|times)|what times? (?:is|are|does|do)\b.*\b"
                        r"(?:open|close)|when (?:is|are|does|do)\b.*\b(?:open|close)s?\??$)", re.I)
ASKS_PHONE = re.compile(r"\b(?:phone|telephone|contact|helpline) number\b", re.I)
ASKS_PRICE = re.compile(
    r"\b(?:how much (?:is|are|does|do|will|would) (?:it|they|the|a|an|my)\b(?!.* notice)|"
    r"what (?:is|are) the (?:cost|price|fee|charge)s?\b|(?:cost|price) of)\b", re.I)

# "When is the next council meeting?", "what date is the open day": a day of the year, which a
# text gives as a date ("3 March", "Tuesday 4 May") or a weekday.
ASKS_DATE = re.compile(r"\bwhen(?:'s| is| are| does| do| will)? (?:the |my |our )?next\b|"
                       r"\bwhat (?:date|day) (?:is|are|does|do|will)\b", re.I)
GIVES_DATE = re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)? {_MONTH}\b|\b{_MONTH} \d{{1,2}}\b|"
                        r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)s?\b|"
                        r"\b(?:every|each) (?:week|fortnight|month)\b", re.I)

# -- what a question mentions (loosely: compose favours text that gives it) --------------------

WANTS_PRICE = re.compile(
    r"\b(?:how much|cost|costs|fee|fees|price|charge|charges|pay for|rate|rates)\b", re.I)
WANTS_DATE = re.compile(r"\b(?:when|deadline|closing date|date|dates|how long|how far|how soon|"
                        r"how quickly|how often|days?|weeks?|months?)\b", re.I)
WANTS_PHONE = re.compile(r"\b(?:phone|call|number|ring|telephone|contact|report)\b", re.I)
WANTS_HOURS = re.compile(r"\b(?:open|opening|hours|what time|times|close|closing)\b", re.I)
