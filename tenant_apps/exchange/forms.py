"""Forms of the exchange pages: export filters and the import upload."""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from tenant_apps.catalog.models import Service
from tenant_apps.exchange.selectors import ExportFilters
from tenant_apps.exchange.tables import MAX_UPLOAD_BYTES, file_kind
from tenant_apps.schooling.models import School, SchoolClass, SchoolYear

EXPORT_FORMATS = {"xlsx": "Excel", "csv": "CSV"}


class ClassChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} — {obj.school.name}"


class ExportForm(forms.Form):
    """Filters of the children export; field names are the query string's (French)."""

    ecole = forms.ModelChoiceField(
        label="École", queryset=School.objects.none(), required=False, empty_label="Toutes")
    classe = ClassChoiceField(
        label="Classe", queryset=SchoolClass.objects.none(), required=False,
        empty_label="Toutes")
    prestation = forms.ModelChoiceField(
        label="Inscrits à la prestation", queryset=Service.objects.none(), required=False,
        empty_label="Toutes (inscrits ou non)")

    def __init__(self, *args: Any, year: SchoolYear | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ecole"].queryset = School.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["classe"].queryset = (  # type: ignore[attr-defined]
            SchoolClass.objects.filter(school_year=year).select_related("school")
            .order_by("school__name", "name") if year else SchoolClass.objects.none()
        )
        self.fields["prestation"].queryset = (  # type: ignore[attr-defined]
            Service.objects.filter(active=True).order_by("kind", "name"))

    def filters(self) -> ExportFilters:
        data = self.cleaned_data
        return ExportFilters(school=data.get("ecole"), school_class=data.get("classe"),
                             service=data.get("prestation"))


class ImportForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier à importer",
        help_text="CSV (séparateur point-virgule ou virgule) ou Excel .xlsx, 5 Mo au plus.",
        error_messages={"required": "Choisissez un fichier à importer.",
                        "empty": "Le fichier est vide."},
    )

    def clean_fichier(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["fichier"]
        name = upload.name or ""
        if name.lower().endswith(".xls"):
            raise forms.ValidationError(
                "Les fichiers .xls (Excel 97-2003) ne sont pas pris en charge : enregistrez le "
                "fichier au format .xlsx ou CSV.")
        if file_kind(name) is None:
            raise forms.ValidationError(
                "Format non pris en charge : déposez un fichier CSV (.csv) ou Excel (.xlsx).")
        if (upload.size or 0) > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                "Le fichier dépasse 5 Mo : découpez-le en plusieurs fichiers.")
        if not upload.size:
            raise forms.ValidationError("Le fichier est vide.")
        return upload
