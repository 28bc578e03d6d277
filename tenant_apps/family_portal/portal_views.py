"""Portal pages "Mon profil" and "Mes enfants": thin views over the selectors and services.

Every card edits in place with htmx (the card swaps into its form and back) and works as a
normal page without JavaScript. A parent reaches only their own household's objects; any
other id is a 404, like a missing one."""

from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from tenant_apps.accounts.access import acting_user, guardian_required
from tenant_apps.backoffice.form_styles import add_service_errors
from tenant_apps.families.models import Guardian
from tenant_apps.families.selectors import guardian_of_user
from tenant_apps.family_portal import selectors, services
from tenant_apps.family_portal.cards import Card, card_build
from tenant_apps.family_portal.forms import (
    PortalContactForm,
    PortalDocumentForm,
    card_form_class,
)
from tenant_apps.family_portal.policy import EditMode, category_fields, category_get

SAVED = "Vos modifications ont été enregistrées."
SENT = "Vos modifications ont été envoyées au service, elles seront validées par un agent."
NOTHING = "Aucune modification à enregistrer."
FIX = "Certains champs sont à corriger : rien n'a été enregistré."
CHILD_CARDS = ("etat-civil", "regime", "sante", "autorisations")


def _with_guardian(view: Any) -> Any:
    """Guardian role required, and a guardian row linked to the account (else a page saying
    to ask the town hall)."""

    @guardian_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        guardian = guardian_of_user(user=acting_user(request))
        if guardian is None:
            return render(request, "family_portal/not_linked.html")
        return cast(HttpResponse, view(request, guardian, *args, **kwargs))

    return wrapped


def _result_message(result: services.SubmitResult) -> tuple[str, str]:
    if result.nothing:
        return "info", NOTHING
    if result.applied and result.requested:
        return "success", (f"{SAVED} Les autres ({', '.join(result.requested)}) ont été "
                           "envoyées au service, elles seront validées par un agent.")
    return "success", SAVED if result.applied else SENT


# --- Mon profil ------------------------------------------------------------------------------


def _profile_cards(guardian: Guardian, policy: dict[str, str]) -> dict[str, Any]:
    data = selectors.profile(guardian=guardian)
    household_cards = [
        card_build(entity="household", slug=slug, obj=data.household, policy=policy,
                   pending=data.pending)
        for slug in ("adresse", "allocataire")
    ]
    people = []
    for g in data.guardians:
        mine = g.pk == guardian.pk
        cards = [card_build(entity="guardian", slug=slug, obj=g, policy=policy, may_edit=mine,
                            pending=data.pending)
                 for slug in ("coordonnees", "etat-civil", "situation")]
        people.append({"guardian": g, "mine": mine, "cards": [c for c in cards if c]})
    return {"household": data.household, "household_cards": [c for c in household_cards if c],
            "people": people, "recent": data.recent}


@_with_guardian
def profile_page(request: HttpRequest, guardian: Guardian) -> HttpResponse:
    return render(request, "family_portal/profile.html",
                  _profile_cards(guardian, selectors.edit_policy()))


def _resolve_profile_target(guardian: Guardian, obj_id: int) -> Guardian:
    target = Guardian.objects.filter(pk=obj_id, household_id=guardian.household_id).first()
    if target is None:
        raise Http404("Responsable introuvable.")
    return target


def _card_response(request: HttpRequest, *, entity: str, obj: Any, slug: str,
                   may_edit: bool, household_id: int, back_url: str,
                   flash: tuple[str, str] | None = None) -> HttpResponse:
    policy = selectors.edit_policy()
    pending = selectors.pending_for(household_id=household_id, entity=entity, obj=obj)
    card = card_build(entity=entity, slug=slug, obj=obj, policy=policy, may_edit=may_edit,
                      pending=pending)
    if card is None:
        raise Http404("Rubrique introuvable.")
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect(f"{back_url}#{card.dom_id}")
    return render(request, "family_portal/_card.html", {"card": card, "flash": flash})


def _card_edit(request: HttpRequest, *, guardian: Guardian, entity: str, obj: Any, slug: str,
               may_edit: bool, back_url: str) -> HttpResponse:
    """GET: the card's form; POST: submit through the service, then the card again with
    the confirmation (htmx) or a redirect to the page (without JavaScript)."""
    policy = selectors.edit_policy()
    category = category_get(entity, slug)
    if category is None:
        raise Http404("Rubrique introuvable.")
    card = card_build(entity=entity, slug=slug, obj=obj, policy=policy, may_edit=may_edit)
    if card is None or not card.editable:
        raise Http404("Rubrique non modifiable.")
    fields = category_fields(entity, slug)
    form_class = card_form_class(entity=entity, fields=fields, policy=policy)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                result = services.family_changes_submit(
                    household=guardian.household, target=entity, obj=obj, category=slug,
                    data=form.cleaned_data, acting_user=acting_user(request))
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied as error:
                raise Http404("Rubrique non modifiable.") from error
            else:
                obj.refresh_from_db()
                flash = _result_message(result)
                if not request.htmx:  # type: ignore[attr-defined]
                    getattr(messages, flash[0])(request, flash[1])
                return _card_response(request, entity=entity, obj=obj, slug=slug,
                                      may_edit=may_edit, household_id=guardian.household_id,
                                      back_url=back_url, flash=flash)
    else:
        initial = {f.name: getattr(obj, f.name) for f in fields}
        form = form_class(initial=initial)
    if request.htmx and form.fields:  # type: ignore[attr-defined]
        # htmx moves the focus to it after the swap: keyboard and screen-reader users land
        # in the form they opened.
        next(iter(form.fields.values())).widget.attrs["autofocus"] = True
    context = {"card": card, "form": form, "back_url": back_url,
               "read_only_rows": [r for r in card.rows if r.mode not in EditMode.EDITABLE]}
    status = 200
    if request.method == "POST":
        context["flash"] = ("danger", FIX)
        status = 200 if request.htmx else 400  # type: ignore[attr-defined]
    template = ("family_portal/_card_form.html" if request.htmx  # type: ignore[attr-defined]
                else "family_portal/card_edit.html")
    return render(request, template, context, status=status)


@_with_guardian
def household_card(request: HttpRequest, guardian: Guardian, slug: str) -> HttpResponse:
    return _card_response(request, entity="household", obj=guardian.household, slug=slug,
                          may_edit=True, household_id=guardian.household_id, back_url="/profil/")


@_with_guardian
@require_http_methods(["GET", "POST"])
def household_edit(request: HttpRequest, guardian: Guardian, slug: str) -> HttpResponse:
    return _card_edit(request, guardian=guardian, entity="household", obj=guardian.household,
                      slug=slug, may_edit=True, back_url="/profil/")


@_with_guardian
def guardian_card(request: HttpRequest, guardian: Guardian, guardian_id: int,
                  slug: str) -> HttpResponse:
    target = _resolve_profile_target(guardian, guardian_id)
    return _card_response(request, entity="guardian", obj=target, slug=slug,
                          may_edit=target.pk == guardian.pk,
                          household_id=guardian.household_id, back_url="/profil/")


@_with_guardian
@require_http_methods(["GET", "POST"])
def guardian_edit(request: HttpRequest, guardian: Guardian, guardian_id: int,
                  slug: str) -> HttpResponse:
    target = _resolve_profile_target(guardian, guardian_id)
    return _card_edit(request, guardian=guardian, entity="guardian", obj=target, slug=slug,
                      may_edit=target.pk == guardian.pk, back_url="/profil/")


# --- Mes enfants -----------------------------------------------------------------------------


@_with_guardian
def children_page(request: HttpRequest, guardian: Guardian) -> HttpResponse:
    return render(request, "family_portal/children.html", {
        "cards": selectors.children_cards(household=guardian.household),
    })


def _child_context(guardian: Guardian, child_id: int, **forms: Any) -> dict[str, Any]:
    child = selectors.child_for_household(household=guardian.household, child_id=child_id)
    policy = selectors.edit_policy()
    sheet = selectors.child_sheet(child=child, household=guardian.household)
    cards: dict[str, Card | None] = {
        slug.replace("-", "_"): card_build(entity="child", slug=slug, obj=child, policy=policy,
                                           pending=sheet.pending)
        for slug in CHILD_CARDS
    }
    return {
        "child": child, "sheet": sheet, "cards": cards,
        "contacts_mode": policy["child.contacts"], "documents_mode": policy["child.documents"],
        "contact_form": forms.get("contact_form") or PortalContactForm(),
        "document_form": forms.get("document_form") or PortalDocumentForm(),
    }


@_with_guardian
def child_page(request: HttpRequest, guardian: Guardian, child_id: int) -> HttpResponse:
    return render(request, "family_portal/child.html", _child_context(guardian, child_id))


@_with_guardian
def child_card(request: HttpRequest, guardian: Guardian, child_id: int,
               slug: str) -> HttpResponse:
    child = selectors.child_for_household(household=guardian.household, child_id=child_id)
    return _card_response(request, entity="child", obj=child, slug=slug, may_edit=True,
                          household_id=guardian.household_id,
                          back_url=f"/enfants/{child.pk}/")


@_with_guardian
@require_http_methods(["GET", "POST"])
def child_edit(request: HttpRequest, guardian: Guardian, child_id: int,
               slug: str) -> HttpResponse:
    child = selectors.child_for_household(household=guardian.household, child_id=child_id)
    return _card_edit(request, guardian=guardian, entity="child", obj=child, slug=slug,
                      may_edit=True, back_url=f"/enfants/{child.pk}/")


@_with_guardian
@require_POST
def contact_add(request: HttpRequest, guardian: Guardian, child_id: int) -> HttpResponse:
    child = selectors.child_for_household(household=guardian.household, child_id=child_id)
    form = PortalContactForm(request.POST)
    if form.is_valid():
        try:
            services.portal_contact_add(
                household=guardian.household, child=child, acting_user=acting_user(request),
                name=form.cleaned_data["name"], phone=form.cleaned_data["phone"],
                role=form.cleaned_data["role"],
                relationship=form.cleaned_data.get("relationship") or "")
        except PermissionDenied as error:
            raise Http404("Modification non permise.") from error
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{form.cleaned_data['name']} est ajouté(e) aux "
                                      "contacts. " + SAVED)
            return redirect(f"/enfants/{child.pk}/#contacts")
    messages.error(request, "Le contact n'a pas été ajouté : corrigez ce qui est signalé.")
    return render(request, "family_portal/child.html",
                  _child_context(guardian, child.pk, contact_form=form), status=400)


@_with_guardian
@require_POST
def contact_remove(request: HttpRequest, guardian: Guardian, child_id: int,
                   contact_id: int) -> HttpResponse:
    contact = selectors.contact_for_household(household=guardian.household, child_id=child_id,
                                              contact_id=contact_id)
    try:
        services.portal_contact_remove(household=guardian.household, contact=contact,
                                       acting_user=acting_user(request))
    except PermissionDenied as error:
        raise Http404("Modification non permise.") from error
    messages.success(request, f"{contact.name} ne fait plus partie des contacts.")
    return redirect(f"/enfants/{child_id}/#contacts")


@_with_guardian
@require_POST
def document_upload(request: HttpRequest, guardian: Guardian, child_id: int) -> HttpResponse:
    child = selectors.child_for_household(household=guardian.household, child_id=child_id)
    form = PortalDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.portal_document_upload(
                household=guardian.household, child=child, title=form.cleaned_data["title"],
                upload=form.cleaned_data["upload"], acting_user=acting_user(request))
        except PermissionDenied as error:
            raise Http404("Modification non permise.") from error
        except ValidationError as error:
            if hasattr(error, "error_dict") and "file" in error.error_dict:
                error = ValidationError({"upload": error.error_dict["file"]})
            add_service_errors(form, error)
        else:
            messages.success(request, "Le document est ajouté au dossier de votre enfant.")
            return redirect(f"/enfants/{child.pk}/#documents")
    messages.error(request, "Le document n'a pas été ajouté : corrigez ce qui est signalé.")
    return render(request, "family_portal/child.html",
                  _child_context(guardian, child.pk, document_form=form), status=400)


@_with_guardian
def document_download(request: HttpRequest, guardian: Guardian, child_id: int,
                      document_id: int) -> HttpResponse:
    if selectors.edit_policy()["child.documents"] == EditMode.HIDDEN:
        raise Http404("Document introuvable.")
    document = selectors.document_for_household(household=guardian.household,
                                                child_id=child_id, document_id=document_id)
    response = FileResponse(
        document.file.open("rb"), content_type=document.content_type or "application/octet-stream",
        as_attachment=request.GET.get("telecharger") == "1",
        filename=document.original_name or f"document-{document.pk}",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return cast(HttpResponse, response)
