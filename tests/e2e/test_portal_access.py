"""Portal access in Chromium: "Nouveau mot de passe" from the login page to the email's
link, the three ways of creating a password, the plain form without JavaScript, and no
Content-Security-Policy violation on the main pages of the three front ends."""

import random
import re
import string
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tenant_apps.accounts.models import Role, User
from tenant_apps.accounts.passphrase import password_from_sentence
from tenant_apps.accounts.passwords import missing_character_classes
from tenant_apps.families.models import Guardian, Household
from tenant_apps.outbox.models import OutboxMessage
from tests.conftest import inside, make_user
from tests.e2e.support import DESKTOP, PHONE, shoot, unique_email

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

LINK = re.compile(r"https?://[^/\s]+(/compte/mot-de-passe/[\w-]+/)")
PASSWORD = "Famille-Alpha-7?"
RULES = ["length", "lower", "upper", "special", "digit", "same"]
# Records violations in the page itself (Playwright injects this outside the page's CSP).
CSP_WATCH = (
    "window.__csp = [];"
    "document.addEventListener('securitypolicyviolation', function (e) {"
    "  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile);"
    "});"
)


@pytest.fixture
def new_parent(commune_alpha) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Committed: a parent the commune registered, who never had a password."""
    email = unique_email("reset")
    with inside(commune_alpha):
        user = User.objects.create_user(email=email, role=Role.GUARDIAN, full_name="Marie Alain")
        household = Household.objects.create(name=f"ALAIN {email[10:18]}")
        Guardian.objects.create(household=household, user=user, first_name="Marie",
                                last_name="Alain", email=email)
    yield email
    with inside(commune_alpha):
        OutboxMessage.objects.filter(recipients__contains=[email]).delete()
        household.delete()
        User.objects.filter(email=email).delete()


def _link_for(commune, email: str) -> str:  # type: ignore[no-untyped-def]
    with inside(commune):
        message = OutboxMessage.objects.filter(recipients__contains=[email]).latest("pk")
    match = LINK.search(message.body_text)
    assert match, message.body_text
    return match.group(1)


def _ask_for_link(page, server, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url("alpha", "/connexion/"))
    page.get_by_role("link", name="Nouveau mot de passe").click()
    expect(page.get_by_role("heading", name="Nouveau mot de passe", level=1)).to_be_visible()
    page.get_by_label("Votre adresse électronique").fill(email)
    page.get_by_role("button", name="Recevoir le lien").click()
    expect(page.get_by_text("Si un compte existe pour cette adresse, un courriel vient de vous "
                            "être envoyé")).to_be_visible()


def _met(page) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    return {rule: "is-met" in (page.locator(f"[data-rule={rule}]").get_attribute("class") or "")
            for rule in RULES}


def _sign_in(page, server, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url("alpha", "/connexion/"))
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(server.url("alpha", "/"))


def test_first_login_by_email_link_typing_a_password(page, server, commune_alpha, new_parent):
    _ask_for_link(page, server, new_parent)
    shoot(page, "portal-access-link-sent")
    page.goto(server.url("alpha", "/compte/nouveau-mot-de-passe/"))
    shoot(page, "portal-access-reset-form")

    page.goto(server.url("alpha", _link_for(commune_alpha, new_parent)))
    expect(page.get_by_role("heading", name="Créer mon mot de passe")).to_be_visible()
    expect(page.get_by_role("radio", name="Je le saisis")).to_be_checked()
    status = page.locator("[data-rules-status]")
    expect(status).to_have_attribute("aria-live", "polite")

    page.get_by_label("Nouveau mot de passe").press_sequentially("cantine")
    assert _met(page) == {"length": False, "lower": True, "upper": False, "special": False,
                          "digit": False, "same": False}
    expect(status).to_have_text("Règles respectées : 1 sur 6.")
    shoot(page, "portal-access-own-typing")
    page.get_by_label("Nouveau mot de passe").press_sequentially("-Ete24")
    page.get_by_label("Confirmation").press_sequentially("cantine-Ete24")
    assert all(_met(page).values())
    expect(status).to_have_text("Toutes les règles sont respectées.")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_label("Nouveau mot de passe")).to_have_attribute("type", "text")
    shoot(page, "portal-access-own-ready")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name="Mot de passe enregistré")).to_be_visible()
    shoot(page, "portal-access-done")

    page.get_by_role("link", name="Se connecter").click()
    _sign_in(page, server, new_parent, "cantine-Ete24")
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_attached()


def test_generated_password(page, server, commune_alpha, new_parent):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    _ask_for_link(page, server, new_parent)
    page.goto(server.url("alpha", _link_for(commune_alpha, new_parent)))
    page.get_by_text("Générer un mot de passe").click()
    generated = page.get_by_label("Mot de passe généré aléatoirement")
    expect(generated).to_be_visible()
    expect(page.get_by_label("Nouveau mot de passe")).to_be_hidden()
    first = generated.input_value()
    assert len(first) >= 14 and not missing_character_classes(first), first
    assert all(_met(page).values())

    page.get_by_role("button", name="Regénérer").click()
    second = generated.input_value()
    assert second != first and len(second) >= 14 and not missing_character_classes(second)
    page.get_by_role("button", name="Copier").click()
    expect(page.get_by_text("Mot de passe copié.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == second
    shoot(page, "portal-access-generated")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name="Mot de passe enregistré")).to_be_visible()
    with inside(commune_alpha):
        assert User.objects.get(email=new_parent).check_password(second)


def test_password_from_a_sentence(page, server, commune_alpha, new_parent):
    _ask_for_link(page, server, new_parent)
    page.set_viewport_size(PHONE)
    page.goto(server.url("alpha", _link_for(commune_alpha, new_parent)))
    page.get_by_text("À partir d'une phrase").click()
    page.get_by_label("Votre phrase").press_sequentially(
        "Mon chat Félix a 3 ans et adore le lait !")
    expect(page.locator("#sentence-result")).to_have_text("McFa3aealL!")
    assert all(_met(page).values())
    shoot(page, "portal-access-sentence")
    page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name="Mot de passe enregistré")).to_be_visible()
    with inside(commune_alpha):
        assert User.objects.get(email=new_parent).check_password("McFa3aealL!")


def test_a_too_short_sentence_is_refused_by_the_server(page, server, commune_alpha, new_parent):
    _ask_for_link(page, server, new_parent)
    page.goto(server.url("alpha", _link_for(commune_alpha, new_parent)))
    page.get_by_text("À partir d'une phrase").click()
    page.get_by_label("Votre phrase").fill("Bonjour 2 vous !")
    expect(page.locator("#sentence-result")).to_have_text("B2V!")
    assert not _met(page)["length"]
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Ce mot de passe est trop court.")).to_be_visible()
    shoot(page, "portal-access-refused")


def test_browser_and_server_agree_on_the_rules(page, server):
    page.goto(server.url("alpha", "/compte/mot-de-passe/inconnu/"))  # loads nothing we need
    page.add_script_tag(url=server.url("alpha", "/static/portal/password.js"))
    rng = random.Random(2024)  # noqa: S311
    alphabet = string.ascii_letters + string.digits + "éèàçÉ!?.,;:-+=@#%&*€ '’"
    sentences = ["Mon chat Félix a 3 ans et adore le lait !", "J'aime l'école, c'est 2 fois mieux."]
    sentences += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
                  for _ in range(300)]
    from_js = page.evaluate("s => s.map(window.CantinePassword.fromSentence)", sentences)
    assert from_js == [password_from_sentence(s) for s in sentences]

    passwords = ["".join(rng.choice(string.ascii_letters + string.digits + "!?-_.€ ")
                         for _ in range(rng.randint(0, 14))) for _ in range(300)]
    checks = page.evaluate("p => p.map(x => window.CantinePassword.check(x, x))", passwords)
    for password, check in zip(passwords, checks, strict=True):
        missing = missing_character_classes(password)
        assert check["lower"] == ("une minuscule" not in missing), password
        assert check["upper"] == ("une majuscule" not in missing), password
        assert check["digit"] == ("un chiffre" not in missing), password
        assert check["special"] == ("un caractère spécial" not in missing), password
        assert check["length"] == (len(password) >= 8)
    generated = page.evaluate("() => Array.from({length: 200}, () => "
                              "window.CantinePassword.generate())")
    assert all(len(g) == 16 and not missing_character_classes(g) for g in generated)
    assert len(set(generated)) == 200


def test_without_javascript_the_plain_form_works(browser, server, commune_alpha, new_parent):
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR", java_script_enabled=False)
    try:
        page = context.new_page()
        _ask_for_link(page, server, new_parent)
        page.goto(server.url("alpha", _link_for(commune_alpha, new_parent)))
        expect(page.get_by_role("radio", name="Je le saisis")).to_be_hidden()
        expect(page.get_by_text("Votre mot de passe doit comprendre :")).to_be_visible()
        page.get_by_label("Nouveau mot de passe").fill("Sans-JS-2024")
        page.get_by_label("Confirmation").fill("Sans-JS-2024")
        shoot(page, "portal-access-nojs")
        page.get_by_role("button", name="Enregistrer").click()
        expect(page.get_by_role("heading", name="Mot de passe enregistré")).to_be_visible()
    finally:
        context.close()
    with inside(commune_alpha):
        assert User.objects.get(email=new_parent).check_password("Sans-JS-2024")


def test_no_csp_violation_on_the_main_pages(page, server, commune_alpha):
    page.add_init_script(CSP_WATCH)
    violations: list[str] = []

    def visit(host: str, path: str) -> None:
        response = page.goto(server.url(host, path))
        assert response is not None and response.status < 500, path
        page.wait_for_load_state("networkidle")
        violations.extend(f"{path}: {v}" for v in page.evaluate("window.__csp"))

    for path in ["/connexion/", "/compte/nouveau-mot-de-passe/",
                 "/compte/nouveau-mot-de-passe/envoye/", "/compte/mot-de-passe/inconnu/",
                 "/gestion/connexion/"]:
        visit("alpha", path)
    visit("ops", "/connexion/")

    parent = unique_email("csp-parent")
    make_user(commune_alpha, role=Role.GUARDIAN, email=parent, password=PASSWORD)
    _sign_in(page, server, parent, PASSWORD)
    for path in ["/", "/messagerie/", "/documents/", "/questionnaires/", "/mentions-legales/"]:
        visit("alpha", path)
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/connexion/$"))

    agent = unique_email("csp-agent")
    make_user(commune_alpha, role=Role.ADMINISTRATOR, email=agent, password=PASSWORD)
    page.goto(server.url("alpha", "/gestion/connexion/"))
    page.get_by_label("Courriel").fill(agent)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(server.url("alpha", "/gestion/"))
    for path in ["/gestion/", "/gestion/familles/", "/gestion/parametres/"]:
        visit("alpha", path)
    # htmx at work: the search box swaps results in; no injected style, no eval.
    page.get_by_label("Rechercher un foyer, un responsable, un enfant").fill("al")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    violations.extend(f"search: {v}" for v in page.evaluate("window.__csp"))
    assert violations == []
