"""Back-office pages of schooling: thin edges over selectors (reads) and services (writes)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tenant_apps.accounts.access import agent_required, can_edit, editor_required
from tenant_apps.backoffice.form_styles import add_service_errors
from tenant_apps.schooling import selectors, services
from tenant_apps.schooling.forms import (
    EnrolmentForm,
    SchoolClassForm,
    SchoolForm,
    SchoolYearForm,
)
from tenant_apps.schooling.models import Level

NOT_SAVED = "Certains champs sont à corriger : rien n'a été enregistré."


@agent_required
def index(request: HttpRequest) -> HttpResponse:
    year = selectors.school_year_chosen(request.GET.get("annee"))
    return render(request, "schooling/index.html", {
        "years": selectors.school_years_list(),
        "year": year,
        "schools": selectors.schools_list(school_year=year),
        "can_edit": can_edit(request.user),
    })


@editor_required
def school_year_create_page(request: HttpRequest) -> HttpResponse:
    form = SchoolYearForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            year = services.school_year_create(**form.cleaned_data, actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Année scolaire {year.label} créée.")
            return redirect("backoffice:schooling:index")
    status = 400 if request.method == "POST" else 200
    return render(request, "schooling/form.html", {
        "form": form, "title": "Nouvelle année scolaire", "submit": "Créer l'année",
        "back_url": "backoffice:schooling:index",
    }, status=status)


@require_POST
@editor_required
def school_year_set_current_action(request: HttpRequest, pk: int) -> HttpResponse:
    year = selectors.school_year_get(pk=pk)
    services.school_year_set_current(school_year=year, actor=request.user)
    messages.success(request, f"{year.label} est désormais l'année en cours.")
    return redirect("backoffice:schooling:index")


@editor_required
def school_create_page(request: HttpRequest) -> HttpResponse:
    form = SchoolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            school = services.school_create(**form.cleaned_data, actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"École « {school.name} » créée.")
            return redirect("backoffice:schooling:school", pk=school.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "schooling/form.html", {
        "form": form, "title": "Nouvelle école", "submit": "Créer l'école",
        "back_url": "backoffice:schooling:index",
    }, status=status)


@agent_required
def school_detail(request: HttpRequest, pk: int) -> HttpResponse:
    school = selectors.school_get(pk=pk)
    year = selectors.school_year_chosen(request.GET.get("annee"))
    return render(request, "schooling/school.html", {
        "school": school,
        "year": year,
        "years": selectors.school_years_list(),
        "classes": selectors.classes_list(school=school, school_year=year) if year else [],
        "class_form": SchoolClassForm(),
        "can_edit": can_edit(request.user),
    })


@editor_required
def school_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    school = selectors.school_get(pk=pk)
    initial = {"name": school.name, "kind": school.kind, "address": school.address}
    form = SchoolForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.school_update(
                school=school, **form.cleaned_data, active=school.active, actor=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "École enregistrée.")
            return redirect("backoffice:schooling:school", pk=school.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "schooling/form.html", {
        "form": form, "title": f"Modifier « {school.name} »", "submit": "Enregistrer",
        "back_url": "backoffice:schooling:school", "back_pk": school.pk,
    }, status=status)


@require_POST
@editor_required
def school_active_action(request: HttpRequest, pk: int) -> HttpResponse:
    school = selectors.school_get(pk=pk)
    active = request.POST.get("active") == "1"
    services.school_set_active(school=school, active=active, actor=request.user)
    if active:
        messages.success(request, f"« {school.name} » est de nouveau en service.")
    else:
        messages.success(request, f"« {school.name} » est désactivée : elle n'est plus proposée.")
    return redirect("backoffice:schooling:school", pk=school.pk)


@editor_required
def class_create_page(request: HttpRequest, pk: int) -> HttpResponse:
    school = selectors.school_get(pk=pk)
    year = selectors.school_year_chosen(request.POST.get("annee") or request.GET.get("annee"))
    if year is None:
        messages.error(request, "Créez d'abord une année scolaire.")
        return redirect("backoffice:schooling:index")
    form = SchoolClassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            school_class = services.school_class_create(
                school=school, school_year=year, **form.cleaned_data, actor=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Classe « {school_class.name} » créée.")
            return redirect(f"/gestion/scolarite/ecoles/{school.pk}/?annee={year.pk}")
    status = 400 if request.method == "POST" else 200
    return render(request, "schooling/form.html", {
        "form": form, "title": f"Nouvelle classe — {school.name} ({year.label})",
        "submit": "Créer la classe",
        "back_url": "backoffice:schooling:school", "back_pk": school.pk,
        "hidden": {"annee": year.pk},
    }, status=status)


@agent_required
def class_detail(request: HttpRequest, pk: int) -> HttpResponse:
    school_class = selectors.school_class_get(pk=pk)
    term = request.GET.get("q", "").strip()
    candidates = (
        selectors.children_search(term=term, school_year=school_class.school_year)
        if term and can_edit(request.user) else []
    )
    return render(request, "schooling/class.html", {
        "school_class": school_class,
        "roster": selectors.class_roster(school_class=school_class),
        "term": term,
        "candidates": candidates,
        "levels": [(v, lbl) for v, lbl in Level.choices
                   if not school_class.levels or v in school_class.levels],
        "can_edit": can_edit(request.user),
    })


@editor_required
def class_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    school_class = selectors.school_class_get(pk=pk)
    initial = {"name": school_class.name, "levels": school_class.levels}
    form = SchoolClassForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.school_class_update(
                school_class=school_class, **form.cleaned_data, actor=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Classe enregistrée.")
            return redirect("backoffice:schooling:class", pk=school_class.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "schooling/form.html", {
        "form": form, "title": f"Modifier la classe « {school_class.name} »",
        "submit": "Enregistrer",
        "back_url": "backoffice:schooling:class", "back_pk": school_class.pk,
    }, status=status)


@require_POST
@editor_required
def enrolment_set_action(request: HttpRequest, pk: int) -> HttpResponse:
    school_class = selectors.school_class_get(pk=pk)
    form = EnrolmentForm(request.POST)
    if not form.is_valid():
        raise Http404
    child = selectors.child_get(pk=form.cleaned_data["child"])
    try:
        services.enrolment_set(
            child=child, school_year=school_class.school_year, school_class=school_class,
            level=form.cleaned_data["level"], actor=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{child} est dans la classe « {school_class.name} ».")
    return redirect("backoffice:schooling:class", pk=school_class.pk)


@require_POST
@editor_required
def enrolment_delete_action(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = selectors.enrolment_get(pk=pk)
    class_pk, child = enrolment.school_class_id, enrolment.child
    services.enrolment_delete(enrolment=enrolment, actor=request.user)
    messages.success(request, f"{child} a été retiré(e) de la classe.")
    return redirect("backoffice:schooling:class", pk=class_pk)
