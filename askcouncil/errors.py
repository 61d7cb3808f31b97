"""One error hierarchy for the whole product. The API turns these into one JSON error shape."""


class AskCouncilError(Exception):
    """Base class. ``code`` is stable and machine-readable; the message is plain English."""

    code = "error"
    http_status = 500


class ConfigError(AskCouncilError, ValueError):
    code = "config_error"
    http_status = 500


class BadInput(AskCouncilError, ValueError):
    code = "bad_input"
    http_status = 422


class NotFound(AskCouncilError):
    code = "not_found"
    http_status = 404


class IndexUnavailable(AskCouncilError):
    """The vector store cannot be reached or holds nothing for this council."""

    code = "index_unavailable"
    http_status = 503


class StoreUnavailable(AskCouncilError):
    """The analytics database cannot be reached."""

    code = "store_unavailable"
    http_status = 503


class CrawlError(AskCouncilError):
    code = "crawl_error"
