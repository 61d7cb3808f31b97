"""The answer pipeline: a visible list of small steps acting on one TurnContext.

Any step may stop the pipeline by setting a status and a plain-English reply. A step that fails
becomes an ``error`` reply with a handoff; it never reaches the resident as a stack trace.
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
    screen_input,
    contextualise,
    retrieve,
    decide,
    compose,
    cite,
    check_output,
]
# With ASKCOUNCIL_LLM: the chat model rewrites the extractive answer (after cite), which stays
# as the fallback; everything else is the same.
LLM_STEPS: list[Step] = [
    screen_input,
    contextualise,
    retrieve,
    decide,
    compose,
    cite,
    llm_compose,
    check_output,
]



def run_pipeline(ctx: TurnContext, services: Services, steps: list[Step] | None = None) -> None:
    began = time.perf_counter()
    for step in steps or DEFAULT_STEPS:
        t0 = time.perf_counter()
        ctx.send("status", {"step": step.__name__})
        try:
            step(ctx, services)
        except IndexUnavailable as exc:
            log.warning("index unavailable in %s: %s", step.__name__, exc)
            ctx.candidates, ctx.citations = [], []
            ctx.stop(Status.ERROR, ERROR_REPLY)
        except Exception:
            log.exception("pipeline step %s failed", step.__name__)
            ctx.citations = []
            ctx.stop(Status.ERROR, ERROR_REPLY)
        ctx.timings_ms[step.__name__] = round((time.perf_counter() - t0) * 1000, 2)
        if ctx.status not in (None, Status.ANSWERED):
            ctx.stopped_by = step.__name__
            break
    hand_off(ctx, services)
    if ctx.preamble:
        ctx.answer = "\n".join([*ctx.preamble, ctx.answer])
    ctx.timings_ms["total"] = round((time.perf_counter() - began) * 1000, 2)
