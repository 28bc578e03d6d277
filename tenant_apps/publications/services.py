"""Publishing and withdrawing documents for families."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from tenant_apps.catalog.models import Service
from tenant_apps.history.models import ChangeAction
from tenant_apps.history.services import change_record
from tenant_apps.publications.files import validate_upload
from tenant_apps.publications.models import Publication
from tenant_apps.schooling.models import School, SchoolClass


@transaction.atomic
def publication_create(
    *,
    title: str,
    description: str,
    upload: UploadedFile,
    visible_from: datetime.date,
    visible_until: datetime.date | None,
    target_school: School | None,
    target_class: SchoolClass | None,
    target_service: Service | None,
    acting_user: Any,
) -> Publication:
    """Store the file in the commune's storage and publish it to the audience.

    Refuses (ValidationError, French) a file that is not a PDF, JPEG or PNG of at most
    10 MB, an end date before the start date, and a class outside the chosen school."""
    content_type = validate_upload(upload)
    if visible_until is not None and visible_until < visible_from:
        raise ValidationError(
            {"visible_until": "La date de fin doit suivre la date de début."}
        )
    if target_school and target_class and target_class.school_id != target_school.pk:
        raise ValidationError({"target_class": "Cette classe n'appartient pas à l'école choisie."})
    original_name = (upload.name or "document").rsplit("/", 1)[-1][:200]
    publication = Publication(
        title=title.strip(),
        description=description.strip(),
        original_name=original_name,
        content_type=content_type,
        size=upload.size or 0,
        visible_from=visible_from,
        visible_until=visible_until,
        target_school=target_school,
        target_class=target_class,
        target_service=target_service,
        published_by=acting_user,
        published_by_email=getattr(acting_user, "email", ""),
    )
    publication.file.save(original_name, upload, save=False)
    publication.full_clean()
    publication.save()
    change_record(
        actor=acting_user, entity="publication", entity_id=publication.pk,
        action=ChangeAction.CREATE, summary=f"Document publié : {publication.title}",
    )
    return publication


@transaction.atomic
def publication_withdraw(*, publication: Publication, acting_user: Any) -> Publication:
    """Take a document off the portal at once (the file is kept for the record)."""
    locked = Publication.objects.select_for_update().get(pk=publication.pk)
    if locked.withdrawn_at is None:
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_by_email = getattr(acting_user, "email", "")
        locked.save(update_fields=["withdrawn_at", "withdrawn_by_email"])
        change_record(
            actor=acting_user, entity="publication", entity_id=locked.pk,
            action=ChangeAction.UPDATE, before={"état": "publié"}, after={"état": "retiré"},
            summary=f"Document retiré : {locked.title}",
        )
    return locked
