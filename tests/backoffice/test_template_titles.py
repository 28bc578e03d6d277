"""A page title is text: markup that lands in a title block (a paste gone wrong) shows
up as raw tags in the browser tab and is lost from the page."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TITLE_BLOCK = re.compile(r"\{% block (?:page_)?title %\}(.*?)\{% endblock %\}", re.S)


def test_title_blocks_hold_no_markup():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        for body in TITLE_BLOCK.findall(path.read_text()):
            if "<" in body or "\n" in body.strip():
                offenders.append(f"{path.relative_to(ROOT)}: {body[:60]!r}")
    assert offenders == []
