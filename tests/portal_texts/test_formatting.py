"""The portal texts' formatting: what agents type is escaped, then lightly formatted."""

from hypothesis import given
from hypothesis import strategies as st

from tenant_apps.commune_settings.formatting import render_portal_text


def test_paragraphs_headings_lists_and_emphasis():
    html = render_portal_text(
        "## Horaires\nOuvert **du lundi au vendredi**.\nAppelez le *secrétariat*.\n\n"
        "- repas : 3,10 €\n- garderie\n\n1. inscrire\n2. réserver"
    )
    assert html == (
        '<h2 class="portal-text-heading">Horaires</h2>'
        "<p>Ouvert <strong>du lundi au vendredi</strong>.<br>Appelez le <em>secrétariat</em>.</p>"
        "<ul><li>repas : 3,10 €</li><li>garderie</li></ul>"
        "<ol><li>inscrire</li><li>réserver</li></ol>"
    )


def test_links_only_to_safe_addresses():
    html = render_portal_text(
        "[Mairie](https://www.mairie.fr/?a=1&b=2) [écrire](mailto:cantine@mairie.fr) "
        "[ici](/documents/) [piège](javascript:alert(1)) [données](data:text/html,x)"
    )
    assert '<a href="https://www.mairie.fr/?a=1&amp;b=2" rel="noopener noreferrer" ' \
           'target="_blank">Mairie</a>' in html
    assert '<a href="mailto:cantine@mairie.fr">écrire</a>' in html
    assert '<a href="/documents/">ici</a>' in html
    assert "javascript:" not in html.split("[piège]")[0]
    assert 'href="javascript' not in html and 'href="data' not in html


def test_html_is_shown_as_text_never_as_markup():
    html = render_portal_text(
        '<script>alert(1)</script><img src=x onerror="alert(2)"> '
        '[x](https://a.fr/"onmouseover="alert(3))'
    )
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'onmouseover="' not in html


def test_empty_text_renders_nothing():
    assert render_portal_text("") == ""
    assert render_portal_text("  \n\n  ") == ""


@given(st.text(alphabet=st.sampled_from(list("<>\"'&=/ *_#-[]()abc:\n")), max_size=80))
def test_no_tag_other_than_ours_ever_appears(text):
    html = render_portal_text(text)
    tags = {part.split(">")[0].split(" ")[0] for part in html.split("<")[1:]}
    assert tags <= {"p", "/p", "br", "strong", "/strong", "em", "/em", "ul", "/ul", "ol",
                    "/ol", "li", "/li", "h2", "/h2", "h3", "/h3", "a", "/a"}
    assert "<a " not in html or 'href="' in html
