"""Back-office pages of families and children: thin views over selectors and services."""

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tenant_apps.accounts.access import acting_user, agent_required, editor_required
from tenant_apps.commune_settings.selectors import commune_settings_get
from tenant_apps.families import selectors, services
from tenant_apps.families.access import family_access
from tenant_apps.families.forms import (
    ChildCreateForm,
    ChildForm,
    ContactForm,
    DocumentForm,
    GuardianForm,
    HouseholdForm,
    LinkForm,
)
from tenant_apps.families.models import (
    Child,
    ChildContact,
    ChildDocument,
    CustodyPattern,
    Diet,
    Guardian,
    Household,
)

PAGE_SIZE = 50
AUTHORISATIONS = (
    ("may_be_photographed", "Photos et vidéos"),
    ("may_leave_alone", "Partir seul après l'accueil"),
    ("may_go_on_outings", "Sorties hors de l'établissement"),
    ("medical_care_allowed", "Soins d'urgence et hospitalisation"),
)
FIX_ERRORS = "Certains champs sont à corriger : rien n'a été enregistré."



def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _filters(query: QueryDict) -> selectors.ListFilters:
    return selectors.ListFilters(
        search=query.get("q", "").strip()[:100],
        school_id=_int(query.get("ecole")),
        class_id=_int(query.get("classe")),
        service_id=_int(query.get("prestation")),
        qf=query.get("qf", "") if query.get("qf") in selectors.QF_FILTERS else "",
        diet=query.get("regime", "") if query.get("regime") in Diet.values else "",
        pai=query.get("pai") == "1",
        sort=query.get("tri", "nom"),
    )


def _household_or_404(household_id: int) -> Household:
    household = Household.objects.filter(pk=household_id).first()
    if household is None:
        raise Http404("Foyer introuvable.")
    return household


def _child_or_404(child_id: int) -> Child:
    child = Child.objects.filter(pk=child_id).first()
    if child is None:
        raise Http404("Enfant introuvable.")
    return child


def _guardian_or_404(household_id: int, guardian_id: int) -> Guardian:
    guardian = Guardian.objects.filter(pk=guardian_id, household_id=household_id).first()
    if guardian is None:
        raise Http404("Responsable introuvable.")
    return guardian


# --- lists and search ---------------------------------------------------------------------


@agent_required
def household_list_page(request: HttpRequest) -> HttpResponse:
    access = family_access(request.user)
    filters = _filters(request.GET)
    year = selectors.current_school_year()
    page = Paginator(selectors.household_list(access=access, filters=filters, year=year),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "families/household_list.html", {
        "access": access, "filters": filters, "page": page, "school_year": year,
        "qf_filters": selectors.QF_FILTERS, "today": timezone.localdate(),
        **selectors.filter_choices(year),
    })


@agent_required
def child_list_page(request: HttpRequest) -> HttpResponse:
    access = family_access(request.user)
    filters = _filters(request.GET)
    year = selectors.current_school_year()
    page = Paginator(selectors.child_list(access=access, filters=filters, year=year),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "families/child_list.html", {
        "access": access, "filters": filters, "page": page, "school_year": year,
        "diets": Diet.choices, **selectors.filter_choices(year),
    })


@agent_required
def search_page(request: HttpRequest) -> HttpResponse:
    results = selectors.global_search(term=request.GET.get("q", ""))
    partial = getattr(request, "htmx", False) and request.GET.get("partiel") == "1"
    template = "families/_search_results.html" if partial else "families/search.html"
    return render(request, template, {"results": results})


# --- households -----------------------------------------------------------------------------


@editor_required
def household_create_page(request: HttpRequest) -> HttpResponse:
    access = family_access(request.user)
    form = HouseholdForm(request.POST or None, access=access)
    guardian_form = GuardianForm(request.POST or None, access=access, prefix="responsable")
    if request.method == "POST":
        if form.is_valid() and guardian_form.is_valid():
            try:
                household = services.household_create_with_guardian(
                    actor=acting_user(request),
                    household=cast(services.HouseholdFields, form.cleaned_data),
                    guardian=cast(services.GuardianFields, guardian_form.cleaned_data),
                )
            except services.GuardianValidationError as error:
                guardian_form.add_service_error(error)
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, f"Foyer « {household.name} » créé.")
                return redirect("backoffice:families:household", household_id=household.pk)
        messages.error(request, FIX_ERRORS)
    return render(request, "families/household_form.html",
                  {"form": form, "guardian_form": guardian_form, "access": access},
                  status=400 if request.method == "POST" else 200)


@agent_required
def household_page(request: HttpRequest, household_id: int) -> HttpResponse:
    access = family_access(request.user)
    detail = selectors.household_detail(household_id=household_id)
    if detail is None:
        raise Http404("Foyer introuvable.")
    history = selectors.history_rows(entity="household", entity_id=household_id,
                                     access=access, labels=selectors.field_labels())
    return render(request, "families/household_detail.html",
                  {"access": access, "detail": detail, "household": detail.household,
                   "history": history})


@editor_required
def household_edit_page(request: HttpRequest, household_id: int) -> HttpResponse:
    access = family_access(request.user)
    household = _household_or_404(household_id)
    form = HouseholdForm(request.POST or None, instance=household, access=access)
    return _save_form(
        request, form, template="families/household_form.html",
        context={"household": household, "access": access},
        save=lambda data: services.household_update(
            actor=acting_user(request), household=household, **data),
        success="Foyer enregistré.",
        then=lambda _: redirect("backoffice:families:household", household_id=household.pk),
    )


# --- guardians ------------------------------------------------------------------------------


@editor_required
def guardian_add_page(request: HttpRequest, household_id: int) -> HttpResponse:
    access = family_access(request.user)
    household = _household_or_404(household_id)
    form = GuardianForm(request.POST or None, access=access)
    return _save_form(
        request, form, template="families/guardian_form.html",
        context={"household": household, "access": access},
        save=lambda data: services.guardian_add(actor=acting_user(request), household=household,
                                                **data),
        success="Responsable légal ajouté.",
        then=lambda _: redirect("backoffice:families:household", household_id=household.pk),
    )


@editor_required
def guardian_edit_page(request: HttpRequest, household_id: int, guardian_id: int
                       ) -> HttpResponse:
    access = family_access(request.user)
    guardian = _guardian_or_404(household_id, guardian_id)
    form = GuardianForm(request.POST or None, instance=guardian, access=access)
    return _save_form(
        request, form, template="families/guardian_form.html",
        context={"household": guardian.household, "guardian": guardian, "access": access},
        save=lambda data: services.guardian_update(actor=acting_user(request), guardian=guardian,
                                                   **data),
        success="Responsable légal enregistré.",
        then=lambda _: redirect("backoffice:families:household", household_id=household_id),
    )


@editor_required
@require_POST
def guardian_remove_action(request: HttpRequest, household_id: int, guardian_id: int
                           ) -> HttpResponse:
    guardian = _guardian_or_404(household_id, guardian_id)
    name = str(guardian)
    _act(request, lambda: services.guardian_remove(actor=acting_user(request), guardian=guardian),
         f"{name} n'est plus responsable de ce foyer.")
    return redirect("backoffice:families:household", household_id=household_id)


@editor_required
@require_POST
def guardian_invite_action(request: HttpRequest, household_id: int, guardian_id: int
                           ) -> HttpResponse:
    guardian = _guardian_or_404(household_id, guardian_id)
    _act(
        request,
        lambda: services.guardian_invite_to_portal(
            actor=acting_user(request), guardian=guardian,
            site_url=request.build_absolute_uri("/"),
            commune_name=commune_settings_get().display_name,
        ),
        f"Invitation au portail envoyée à {guardian.email}.",
    )
    return redirect("backoffice:families:household", household_id=household_id)


# --- children ---------------------------------------------------------------------------------


@editor_required
def child_create_page(request: HttpRequest, household_id: int) -> HttpResponse:
    access = family_access(request.user)
    household = _household_or_404(household_id)
    form = ChildCreateForm(request.POST or None, access=access,
                           initial={"last_name": _family_name(household)})

    def save(data: dict[str, Any]) -> Child:
        custody = data.pop("custody", CustodyPattern.FULL)
        return services.child_create(actor=acting_user(request), household=household,
                                     custody=custody, **data)

    return _save_form(
        request, form, template="families/child_form.html",
        context={"household": household, "access": access},
        save=save, success="Enfant ajouté.",
        then=lambda child: redirect("backoffice:families:child", child_id=child.pk),
    )


def _family_name(household: Household) -> str:
    first = household.guardians.order_by("pk").first()
    return first.last_name if first else ""


@agent_required
def child_page(request: HttpRequest, child_id: int) -> HttpResponse:
    return _child_page(request, child_id)


def _child_page(request: HttpRequest, child_id: int, *, status: int = 200,
                **forms: Any) -> HttpResponse:
    access = family_access(request.user)
    detail = selectors.child_detail(child_id=child_id, access=access)
    if detail is None:
        raise Http404("Enfant introuvable.")
    history = selectors.history_rows(entity="child", entity_id=child_id, access=access,
                                     labels=selectors.field_labels())
    child = detail.child
    authorisations = [(label, getattr(child, name)) for name, label in AUTHORISATIONS]
    return render(request, "families/child_detail.html", {
        "access": access, "detail": detail, "child": child, "history": history,
        "authorisations": authorisations,
        "contact_form": forms.get("contact_form") or ContactForm(),
        "document_form": forms.get("document_form") or DocumentForm(),
    }, status=status)


@editor_required
def child_edit_page(request: HttpRequest, child_id: int) -> HttpResponse:
    access = family_access(request.user)
    child = _child_or_404(child_id)
    form = ChildForm(request.POST or None, instance=child, access=access)
    return _save_form(
        request, form, template="families/child_form.html",
        context={"child": child, "access": access},
        save=lambda data: services.child_update(actor=acting_user(request), child=child, **data),
        success="Fiche de l'enfant enregistrée.",
        then=lambda _: redirect("backoffice:families:child", child_id=child.pk),
    )


@editor_required
def child_link_page(request: HttpRequest, child_id: int) -> HttpResponse:
    child = _child_or_404(child_id)
    term = request.GET.get("q", "").strip()[:100]
    candidates = selectors.households_for_link(child=child, term=term)
    form = LinkForm(request.POST or None,
                    households=Household.objects.exclude(memberships__child=child))
    if request.method == "POST":
        if form.is_valid():
            try:
                services.child_household_link(
                    actor=acting_user(request), child=child,
                    household=form.cleaned_data["household"],
                    custody=form.cleaned_data["custody"],
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, "Second foyer rattaché (garde alternée).")
                return redirect("backoffice:families:child", child_id=child.pk)
        messages.error(request, FIX_ERRORS)
    return render(request, "families/child_link.html",
                  {"child": child, "form": form, "candidates": candidates, "term": term},
                  status=400 if request.method == "POST" else 200)


@editor_required
@require_POST
def child_unlink_action(request: HttpRequest, child_id: int, household_id: int
                        ) -> HttpResponse:
    child = _child_or_404(child_id)
    household = _household_or_404(household_id)
    _act(request, lambda: services.child_household_unlink(actor=acting_user(request), child=child,
                                                           household=household),
         f"L'enfant n'est plus rattaché au foyer {household.name}.")
    return redirect("backoffice:families:child", child_id=child.pk)


# --- contacts and documents -----------------------------------------------------------------


@editor_required
@require_POST
def contact_add_action(request: HttpRequest, child_id: int) -> HttpResponse:
    child = _child_or_404(child_id)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            services.contact_add(actor=acting_user(request), child=child, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, "Contact ajouté.")
            return redirect(f"/gestion/familles/enfants/{child.pk}/#contacts")
    messages.error(request, FIX_ERRORS)
    return _child_page(request, child.pk, status=400, contact_form=form)


@editor_required
@require_POST
def contact_remove_action(request: HttpRequest, child_id: int, contact_id: int
                          ) -> HttpResponse:
    contact = ChildContact.objects.filter(pk=contact_id, child_id=child_id).first()
    if contact is None:
        raise Http404("Contact introuvable.")
    _act(request, lambda: services.contact_remove(actor=acting_user(request), contact=contact),
         "Contact retiré.")
    return redirect(f"/gestion/familles/enfants/{child_id}/#contacts")


@editor_required
@require_POST
def document_upload_action(request: HttpRequest, child_id: int) -> HttpResponse:
    child = _child_or_404(child_id)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_upload(actor=acting_user(request), child=child,
                                     title=form.cleaned_data["title"],
                                     upload=form.cleaned_data["upload"])
        except ValidationError as error:
            _form_errors(form, error, rename={"file": "upload"})
        else:
            messages.success(request, "Document ajouté.")
            return redirect(f"/gestion/familles/enfants/{child.pk}/#documents")
    messages.error(request, "Le document n'a pas été ajouté : voir ci-dessous.")
    return _child_page(request, child.pk, status=400, document_form=form)


@agent_required
def document_download(request: HttpRequest, child_id: int, document_id: int) -> HttpResponse:
    document = selectors.document_get(child_id=child_id, document_id=document_id,
                                      access=family_access(request.user))
    if document is None:
        raise Http404("Document introuvable.")
    response = FileResponse(
        document.file.open("rb"),
        content_type=document.content_type or "application/octet-stream",
        as_attachment=request.GET.get("telecharger") == "1",
        filename=document.original_name or f"document-{document.pk}",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    # The access decorators are typed for HttpResponse; a streamed file is as good.
    return cast(HttpResponse, response)


@editor_required
@require_POST
def document_delete_action(request: HttpRequest, child_id: int, document_id: int
                           ) -> HttpResponse:
    document = ChildDocument.objects.filter(pk=document_id, child_id=child_id).first()
    if document is None:
        raise Http404("Document introuvable.")
    _act(request, lambda: services.document_delete(actor=acting_user(request), document=document),
         "Document supprimé.")
    return redirect(f"/gestion/familles/enfants/{child_id}/#documents")


# --- helpers ------------------------------------------------------------------------------------


def _form_errors(form: Any, error: ValidationError,
                 rename: dict[str, str] | None = None) -> None:
    if hasattr(form, "add_service_error") and not rename:
        form.add_service_error(error)
        return
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        name = (rename or {}).get(name, name)
        for item in errors:
            form.add_error(name if name in form.fields else None, item)


def _save_form(
    request: HttpRequest,
    form: Any,
    *,
    template: str,
    context: dict[str, Any],
    save: Callable[[dict[str, Any]], Any],
    success: str,
    then: Callable[[Any], HttpResponse],
) -> HttpResponse:
    """GET shows the form; POST validates, calls the service, and on any error shows the
    form again with what was typed, the errors next to their fields, and a 400."""
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = save(dict(form.cleaned_data))
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, success)
                return then(saved)
        messages.error(request, FIX_ERRORS)
    return render(request, template, {"form": form, **context},
                  status=400 if request.method == "POST" else 200)


def _act(request: HttpRequest, action: Callable[[], Any], success: str) -> None:
    try:
        action()
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, success)

