"""The answer pipeline: a visible list of small steps acting on one TurnContext.

The runner calls each step in turn, announcing it on the stream and timing it (``timings_ms``).
Any step may stop the turn by setting a status other than ``answered`` with a plain-English
reply; a step that raises becomes an ``error`` reply (``ERROR_REPLY``), never a stack trace.
Once the turn is stopped, the steps left are skipped, except those in ``ALWAYS_RUN``: today only
``hand_off``, the last step of both lists, so every reply ends the same way (the contact line
when the bot cannot answer, and the preamble before the answer) however the turn went.

The steps are numbered as in ``LLM_STEPS``, the longer list (docs/architecture.md, "Answer
pipeline"); ``DEFAULT_STEPS`` is the same list without step 7.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from askcouncil.errors import IndexUnavailable
from bot.pipeline.check import check_output
from bot.pipeline.cite import cite
from bot.pipeline.compose import compose
from bot.pipeline.context import Status, TurnContext
from bot.pipeline.contextualise import contextualise
from bot.pipeline.decide import decide
from bot.pipeline.handoff import hand_off
from bot.pipeline.llm_compose import llm_compose
from bot.pipeline.replies import ERROR_REPLY
from bot.pipeline.retrieve import retrieve
from bot.pipeline.screen import screen_input
from bot.services import Services

log = logging.getLogger(__name__)

Step = Callable[[TurnContext, Services], None]

DEFAULT_STEPS: list[Step] = [
    screen_input,  # 1
    contextualise,  # 2
    retrieve,  # 3
    decide,  # 4
    compose,  # 5
    cite,  # 6
    check_output,  # 8
    hand_off,  # 9: always runs
]
# With ASKCOUNCIL_LLM: the chat model rewrites the extractive answer (after cite), which stays
# as the fallback; everything else is the same.
LLM_STEPS: list[Step] = [
    screen_input,  # 1
    contextualise,  # 2
    retrieve,  # 3
    decide,  # 4
    compose,  # 5
    cite,  # 6
    llm_compose,  # 7
    check_output,  # 8
    hand_off,  # 9: always runs
]
# Run even when an earlier step stopped the turn or failed.
ALWAYS_RUN: frozenset[Step] = frozenset({hand_off})


def run_pipeline(ctx: TurnContext, services: Services, steps: list[Step] | None = None) -> None:
    began = time.perf_counter()
    for step in steps or DEFAULT_STEPS:
        if ctx.stopped_by is not None and step not in ALWAYS_RUN:
            continue
        t0 = time.perf_counter()
        ctx.send("status", {"step": step.__name__})
        try:
            step(ctx, services)
        except IndexUnavailable as exc:
            log.warning("index unavailable in %s: %s", step.__name__, exc)
            ctx.candidates, ctx.citations = [], []
            ctx.stop(Status.ERROR, ERROR_REPLY)
            ctx.stopped_by = step.__name__
        except Exception:
            log.exception("pipeline step %s failed", step.__name__)
            ctx.citations = []
            ctx.stop(Status.ERROR, ERROR_REPLY)
            ctx.stopped_by = step.__name__
        ctx.timings_ms[step.__name__] = round((time.perf_counter() - t0) * 1000, 2)
        if ctx.stopped_by is None and ctx.status not in (None, Status.ANSWERED):
            ctx.stopped_by = step.__name__
    ctx.timings_ms["total"] = round((time.perf_counter() - began) * 1000, 2)
