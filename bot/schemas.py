"""Request and response bodies of the public API (the contract the widget and checks rely on)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

TOKEN = r"^[A-Za-z0-9_-]{20,100}$"
StatusName = Literal["answered", "no_answer", "out_of_scope", "refused", "error", "urgent"]


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: StrictStr = Field(description="The resident's question, in plain English.")
    conversation_id: StrictStr | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_-]{8,64}$",
        description="Omit on the first turn; send back the one the first reply gave.",
    )
    conversation_token: StrictStr | None = Field(
        default=None, pattern=TOKEN,
        description="Send back with conversation_id: the one the first reply gave. An id "
        "without its token starts a new conversation.")
    council: StrictStr | None = Field(
        default=None,
        pattern=r"^[a-z0-9][a-z0-9-]{1,40}[a-z0-9]$",
        description="Council slug; defaults to ASKCOUNCIL_COUNCIL.",
    )
    previous_conversation_id: StrictStr | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_-]{8,64}$",
        description="Optional, on the first turn of a new conversation: the conversation_id "
        "this browser had before, so that a resident who comes back within the recontact "
        "window is not counted as contained. Kept only if it is a conversation of the same "
        "council; an unknown one is ignored without an error (nothing says whether it exists).",
    )


class CitationOut(BaseModel):
    n: int
    url: str
    title: str
    section: str
    snippet: str


class HandoffOut(BaseModel):
    label: str
    phone: str | None
    url: str | None
    hours: str | None
    form_url: str | None = Field(default=None, description="The online form for this service.")
    open_now: bool | None = Field(
        default=None, description="Whether the line is open now (Europe/London); null: unknown.")
    availability: str | None = Field(
        default=None, description='For example "open now until 5pm" or "closed now; opens '
        'tomorrow at 9am".')
    body: str | None = Field(
        default=None, description="Set when another body (county council, NHS, DWP) runs the "
        "service.")


class PartOut(BaseModel):
    kind: Literal["text", "list", "table", "contact"]
    text: str | None = Field(default=None, description="kind text: a paragraph; kind contact: "
                             "the contact line as a sentence (the handoff object holds it too).")
    items: list[str] | None = Field(default=None, description="kind list: its items.")
    ordered: bool | None = Field(default=None, description="kind list: numbered steps.")
    rows: list[list[str]] | None = Field(default=None, description="kind table: its rows, "
                                         "the first usually the headings.")
    cites: list[int] = Field(description="The citations (their n) this part is taken from.")


class ChatResponse(BaseModel):
    conversation_id: str
    conversation_token: str = Field(
        description="Send back with conversation_id to continue this conversation; keep it to "
        "this browser.")
    message_id: str
    message_token: str = Field(
        description="Send back with message_id for feedback or events on this answer.")
    status: StatusName
    answer: str
    citations: list[CitationOut]
    handoff: HandoffOut | None
    lang: Literal["en", "cy"] = Field(
        default="en", description="The language the answer is written in (a Welsh question "
        "gets Welsh pages and, where the council file gives Welsh names, Welsh contact lines); "
        "mark the answer with it.")
    question_lang: Literal["en", "cy"] = Field(
        default="en", description="The language the resident's question looks written in, for "
        "the page to mark the question it shows back (a Welsh question in an English page).")
    parts: list[PartOut] = Field(
        default_factory=list, description="The answer's structure, in reading order: "
        "paragraphs, lists and tables, each with the citations it is taken from. It holds the "
        "same words as answer, without the [n] markers.")


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message_id: StrictStr = Field(max_length=64)
    message_token: StrictStr = Field(pattern=TOKEN,
                                     description="The message_token of the answer's reply.")
    helpful: StrictBool
    reason: StrictStr | None = Field(default=None, max_length=500)
    would_have_phoned: StrictBool | None = None


class EventRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message_id: StrictStr = Field(max_length=64)
    message_token: StrictStr = Field(pattern=TOKEN,
                                     description="The message_token of the answer's reply.")
    kind: Literal["phone", "form", "contact", "page", "source"] = Field(
        description="What the resident used: a phone number, an online form, the contact "
        "page, the handoff's web page or a source link.")
    target: StrictStr | None = Field(default=None, max_length=500,
                                     description="The number or address used.")


class FeedbackResponse(BaseModel):
    ok: bool = True


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[dict] | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody
