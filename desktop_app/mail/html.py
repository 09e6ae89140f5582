"""HTML from received mail: made safe to show (nh3) and turned into plain text (the standard library).

`sanitise` keeps an explicit allow-list of formatting tags and drops everything that runs code or
loads something from the network: scripts, styles, frames, forms, `on*` attributes, and images whose
source is not inside the mail (`cid:`) or inline (`data:image/…`). `html_to_text` is a small
`html.parser` walker (html2text is GPL): block elements become line breaks, a link becomes
"text (url)", script and style content is left out.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

import nh3

# Larger HTML is cut before work that grows with its size (the raw mail keeps all of it).
MAX_HTML_CHARS = 2_000_000

_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "center", "cite", "code", "col", "colgroup", "dd",
        "del", "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
        "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strike", "strong", "sub", "sup",
        "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul",
    }
)  # fmt: skip
# Removed together with what they contain (the rest of the unknown tags lose only the tag itself).
_DROP_WITH_CONTENT = frozenset(
    {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "head", "title", "template",
     "noscript", "svg", "math", "form", "select", "textarea", "button"}
)  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan", "align", "valign"},
    "th": {"colspan", "rowspan", "align", "valign"},
    "font": {"color"},
    "ol": {"start"},
    "*": {"dir", "lang"},
}
MAX_NESTING = 800
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]{0,20})")
# Void elements and those a parser closes by itself when the next one starts (<p>, <li>, <td>, …).
_CLOSED_BY_THEMSELVES = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
     "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody", "tfoot", "colgroup",
     "rt", "rp", "html", "head", "body"}
)  # fmt: skip
_URL_SCHEMES = frozenset({"http", "https", "mailto", "cid", "data"})
_SAFE_LINK = re.compile(r"(?i)^(https?:|mailto:)")
_SAFE_IMAGE = re.compile(r"(?i)^(cid:|data:image/(png|jpe?g|gif|webp|bmp);)")


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    """Links only to the web or to mail; images only from inside the mail (no tracking pixels)."""
    if tag == "a" and attribute == "href":
        return value if _SAFE_LINK.match(value.strip()) else None
    if tag == "img" and attribute == "src":
        return value if _SAFE_IMAGE.match(value.strip()) else None
    return value


def _nesting(html: str) -> int:
    """How deep elements that need a closing tag are nested (an estimate from the tags alone)."""
    depth = deepest = 0
    for closing, name in _TAG.findall(html):
        if name.lower() in _CLOSED_BY_THEMSELVES:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        deepest = max(deepest, depth)
    return deepest


def sanitise(html: str) -> str:
    """The HTML with only formatting left: no scripts, styles, frames, event handlers or remote images.

    HTML nested deeper than MAX_NESTING is shown as its text instead: nh3's time grows with the
    square of the nesting of blocks (200,000 `<div>` take minutes), and no mail program writes that.
    """
    if not html:
        return ""
    if _nesting(html[:MAX_HTML_CHARS]) > MAX_NESTING:
        return "<pre>" + escape(html_to_text(html)) + "</pre>"
    try:
        return nh3.clean(
            html[:MAX_HTML_CHARS],
            tags=set(_TAGS),
            clean_content_tags=set(_DROP_WITH_CONTENT),
            attributes={tag: set(names) for tag, names in _ATTRIBUTES.items()},
            attribute_filter=_attribute_filter,
            url_schemes=set(_URL_SCHEMES),
            strip_comments=True,
        )
    except Exception:  # nh3 refuses some input (e.g. lone surrogates): show it as text instead
        return "<pre>" + escape(html_to_text(html)) + "</pre>"


_BLOCK = frozenset(
    {
        "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt", "fieldset", "figcaption",
        "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol",
        "p", "pre", "section", "table", "tbody", "tfoot", "thead", "tr", "ul",
    }
)  # fmt: skip
_SKIP = frozenset({"script", "style", "head", "title", "template", "noscript", "svg", "math", "iframe", "object"})
_VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source", "wbr"})
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


class _TextWriter(HTMLParser):
    """Collects the visible text; `parts` holds text pieces and "\n" markers."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0
        self._pre_depth = 0
        self._links: list[tuple[str, int]] = []  # (href, index in parts where the link text starts)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            if tag not in _VOID:
                self._skip_depth += 1
            return
        if self._skip_depth:
            return
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK:
            self.parts.append("\n")
            if tag == "li":
                self.parts.append("- ")
            elif tag == "pre":
                self._pre_depth += 1
        elif tag in ("td", "th"):
            self.parts.append("\t")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self._links.append((href.strip(), len(self.parts)))
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self.parts.append(f" [{alt}] ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if self._skip_depth:
            return
        if tag in _BLOCK:
            if tag != "li":  # the next item starts its own line; no blank line between items
                self.parts.append("\n")
            if tag == "pre":
                self._pre_depth = max(0, self._pre_depth - 1)
        elif tag == "a" and self._links:
            href, start = self._links.pop()
            label = "".join(self.parts[start:]).strip()
            if _SAFE_LINK.match(href) and href not in label and href.removeprefix("mailto:") not in label:
                self.parts.append(f" ({href})" if label else href)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        self.parts.append(data.replace("\r\n", "\n") if self._pre_depth else _SPACES.sub(" ", data))


def html_to_text(html: str) -> str:
    """The visible text of an HTML document: paragraphs and line breaks kept, links as "text (url)"."""
    if not html:
        return ""
    writer = _TextWriter()
    try:
        writer.feed(html[:MAX_HTML_CHARS])
        writer.close()
    except Exception:  # a parser surprise on broken markup: keep what was read so far
        pass
    lines = [line.strip(" \t") for line in "".join(writer.parts).split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
