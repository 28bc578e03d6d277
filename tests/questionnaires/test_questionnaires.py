"""Questionnaires: building, targeting, one answer per household, the answers table and
its exports, notification emails, and who may do what."""

import csv
import datetime
import io
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tenant_apps.accounts.models import Role
from tenant_apps.families.models import Guardian
from tenant_apps.outbox.models import OutboxMessage
from tenant_apps.questionnaires.models import Question, Questionnaire, Response
from tenant_apps.questionnaires.services import (
    question_add,
    questionnaire_close,
    questionnaire_create,
    questionnaire_open,
)
from tests.conftest import inside, logged_in_client, make_user
from tests.publications.support import World, portal_account, world_make

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def _build(world: World | None = None, *, open_it: bool = True, notify: bool = False,
           **targets: Any) -> Questionnaire:
    """A questionnaire with a yes/no, a single choice, a date and an optional text."""
    q = questionnaire_create(
        title="Reprise du 11 mai", intro="Merci de répondre avant vendredi.",
        target_school=targets.get("school"), target_class=targets.get("klass"),
        target_service=targets.get("service"), acting_user=None,
    )
    question_add(questionnaire=q, kind="yes_no", label="Votre enfant reprendra-t-il l'école ?",
                 required=True, choices=[], acting_user=None)
    question_add(questionnaire=q, kind="single", label="Cantine ?", required=True,
                 choices=["Tous les jours", "Certains jours", "Jamais"], acting_user=None)
    question_add(questionnaire=q, kind="date", label="Date de retour", required=False,
                 choices=[], acting_user=None)
    question_add(questionnaire=q, kind="text", label="Remarques", required=False,
                 choices=[], acting_user=None)
    q.question_ids = list(  # type: ignore[attr-defined]
        q.questions.order_by("position").values_list("pk", flat=True))
    if open_it:
        questionnaire_open(questionnaire=q, opens_on=TODAY, closes_on=TODAY + 7 * DAY,
                           notify_families=notify, portal_url="http://alpha.localhost/q/",
                           acting_user=None)
    return q


def _post_data(q: Questionnaire, **answers: Any) -> dict[str, Any]:
    ids = q.question_ids  # type: ignore[attr-defined]
    values = {"yes": "oui", "meal": "Tous les jours", "date": "2020-05-11", "text": "RAS"}
    values.update(answers)
    return {f"q{ids[0]}": values["yes"], f"q{ids[1]}": values["meal"],
            f"q{ids[2]}": values["date"], f"q{ids[3]}": values["text"]}


def test_guardian_answers_and_second_guardian_edits_the_same_response(commune_alpha):
    with inside(commune_alpha):
        world = world_make()
        q = _build(world)
        first = portal_account(world.guardians["martin"])
        other = Guardian.objects.create(household=world.households["martin"],
                                        last_name="MARTIN", first_name="Paul")
        second = portal_account(other)
    client = logged_in_client(commune_alpha, first)
    listing = client.get("/questionnaires/").content.decode()
    assert "Reprise du 11 mai" in listing and "À compléter" in listing
    assert client.get(f"/questionnaires/{q.pk}/").status_code == 200
    response = client.post(f"/questionnaires/{q.pk}/", _post_data(q))
    assert response.status_code == 302
    assert "Répondu" in client.get("/questionnaires/").content.decode()

    client2 = logged_in_client(commune_alpha, second)
    page = client2.get(f"/questionnaires/{q.pk}/").content.decode()
    assert 'value="oui" checked' in page and "Enregistrer les modifications" in page
    assert client2.post(f"/questionnaires/{q.pk}/", _post_data(q, yes="non")).status_code == 302
    with inside(commune_alpha):
        response_row = Response.objects.get()
        first_id = q.questions.order_by("position").first().pk
        assert response_row.answers[str(first_id)] is False
        assert response_row.answered_by_name == "Paul MARTIN"
        assert response_row.household == world.households["martin"]


def test_validation_errors_are_french_and_save_nothing(commune_alpha):
    with inside(commune_alpha):
        world = world_make()
        q = _build(world)
        user = portal_account(world.guardians["durand"])
    client = logged_in_client(commune_alpha, user)
    response = client.post(f"/questionnaires/{q.pk}/",
                           _post_data(q, yes="", meal="Le dimanche", date="31/02/2020"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Cette question est obligatoire." in body
    assert "Choix inconnu : « Le dimanche »." in body
    assert "Date invalide : indiquez-la au format JJ/MM/AAAA." in body
    assert "3 questions à corriger" in body
    with inside(commune_alpha):
        assert not Response.objects.exists()


def test_targeting_and_shared_custody(commune_alpha):
    with inside(commune_alpha):
        world = world_make()
        q = _build(world, klass=world.class_b)
        users = {key: portal_account(world.guardians[key])
                 for key in ("martin", "durand", "split_a", "split_b")}
    for key in ("durand", "split_a", "split_b"):
        client = logged_in_client(commune_alpha, users[key])
        assert "Reprise du 11 mai" in client.get("/questionnaires/").content.decode()
        assert client.post(f"/questionnaires/{q.pk}/", _post_data(q)).status_code == 302
    outsider = logged_in_client(commune_alpha, users["martin"])
    assert "Aucun questionnaire en cours" in outsider.get("/questionnaires/").content.decode()
    assert outsider.get(f"/questionnaires/{q.pk}/").status_code == 404
    assert outsider.post(f"/questionnaires/{q.pk}/", _post_data(q)).status_code == 404
    with inside(commune_alpha):
        # One response per household: shared custody gives two households, two responses.
        assert Response.objects.filter(questionnaire=q).count() == 3


def test_draft_scheduled_and_closed_questionnaires_cannot_be_answered(commune_alpha):
    with inside(commune_alpha):
        world = world_make()
        draft = _build(world, open_it=False)
        later = _build(world, open_it=False)
        questionnaire_open(questionnaire=later, opens_on=TODAY + DAY, closes_on=TODAY + 3 * DAY,
                           notify_families=False, portal_url="", acting_user=None)
        closed = _build(world)
        questionnaire_close(questionnaire=closed, acting_user=None)
        user = portal_account(world.guardians["martin"])
    client = logged_in_client(commune_alpha, user)
    for q in (draft, later, closed):
        assert client.get(f"/questionnaires/{q.pk}/").status_code == 404
        assert client.post(f"/questionnaires/{q.pk}/", _post_data(q)).status_code == 404
    with inside(commune_alpha):
        assert not Response.objects.exists()


def test_answers_table_rate_and_exports(commune_alpha):
    with inside(commune_alpha):
        world = world_make()
        q = _build(world)
        users = {key: portal_account(world.guardians[key]) for key in ("martin", "durand")}
    logged_in_client(commune_alpha, users["martin"]).post(
        f"/questionnaires/{q.pk}/", _post_data(q, text="=HYPERLINK(\"http://x\")"))
    logged_in_client(commune_alpha, users["durand"]).post(
        f"/questionnaires/{q.pk}/", _post_data(q, yes="non", meal="Jamais", date="", text=""))

    agent = logged_in_client(commune_alpha, make_user(commune_alpha, role=Role.READ_ONLY))
    page = agent.get(f"/gestion/questionnaires/{q.pk}/reponses/").content.decode()
    assert "taux de réponse <strong>40 %</strong>" in page  # 2 of 5 households
    assert "DURAND famille" in page and "MARTIN Léa et Paul" in page
    assert "Votre enfant reprendra-t-il l&#x27;école ?" in page

    xlsx = agent.get(f"/gestion/questionnaires/{q.pk}/reponses.xlsx")
    assert xlsx.status_code == 200
    assert "attachment" in xlsx["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(xlsx.content))
    rows = list(workbook["Réponses"].iter_rows(values_only=True))
    assert rows[0] == ("Foyer", "Répondu par", "Date de réponse",
                       "Votre enfant reprendra-t-il l'école ?", "Cantine ?", "Date de retour",
                       "Remarques")
    assert rows[1][0] == "DURAND famille" and rows[1][3:] == ("Non", "Jamais", None, None)
    assert rows[2][0] == "MARTIN Léa et Paul"
    assert rows[2][3:6] == ("Oui", "Tous les jours", "11/05/2020")
    assert rows[2][6] == "'=HYPERLINK(\"http://x\")"  # never a live formula
    summary = dict(workbook["Synthèse"].iter_rows(values_only=True))
    assert summary["Foyers concernés"] == 5 and summary["Taux de réponse"] == "40 %"

    exported = agent.get(f"/gestion/questionnaires/{q.pk}/reponses.csv")
    assert exported["Content-Type"] == "text/csv; charset=utf-8"
    assert exported.content.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][0] == "Foyer" and lines[0][3] == "Votre enfant reprendra-t-il l'école ?"
    assert lines[1][:1] + lines[1][3:] == ["DURAND famille", "Non", "Jamais", "", ""]


def test_agent_builds_and_opens_with_notification(commune_alpha):
    with inside(commune_alpha):
        world = world_make()
        Guardian.objects.filter(pk=world.guardians["empty"].pk).update(email="")
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role=Role.AGENT))
    response = client.post("/gestion/questionnaires/nouveau/", {
        "title": "Sortie au zoo", "intro": "", "target_school": "", "target_class": "",
        "target_service": "",
    })
    assert response.status_code == 302
    with inside(commune_alpha):
        q = Questionnaire.objects.get()
    base = f"/gestion/questionnaires/{q.pk}/"
    assert response["Location"] == base
    assert client.post(f"{base}questions/", {"label": "Participera ?", "kind": "yes_no",
                                             "required": "on"}).status_code == 302
    assert client.post(f"{base}questions/", {"label": "Repas", "kind": "multiple",
                                             "choices": "Pique-nique\nCantine"}).status_code == 302
    with inside(commune_alpha):
        second = Question.objects.get(label="Repas")
        assert (second.position, second.required, second.choices) == (
            2, False, ["Pique-nique", "Cantine"])
    client.post(f"{base}questions/{second.pk}/", {"action": "monter"})
    with inside(commune_alpha):
        assert list(q.questions.values_list("label", flat=True)) == ["Repas", "Participera ?"]
    response = client.post(f"{base}ouvrir/", {
        "opens_on": TODAY.isoformat(), "closes_on": (TODAY + 5 * DAY).isoformat(),
        "notify_families": "on",
    })
    assert response.status_code == 302
    with inside(commune_alpha):
        keys = set(
            OutboxMessage.objects.filter(idempotency_key__startswith=f"questionnaire:{q.pk}:")
            .values_list("idempotency_key", flat=True)
        )
        expected = {f"questionnaire:{q.pk}:{g.pk}" for k, g in world.guardians.items()
                    if k != "empty"}
        assert keys == expected
        message = OutboxMessage.objects.filter(idempotency_key__in=keys).first()
        assert message.subject == "Questionnaire : Sortie au zoo"
        assert f"/questionnaires/{q.pk}/" in message.body_text
    # Questions are frozen once open.
    assert client.post(f"{base}questions/", {"label": "Encore", "kind": "text"}).status_code == 400
    assert client.post(f"{base}clore/").status_code == 302
    with inside(commune_alpha):
        assert Questionnaire.objects.get().closed_early_at is not None


def test_bad_builder_input_gives_french_400_and_saves_nothing(commune_alpha):
    with inside(commune_alpha):
        q = _build(open_it=False)
        before = q.questions.count()
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role=Role.AGENT))
    base = f"/gestion/questionnaires/{q.pk}/"
    response = client.post(f"{base}questions/", {"label": "Horaire", "kind": "single",
                                                 "choices": "Matin"})
    assert response.status_code == 400
    assert "Proposez au moins deux choix, un par ligne." in response.content.decode()
    response = client.post(f"{base}questions/", {"label": "", "kind": "inconnu"})
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.content.decode()
    response = client.post(f"{base}ouvrir/", {"opens_on": TODAY.isoformat(),
                                              "closes_on": (TODAY - DAY).isoformat()})
    assert response.status_code == 400
    assert "La date de clôture doit suivre la date d&#x27;ouverture." in response.content.decode()
    assert client.post("/gestion/questionnaires/nouveau/", {"title": ""}).status_code == 400
    with inside(commune_alpha):
        assert q.questions.count() == before
        assert Questionnaire.objects.get(pk=q.pk).opens_on is None
        assert Questionnaire.objects.count() == 1


@pytest.mark.parametrize("role", [Role.READ_ONLY, Role.ANIMATEUR])
def test_roles_that_cannot_build_get_403(commune_alpha, role):
    with inside(commune_alpha):
        q = _build(open_it=False)
        question = q.questions.first()
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role=role))
    base = f"/gestion/questionnaires/{q.pk}/"
    assert client.get("/gestion/questionnaires/").status_code == 200
    assert client.get(base).status_code == 200
    assert "Ouvrir le questionnaire" not in client.get(base).content.decode()
    assert client.get("/gestion/questionnaires/nouveau/").status_code == 403
    assert client.post("/gestion/questionnaires/nouveau/", {"title": "X"}).status_code == 403
    assert client.post(f"{base}questions/", {"label": "X", "kind": "text"}).status_code == 403
    assert client.post(f"{base}questions/{question.pk}/",
                       {"action": "supprimer"}).status_code == 403
    assert client.post(f"{base}ouvrir/", {"opens_on": TODAY.isoformat(),
                                          "closes_on": TODAY.isoformat()}).status_code == 403
    assert client.post(f"{base}clore/").status_code == 403
    with inside(commune_alpha):
        assert Questionnaire.objects.count() == 1
        assert q.questions.count() == 4
        assert Questionnaire.objects.get().opens_on is None


def test_guardian_cannot_reach_back_office_questionnaires(commune_alpha):
    with inside(commune_alpha):
        world = world_make()
        q = _build(world)
        user = portal_account(world.guardians["martin"])
    client = logged_in_client(commune_alpha, user)
    for path in ("/gestion/questionnaires/", f"/gestion/questionnaires/{q.pk}/",
                 f"/gestion/questionnaires/{q.pk}/reponses/",
                 f"/gestion/questionnaires/{q.pk}/reponses.xlsx",
                 f"/gestion/questionnaires/{q.pk}/reponses.csv"):
        assert client.get(path).status_code == 403, path


def test_other_commune_cannot_answer(commune_alpha, commune_beta):
    with inside(commune_alpha):
        q = _build()
    with inside(commune_beta):
        world_b = world_make()
        user = portal_account(world_b.guardians["martin"])
    client = logged_in_client(commune_beta, user)
    assert client.get(f"/questionnaires/{q.pk}/").status_code == 404
    assert client.post(f"/questionnaires/{q.pk}/", {"q1": "oui"}).status_code == 404
