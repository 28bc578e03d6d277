"""The body of a mailing keeps formatting and links, never scripts or event handlers."""

import re

from hypothesis import given
from hypothesis import strategies as st

from tenant_apps.mailings.sanitising import has_visible_text, html_to_text, sanitise_html


def test_scripts_and_event_handlers_are_removed_links_kept():
    dirty = (
        '<p onclick="steal()">Bonjour <strong>à tous</strong>'
        '<script>alert("x")</script><img src="x" onerror="alert(1)">'
        '<a href="https://mairie.example/menus" onmouseover="x()">les menus</a>'
        '<a href="javascript:alert(1)">piège</a><style>p{}</style></p>'
    )
    clean = sanitise_html(dirty)
    assert "<script" not in clean and "alert" not in clean
    assert "onclick" not in clean and "onmouseover" not in clean and "onerror" not in clean
    assert "<img" not in clean and "<style" not in clean and "javascript:" not in clean
    assert '<a href="https://mairie.example/menus" rel="noopener noreferrer">les menus</a>' in clean
    assert "<strong>à tous</strong>" in clean


def test_plain_text_twin_keeps_paragraphs_lists_and_link_targets():
    html = ('<h3>Menus</h3><p>Bonjour,<br>voici les <a href="https://m.example/">menus</a>'
            ' &amp; horaires.</p><ol><li>lundi</li><li>mardi</li></ol><ul><li>jeudi</li></ul>')
    assert html_to_text(sanitise_html(html)) == (
        "Menus\n\nBonjour,\nvoici les menus (https://m.example/) & horaires.\n\n"
        "1. lundi\n2. mardi\n\n• jeudi"
    )


def test_an_empty_editor_has_no_visible_text():
    assert not has_visible_text(sanitise_html("<p><br></p><script>x</script>"))
    assert has_visible_text(sanitise_html("<p>Bonjour</p>"))


@given(st.text())
def test_sanitised_output_never_holds_a_script_or_handler(raw):
    clean = sanitise_html(raw + '<script>evil()</script><b onclick="x">t</b>')
    assert "<script" not in clean.lower()
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", clean, re.IGNORECASE)
    assert sanitise_html(clean) == clean  # idempotent
