"""A loopback HTTP server for an exported site that applies the export's own rewrite rules.

The rules are read from the shipped nginx snippet (`location ^~ PREFIX { try_files PAGE =404; }`: every
path under PREFIX gets PAGE, whether or not a file of that name exists),
so a change to the snippet changes what the tests see; tests/web/test_web_export.py checks that the
Apache .htaccess says the same.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote, urlsplit

from desktop_app.web.site import NGINX_SNIPPET, SITE_FOLDER

_TRY_FILES = re.compile(r"location\s+\^~\s+(\S+)\s*\{[^}]*?try_files\s+(\S+)\s+=404;", re.S)
_HTACCESS = re.compile(r"^RewriteRule\s+\^(\w+)/\(\?!index\\\.html\$\)\.\s+(\S+)\s+\[END\]", re.M)
_APACHE = re.compile(r"^RewriteRule\s+\^(/\S+/)\(\?!index\\\.html\$\)\.\s+(\S+)\s+\[PT,L\]", re.M)


def nginx_rules(snippet: str) -> list[tuple[str, str]]:
    """(path prefix, file served for any path under it that is not a file) from the nginx snippet."""
    return _TRY_FILES.findall(snippet)


def htaccess_rules(htaccess: str, base: str = f"/{SITE_FOLDER}/") -> list[tuple[str, str]]:
    """The same pairs, read from the .htaccess RewriteRules (RewriteBase /soporte/)."""
    return [(f"{base}{folder}/", f"{base}{target}") for folder, target in _HTACCESS.findall(htaccess)]


def apache_rules(conf: str) -> list[tuple[str, str]]:
    """The same pairs, read from the Apache server configuration's RewriteRules."""
    return _APACHE.findall(conf)


class _Handler(http.server.SimpleHTTPRequestHandler):
    rules: ClassVar[list[tuple[str, str]]] = []

    def send_head(self):  # type: ignore[no-untyped-def]
        path = unquote(urlsplit(self.path).path)
        for prefix, page in self.rules:
            if path.startswith(prefix):
                self.path = page
                break
        return super().send_head()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve `root` (the export's DIR) on 127.0.0.1; yields the base URL."""
    rules = nginx_rules((root / NGINX_SNIPPET).read_text(encoding="utf-8"))
    handler = type("Handler", (_Handler,), {"rules": rules})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
