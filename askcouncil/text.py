"""Text helpers every layer shares."""

from __future__ import annotations

import re

# A str can hold a lone UTF-16 surrogate (JSON "\ud800", or a command-line argument that was not
# valid UTF-8) that no UTF-8 encoder, database or tokenizer accepts.
_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_unicode(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD, so it can be answered, stored and
    shown like any other text (a resident's message is never dropped for one bad character)."""
    return _SURROGATE.sub("\ufffd", text)
