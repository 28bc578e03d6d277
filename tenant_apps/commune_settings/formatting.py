"""Portal texts: plain text with a little Markdown-like formatting, rendered to safe HTML.

Everything the agent types is escaped first, so HTML (a pasted <script>, an
onclick attribute) is shown as text and never reaches the page as markup. Then:

- a blank line separates paragraphs; a single line break stays a line break;
- "## Titre" (or "### Titre") starts a heading;
- lines starting with "- " or "* " form a bulleted list, "1. " a numbered list;
- **gras**, *italique* or _italique_;
- [texte](https://adresse) is a link; only http(s), mailto: and tel: addresses and
  paths of this site ("/...") become links, anything else stays text.
"""

import html
import re

from django.utils.safestring import SafeString, mark_safe

HEADING = re.compile(r"^(#{2,3})\s+(.+)$")
BULLET = re.compile(r"^[-*]\s+(.+)$")
NUMBERED = re.compile(r"^\d{1,3}[.)]\s+(.+)$")
LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")
BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
ITALIC = re.compile(r"(?<![\w*])[*_](?=\S)([^*_\n]+?)(?<=\S)[*_](?![\w*])")
SAFE_URL = re.compile(r"^(https?://[^\s\"'<>]+|mailto:[^\s\"'<>]+|tel:[+0-9 .()-]+|/(?!/)\S*)$")


def _link(match: re.Match[str]) -> str:
    label, url = match.group(1), html.unescape(match.group(2))
    if not SAFE_URL.match(url):
        return match.group(0)
    external = url.startswith("http")
    attrs = ' rel="noopener noreferrer" target="_blank"' if external else ""
    return f'<a href="{html.escape(url, quote=True)}"{attrs}>{label}</a>'


def _inline(escaped: str) -> str:
    """Inline formatting over text that is already escaped."""
    escaped = LINK.sub(_link, escaped)
    escaped = BOLD.sub(r"<strong>\1</strong>", escaped)
    return ITALIC.sub(r"<em>\1</em>", escaped)


def _block(lines: list[str]) -> str:
    """One block of consecutive non-blank lines: a heading, a list, or a paragraph."""
    out: list[str] = []
    paragraph: list[str] = []
    list_kind = ""
    items: list[str] = []

    def flush_paragraph() -> None:
        if paragraph:
            out.append("<p>" + "<br>".join(_inline(line) for line in paragraph) + "</p>")
            paragraph.clear()

    def flush_list() -> None:
        nonlocal list_kind
        if items:
            body = "".join(f"<li>{_inline(item)}</li>" for item in items)
            out.append(f"<{list_kind}>{body}</{list_kind}>")
            items.clear()
        list_kind = ""

    for line in lines:
        heading, bullet, numbered = HEADING.match(line), BULLET.match(line), NUMBERED.match(line)
        if heading:
            flush_paragraph()
            flush_list()
            tag = "h2" if len(heading.group(1)) == 2 else "h3"
            out.append(f'<{tag} class="portal-text-heading">{_inline(heading.group(2))}</{tag}>')
        elif bullet or numbered:
            flush_paragraph()
            kind = "ul" if bullet else "ol"
            if list_kind and list_kind != kind:
                flush_list()
            list_kind = kind
            items.append((bullet or numbered).group(1))  # type: ignore[union-attr]
        else:
            flush_list()
            paragraph.append(line)
    flush_paragraph()
    flush_list()
    return "".join(out)


def render_portal_text(text: str) -> SafeString:
    """The text as HTML safe to insert in a page (see the module docstring)."""
    escaped = html.escape(text.replace("\r\n", "\n").replace("\r", "\n"), quote=True)
    blocks = re.split(r"\n\s*\n", escaped.strip())
    lines_of = ([line.rstrip() for line in block.split("\n")] for block in blocks)
    return mark_safe("".join(_block(lines) for lines in lines_of if any(lines)))  # noqa: S308
