"""What an agent's rich text may contain, and its plain-text twin for email clients (pure).

The HTML is cleaned with nh3 (the Ammonia sanitiser): a short list of formatting tags,
links with http, https or mailto only; scripts, styles, event handlers and images are
dropped. Cleaning runs before a mailing is saved, so stored HTML is always safe."""

import html
import re
from html.parser import HTMLParser

import nh3

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a", "h2", "h3", "blockquote"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
BLOCK_TAGS = frozenset({"p", "ul", "ol", "h2", "h3", "blockquote", "div"})


def sanitise_html(raw: str) -> str:
    """The allowed subset of `raw`; links open nothing but a web page or a mail client."""
    return nh3.clean(
        raw,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
    ).strip()


class _TextWriter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.href: str | None = None
        self.ordered: list[int | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in BLOCK_TAGS:
            self.parts.append("\n\n")
            if tag == "ol":
                self.ordered.append(0)
            elif tag == "ul":
                self.ordered.append(None)
        elif tag == "li":
            counter = self.ordered[-1] if self.ordered else None
            if counter is None:
                self.parts.append("\n• ")
            else:
                self.ordered[-1] = counter + 1
                self.parts.append(f"\n{counter + 1}. ")
        elif tag == "a":
            self.href = dict(attrs).get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCK_TAGS:
            self.parts.append("\n\n")
            if tag in ("ol", "ul") and self.ordered:
                self.ordered.pop()
        elif tag == "a":
            if self.href and not self.href.startswith("mailto:"):
                self.parts.append(f" ({self.href})")
            self.href = None

    def handle_data(self, data: str) -> None:
        self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(safe_html: str) -> str:
    """Readable plain text of sanitised HTML: paragraphs, bullets, links as "text (url)"."""
    writer = _TextWriter()
    writer.feed(safe_html)
    writer.close()
    lines = [line.strip() for line in "".join(writer.parts).splitlines()]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return html.unescape(text).strip()


def has_visible_text(safe_html: str) -> bool:
    """True when the HTML shows at least one character (an empty editor sends "<p><br></p>")."""
    return bool(html_to_text(safe_html).strip())
