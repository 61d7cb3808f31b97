"""Serve a static council website on loopback: the bundled sample site, or any folder.

For the bundled site, ``robots.txt`` and ``sitemap.xml`` are generated for the address the server
listens on (a sitemap must name absolute URLs). Folders that ship their own are served as-is.
"""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE_SITE = REPO / "sample_site" / "site"

ROBOTS = "User-agent: *\nDisallow: /search/\n\nSitemap: {base}/sitemap.xml\n"


class _Handler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        root = Path(self.directory)
        path = self.path.split("?")[0]
        base = f"http://{self.headers.get('Host') or '127.0.0.1'}"
        if path == "/robots.txt" and not (root / "robots.txt").exists():
            return self._send(ROBOTS.format(base=base).encode(), "text/plain")
        if path == "/sitemap.xml" and not (root / "sitemap.xml").exists():
            urls = sorted(
                p.relative_to(root).as_posix()
                for p in root.rglob("*.html")
                if not p.relative_to(root).as_posix().startswith("search/")
            )
            body = "".join(f"  <url><loc>{base}/{u}</loc></url>\n" for u in urls)
            xml = (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                f"{body}</urlset>\n"
            )
            return self._send(xml.encode(), "application/xml")
        return super().do_GET()

    def _send(self, body: bytes, ctype: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def start_site_server(
    root: Path = SAMPLE_SITE, host: str = "127.0.0.1", port: int = 0
) -> tuple[ThreadingHTTPServer, str]:
    """Start serving ``root`` in a daemon thread; returns the server and its base URL."""
    if not (root / "index.html").is_file():
        raise FileNotFoundError(f"{root} has no index.html")
    handler = functools.partial(_Handler, directory=str(root))
    server = ThreadingHTTPServer((host, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True, name="site-server").start()
    return server, f"http://{host}:{server.server_address[1]}/"


def serve_site(root: Path | None = None, host: str = "127.0.0.1", port: int = 8001) -> None:
    """``askcouncil site serve``: serve ``root`` (default: the sample site) until Ctrl+C or
    SIGTERM."""
    import signal

    stopped = threading.Event()
    server, url = start_site_server(root or SAMPLE_SITE, host=host, port=port)
    print(f"Serving {root or 'the sample council site'} at {url} (Ctrl+C to stop)", flush=True)
    on_main = threading.current_thread() is threading.main_thread()
    previous = {sig: signal.signal(sig, lambda *_: stopped.set())
                for sig in (signal.SIGINT, signal.SIGTERM)} if on_main else {}
    try:
        stopped.wait()
    finally:
        server.shutdown()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
