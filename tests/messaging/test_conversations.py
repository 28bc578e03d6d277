"""Messaging: a family writes to a service, agents read and reply, each side sees only
what it may; unread counts; notifications through the outbox without the content."""

import pytest
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.test import RequestFactory

from tenant_apps.accounts.models import Role
from tenant_apps.families.models import Guardian
from tenant_apps.messaging.models import Conversation, ConversationStatus, Message, MessageBox
from tenant_apps.messaging.selectors import unread_conversations_count
from tenant_apps.messaging.services import conversation_start, message_post
from tenant_apps.outbox.models import OutboxMessage
from tests.conftest import inside, logged_in_client, make_user
from tests.mailings import builders as b

pytestmark = pytest.mark.django_db

SECRET = "Théo a une allergie aux arachides"


@pytest.fixture
def families(commune_alpha):
    """Household A (two guardians, one with a portal account), household B (one account)."""
    parent_a = make_user(commune_alpha, role=Role.GUARDIAN)
    parent_b = make_user(commune_alpha, role=Role.GUARDIAN)
    with inside(commune_alpha):
        box = MessageBox.objects.create(name=f"Service enfance {b.tag()}",
                                        notify_email="enfance@mairie.example")
        other_box = MessageBox.objects.create(name=f"Restauration {b.tag()}")
        house_a = b.household("Alain", ("Marie", "marie.alain@exemple.fr"),
                              ("Paul", "paul.alain@exemple.fr"))
        Guardian.objects.filter(household=house_a, first_name="Marie").update(user=parent_a)
        house_b = b.household("Bodin", ("Jeanne", "jeanne@exemple.fr"))
        Guardian.objects.filter(household=house_b).update(user=parent_b)
        conversation = conversation_start(guardian_user=parent_a, box=box,
                                          subject="Attestation", body=SECRET)
    return {"parent_a": parent_a, "parent_b": parent_b, "box": box, "other_box": other_box,
            "house_a": house_a, "house_b": house_b, "conversation": conversation}


def test_family_message_reaches_the_box_and_counts_as_unread(commune_alpha, families):
    c = families["conversation"]
    with inside(commune_alpha):
        assert (c.household, c.status) == (families["house_a"], ConversationStatus.OPEN)
        message = c.messages.get()
        assert (message.side, message.author_name, message.read_by_agents) == (
            "family", "Marie Alain", False)
        assert unread_conversations_count() >= 1
        assert unread_conversations_count(box=families["box"]) == 1
        assert unread_conversations_count(box=families["other_box"]) == 0
        told = OutboxMessage.objects.get(idempotency_key=f"message:{message.pk}:box")
    assert told.recipients == ["enfance@mairie.example"]
    assert SECRET not in told.body_text and f"/gestion/messagerie/{c.pk}/" in told.body_text


def test_agent_reads_and_replies_family_is_emailed_without_the_content(commune_alpha, families):
    c = families["conversation"]
    agent = make_user(commune_alpha, role=Role.AGENT)
    client = logged_in_client(commune_alpha, agent)
    page = client.get(f"/gestion/messagerie/{c.pk}/")
    assert page.status_code == 200 and SECRET in page.content.decode()
    with inside(commune_alpha):
        assert unread_conversations_count(box=families["box"]) == 0

    reply = "Bonjour, voici l'attestation demandée."
    response = client.post(f"/gestion/messagerie/{c.pk}/repondre/",
                           {"body": reply, "mark_handled": "on"})
    assert response.status_code == 302
    with inside(commune_alpha):
        c.refresh_from_db()
        assert c.status == ConversationStatus.HANDLED and c.handled_by_id == agent.pk
        answer = c.messages.get(side="agent")
        assert answer.author_name == families["box"].name and answer.read_by_family is False
        emails = OutboxMessage.objects.filter(idempotency_key__startswith=f"message:{answer.pk}:")
        assert sorted(e.recipients[0] for e in emails) == [
            "marie.alain@exemple.fr", "paul.alain@exemple.fr"]
    for email in emails:
        assert reply not in email.body_text and reply not in email.body_html
        assert f"/messagerie/{c.pk}/" in email.body_text

    # The family sees the reply, unread until opened; writing again reopens it.
    portal = logged_in_client(commune_alpha, families["parent_a"])
    listing = portal.get("/messagerie/").content.decode()
    assert "Nouvelle réponse" in listing
    thread = portal.get(f"/messagerie/{c.pk}/").content.decode()
    assert "voici l&#x27;attestation demandée." in thread
    assert "Nouvelle réponse" not in portal.get("/messagerie/").content.decode()
    assert portal.post(f"/messagerie/{c.pk}/", {"body": "Merci !"}).status_code == 302
    with inside(commune_alpha):
        c.refresh_from_db()
        assert c.status == ConversationStatus.OPEN


def test_household_b_cannot_read_or_write_in_household_a_conversation(commune_alpha, families):
    c = families["conversation"]
    intruder = logged_in_client(commune_alpha, families["parent_b"])
    for response in (intruder.get(f"/messagerie/{c.pk}/"),
                     intruder.post(f"/messagerie/{c.pk}/", {"body": "Coucou"}),
                     intruder.get("/messagerie/999999/")):
        assert response.status_code == 404
        assert SECRET not in response.content.decode()
    assert "Attestation" not in intruder.get("/messagerie/").content.decode()
    with inside(commune_alpha):
        with pytest.raises(PermissionDenied):
            message_post(conversation=c, author=families["parent_b"], body="Coucou")
        assert c.messages.count() == 1


def test_a_guardian_cannot_use_the_back_office_inbox(commune_alpha, families):
    c = families["conversation"]
    client = logged_in_client(commune_alpha, families["parent_a"])
    assert client.get(f"/gestion/messagerie/{c.pk}/").status_code == 403
    assert client.get("/gestion/messagerie/").status_code == 403


@pytest.mark.parametrize("role", [Role.READ_ONLY, Role.ANIMATEUR, Role.REGISSEUR])
def test_non_editors_read_but_do_not_reply_nor_clear_unread(commune_alpha, families, role):
    c = families["conversation"]
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role=role))
    page = client.get(f"/gestion/messagerie/{c.pk}/")
    assert page.status_code == 200 and SECRET in page.content.decode()
    assert "Envoyer la réponse" not in page.content.decode()
    assert client.post(f"/gestion/messagerie/{c.pk}/repondre/",
                       {"body": "Non"}).status_code == 403
    assert client.post(f"/gestion/messagerie/{c.pk}/etat/",
                       {"status": "handled"}).status_code == 403
    assert client.get("/gestion/messagerie/services/").status_code == 403
    with inside(commune_alpha):
        assert c.messages.count() == 1
        assert unread_conversations_count(box=families["box"]) == 1


def test_inbox_filters_and_counts(commune_alpha, families):
    c = families["conversation"]
    admin = make_user(commune_alpha, role=Role.ADMINISTRATOR)
    client = logged_in_client(commune_alpha, admin)
    box = families["box"]
    unread = client.get(f"/gestion/messagerie/?service={box.pk}&etat=unread").content.decode()
    assert "Attestation" in unread and families["house_a"].name in unread
    client.get(f"/gestion/messagerie/{c.pk}/")
    assert "Attestation" not in client.get(
        f"/gestion/messagerie/?service={box.pk}&etat=unread").content.decode()
    assert client.post(f"/gestion/messagerie/{c.pk}/etat/",
                       {"status": "handled"}).status_code == 302
    assert "Attestation" not in client.get(
        f"/gestion/messagerie/?service={box.pk}&etat=open").content.decode()
    assert "Attestation" in client.get(
        f"/gestion/messagerie/?service={box.pk}&etat=handled").content.decode()
    assert client.post(f"/gestion/messagerie/{c.pk}/etat/",
                       {"status": "n'importe"}).status_code == 400
    assert client.post(f"/gestion/messagerie/{c.pk}/etat/", {"status": "open"}).status_code == 302
    with inside(commune_alpha):
        c.refresh_from_db()
        assert c.status == ConversationStatus.OPEN and c.handled_by is None


def test_unread_badge_include_shows_the_count(commune_alpha, families):
    with inside(commune_alpha):
        n = unread_conversations_count()
        html = render_to_string("messaging/_unread_badge.html",
                                request=RequestFactory().get("/gestion/"))
    assert f">{n}<" in html and "non lue" in html


def test_empty_reply_answers_400_in_french_and_saves_nothing(commune_alpha, families):
    c = families["conversation"]
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role=Role.AGENT))
    response = client.post(f"/gestion/messagerie/{c.pk}/repondre/", {"body": "   "})
    assert response.status_code == 400
    assert "Écrivez votre message." in response.content.decode()
    portal = logged_in_client(commune_alpha, families["parent_a"])
    response = portal.post(f"/messagerie/{c.pk}/", {"body": ""})
    assert response.status_code == 400 and "Écrivez votre message." in response.content.decode()
    with inside(commune_alpha):
        assert c.messages.count() == 1


@pytest.mark.parametrize("data, error", [
    ({"subject": ""}, "Indiquez l&#x27;objet de votre message."),
    ({"body": ""}, "Écrivez votre message."),
    ({"box": ""}, "Choisissez le service à contacter."),
    ({"box": "999999"}, "Choisissez le service à contacter dans la liste."),
])
def test_portal_new_conversation_bad_input(commune_alpha, families, data, error):
    portal = logged_in_client(commune_alpha, families["parent_a"])
    with inside(commune_alpha):
        before = (Conversation.objects.count(), Message.objects.count())
    response = portal.post("/messagerie/nouveau/", {
        "box": families["box"].pk, "subject": "Question", "body": "Bonjour", **data})
    assert response.status_code == 400
    assert error in response.content.decode()
    with inside(commune_alpha):
        assert (Conversation.objects.count(), Message.objects.count()) == before


def test_portal_new_conversation_goes_to_the_chosen_box(commune_alpha, families):
    portal = logged_in_client(commune_alpha, families["parent_b"])
    page = portal.get(f"/messagerie/nouveau/?service={families['other_box'].pk}")
    assert page.status_code == 200 and families["other_box"].name in page.content.decode()
    response = portal.post("/messagerie/nouveau/", {
        "box": families["other_box"].pk, "subject": "Menu sans porc", "body": "Bonjour"})
    assert response.status_code == 302
    with inside(commune_alpha):
        c = Conversation.objects.get(subject="Menu sans porc")
        assert (c.household, c.box) == (families["house_b"], families["other_box"])
    assert response["Location"] == f"/messagerie/{c.pk}/"


def test_a_guardian_account_without_household_is_told_so(commune_alpha):
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role=Role.GUARDIAN))
    page = client.get("/messagerie/")
    assert page.status_code == 200
    assert "pas encore rattaché" in page.content.decode()


def test_administrator_manages_the_boxes(commune_alpha):
    admin = logged_in_client(commune_alpha, make_user(commune_alpha, role=Role.ADMINISTRATOR))
    name = f"Périscolaire {b.tag()}"
    assert admin.post("/gestion/messagerie/services/", {"name": name, "active": "on"}
                      ).status_code == 302
    again = admin.post("/gestion/messagerie/services/", {"name": name.upper(), "active": "on"})
    assert again.status_code == 400 and "Un service porte déjà ce nom." in again.content.decode()
    bad = admin.post("/gestion/messagerie/services/", {"name": "X", "notify_email": "pas-un"})
    assert bad.status_code == 400 and "Saisissez une adresse de courriel valide." in \
        bad.content.decode()
    with inside(commune_alpha):
        box = MessageBox.objects.get(name=name)
    assert admin.post(f"/gestion/messagerie/services/{box.pk}/", {"name": name}
                      ).status_code == 302
    with inside(commune_alpha):
        box.refresh_from_db()
        assert box.active is False
    agent = logged_in_client(commune_alpha, make_user(commune_alpha, role=Role.AGENT))
    assert agent.post("/gestion/messagerie/services/", {"name": "Autre"}).status_code == 403
