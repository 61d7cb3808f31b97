"""The site report for web editors, written after every crawl: first, loudly, whether the
crawl stopped at its page limit before reaching the whole site; what was crawled, skipped and
failed; broken links with the pages that link to them; pages with no main content; documents
only available as PDF; duplicate pages; pages missing from the sitemap; pages not updated for
over two years. JSON for machines, HTML for people."""

from __future__ import annotations

import email.utils
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader

from askcouncil import urls
from crawler.crawl import CrawlReport
from crawler.fetch import url_key

STALE_AFTER = timedelta(days=730)


def _date(value: str | None) -> datetime | None:
    """A Last-Modified header (RFC 1123) or a sitemap lastmod (W3C date or datetime)."""
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        pass
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def build_site_report(report: CrawlReport, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)

    def linked_from(url: str) -> list[str]:
        return sorted(report.links_to.get(url_key(url), set()))

    stale = []
    for url, info in report.fetched.items():
        dates = [d for d in (_date(info.get("last_modified")),
                             _date(report.sitemap.get(url_key(info.get("requested") or url))))
                 if d is not None]
        if dates and now - max(dates) > STALE_AFTER:
            stale.append({"url": url, "title": info["title"],
                          "last_updated": max(dates).date().isoformat()})
    in_sitemap = set(report.sitemap)
    return {
        "start_url": report.start_url,
        "generated_at": now.isoformat(timespec="seconds"),
        "complete": report.complete,
        "cut_short": None if report.max_pages is None else {
            "max_pages": report.max_pages,
            "left_unfetched": report.left_unfetched,
            "setting": "ASKCOUNCIL_CRAWL_MAX_PAGES",
            "message": report.cut_short(),
        },
        "full_revalidation": report.full_revalidation,
        "summary": {
            "pages_fetched": report.pages_fetched,
            "pages_not_modified": len(report.not_modified),
            "pages_not_fetched_over_the_page_limit": report.left_unfetched,
            "documents_fetched": report.documents_fetched,
            "skipped_by_robots": report.skipped_robots,
            "skipped_by_council_patterns": report.skipped_config,
            "failed": report.failed,
            "broken_links": len(report.broken),
            "pages_without_main_content": len(report.empty_pages),
            "duplicates": len(report.duplicates_of),
            "missing_from_sitemap": 0,  # filled in below
            "not_updated_for_two_years": len(stale),
            "chunks_written": report.chunks_written,
        },
        "broken_links": [
            {"url": url, "status": status, "linked_from": linked_from(url)}
            for url, status in sorted(report.broken.items())
        ],
        "failed": [e for e in report.errors if not any(e.startswith(f"{u}:")
                                                       for u in report.broken)],
        "pages_without_main_content": sorted(report.empty_pages),
        "pdf_only_documents": [
            {"url": url, "title": info["title"], "linked_from": linked_from(url)}
            for url, info in sorted(report.fetched.items()) if info["kind"] in ("pdf", "docx")
        ],
        "duplicates": [{"url": url, "duplicate_of": of}
                       for url, of in sorted(report.duplicates_of.items())],
        "missing_from_sitemap": sorted(
            url for url, info in report.fetched.items()
            if in_sitemap and url_key(info.get("requested") or url) not in in_sitemap
            and url_key(url) not in in_sitemap and url_key(url) != url_key(report.start_url)
        ),
        "not_updated_for_two_years": sorted(stale, key=lambda s: s["last_updated"]),
    }


TEMPLATE = Path(__file__).resolve().parent / "templates" / "site_report.html"


def write_site_report(data: dict[str, Any], folder: Path) -> Path:
    """Write report-<time>.json and .html, and latest.json and .html; return the HTML path."""
    folder.mkdir(parents=True, exist_ok=True)
    data["summary"]["missing_from_sitemap"] = len(data["missing_from_sitemap"])
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    env = urls.install(Environment(loader=FileSystemLoader(TEMPLATE.parent), autoescape=True))
    page = env.get_template(TEMPLATE.name).render(r=data)
    text = json.dumps(data, indent=2)
    for name in (f"report-{stamp}", "latest"):
        (folder / f"{name}.json").write_text(text, "utf-8")
        (folder / f"{name}.html").write_text(page, "utf-8")
    return folder / f"report-{stamp}.html"
