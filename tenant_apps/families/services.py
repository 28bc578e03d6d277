"""Family file use-cases: households, guardians, children, shared custody, contacts,
documents and portal invitations. Every write runs in a transaction and appends a history
row (tenant_apps.history) naming who acted and what changed.

Guardian events are recorded on their household ("household" rows) and contact, document
and membership events on the child ("child" rows), so each file's history is one query.
Errors are django ValidationError with French messages (per field where one is at fault)."""

import datetime
from typing import Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone

from tenant_apps.accounts.models import Role, User
from tenant_apps.accounts.services import user_create, user_invite
from tenant_apps.families.models import (
    Child,
    ChildContact,
    ChildDocument,
    ChildHousehold,
    ContactRole,
    CustodyPattern,
    Guardian,
    Household,
)
from tenant_apps.history.models import ChangeAction
from tenant_apps.history.services import change_record

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# Magic numbers of the accepted types: the browser's declared type is not trusted.
DOCUMENT_SIGNATURES: dict[bytes, str] = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}
MAX_HOUSEHOLDS_PER_CHILD = 2
SHARED_CUSTODY_COMPLEMENT = {
    CustodyPattern.EVEN_WEEKS: CustodyPattern.ODD_WEEKS,
    CustodyPattern.ODD_WEEKS: CustodyPattern.EVEN_WEEKS,
    CustodyPattern.AGREED: CustodyPattern.AGREED,
}


class HouseholdFields(TypedDict, total=False):
    name: str
    address: str
    postcode: str
    city: str
    is_resident: bool
    allowance_scheme: str
    allowance_number: str
    quotient_familial: int | None
    qf_valid_from: datetime.date | None
    qf_valid_until: datetime.date | None
    billing_guardian: Guardian | None
    notes: str


class GuardianFields(TypedDict, total=False):
    civility: str
    last_name: str
    first_name: str
    birth_name: str
    relationship: str
    email: str
    phone_mobile: str
    phone_home: str
    phone_work: str
    occupation: str
    employer: str


class ChildFields(TypedDict, total=False):
    last_name: str
    first_name: str
    sex: str
    birth_date: datetime.date
    birth_place: str
    diet: str
    has_pai: bool
    allergies: str
    medical_notes: str
    vaccinations_up_to_date: bool
    vaccinations_notes: str
    doctor_name: str
    doctor_phone: str
    may_be_photographed: bool
    may_leave_alone: bool
    may_go_on_outings: bool
    medical_care_allowed: bool


HOUSEHOLD_FIELDS = list(HouseholdFields.__annotations__)
GUARDIAN_FIELDS = list(GuardianFields.__annotations__)
CHILD_FIELDS = list(ChildFields.__annotations__)


# --- history helpers ------------------------------------------------------------------


def _display(instance: models.Model, name: str) -> str:
    """A field's value as a French reader would like to see it in the history."""
    field = instance._meta.get_field(name)
    value = getattr(instance, name)
    if value is None or value == "":
        return ""
    if getattr(field, "choices", None):
        return str(getattr(instance, f"get_{name}_display")())
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _snapshot(instance: models.Model, fields: list[str]) -> dict[str, str]:
    return {name: _display(instance, name) for name in fields}


def _full_name(person: Guardian | Child) -> str:
    return f"{person.first_name} {person.last_name.upper()}"


def _apply(instance: models.Model, allowed: list[str], fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError(f"Champs inconnus : {', '.join(sorted(unknown))}.")
    for name, value in fields.items():
        setattr(instance, name, value.strip() if isinstance(value, str) else value)


def _clean(instance: models.Model, exclude: list[str] | None = None) -> None:
    """Model validation (French messages from Django) plus our rules, before saving."""
    instance.full_clean(exclude=exclude, validate_unique=True, validate_constraints=False)


# --- households ---------------------------------------------------------------------


def _household_rules(household: Household) -> None:
    errors: dict[str, str] = {}
    if household.allowance_number and not household.allowance_scheme:
        errors["allowance_scheme"] = "Précisez le régime (CAF, MSA…) du numéro d'allocataire."
    if (
        household.qf_valid_from
        and household.qf_valid_until
        and household.qf_valid_until < household.qf_valid_from
    ):
        errors["qf_valid_until"] = "La fin de validité du QF précède son début."
    if household.quotient_familial is not None and household.quotient_familial > 100_000:
        errors["quotient_familial"] = "Ce quotient familial paraît invraisemblable."
    billing = household.billing_guardian
    if billing is not None and billing.household_id != household.pk:
        errors["billing_guardian"] = "Le responsable facturé doit appartenir à ce foyer."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def household_create(*, actor: User, **fields: Unpack[HouseholdFields]) -> Household:
    """Create a household (without guardians yet); history: one "create" row."""
    household = Household()
    _apply(household, HOUSEHOLD_FIELDS, dict(fields))
    if household.billing_guardian is not None:
        raise ValidationError({"billing_guardian": "Ajoutez d'abord les responsables légaux."})
    _clean(household, exclude=["billing_guardian"])
    _household_rules(household)
    household.save()
    change_record(
        actor=actor, entity="household", entity_id=household.pk, action=ChangeAction.CREATE,
        after=_snapshot(household, HOUSEHOLD_FIELDS), summary=f"Foyer créé : {household.name}",
    )
    return household


@transaction.atomic
def household_update(
    *, actor: User, household: Household, **fields: Unpack[HouseholdFields]
) -> Household:
    """Change a household's fields; history: the fields whose value changed."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    before = _snapshot(household, HOUSEHOLD_FIELDS)
    _apply(household, HOUSEHOLD_FIELDS, dict(fields))
    _clean(household)
    _household_rules(household)
    household.save()
    change_record(
        actor=actor, entity="household", entity_id=household.pk, action=ChangeAction.UPDATE,
        before=before, after=_snapshot(household, HOUSEHOLD_FIELDS),
        summary="Foyer modifié",
    )
    return household


class GuardianValidationError(ValidationError):
    """The guardian part of household_create_with_guardian is at fault."""


@transaction.atomic
def household_create_with_guardian(
    *, actor: User, household: HouseholdFields, guardian: GuardianFields
) -> Household:
    """Create a household and its first legal guardian (billed), or neither."""
    created = household_create(actor=actor, **household)
    try:
        guardian_add(actor=actor, household=created, **guardian)
    except ValidationError as error:
        raise GuardianValidationError(
            error.error_dict if hasattr(error, "error_dict") else error.messages
        ) from error
    created.refresh_from_db()
    return created


# --- guardians ------------------------------------------------------------------------


def _guardian_rules(guardian: Guardian) -> None:
    if not (guardian.email or guardian.phone_mobile or guardian.phone_home
            or guardian.phone_work):
        raise ValidationError(
            {"phone_mobile": "Renseignez au moins un téléphone ou un courriel."}
        )
    if guardian.email:
        guardian.email = guardian.email.lower()
        clash = Guardian.objects.filter(email=guardian.email).exclude(pk=guardian.pk)
        if clash.exists():
            raise ValidationError(
                {"email": "Ce courriel est déjà celui d'un autre responsable légal."}
            )


@transaction.atomic
def guardian_add(
    *, actor: User, household: Household, **fields: Unpack[GuardianFields]
) -> Guardian:
    """Add a legal guardian to a household. The first one becomes the billed guardian."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    guardian = Guardian(household=household)
    _apply(guardian, GUARDIAN_FIELDS, dict(fields))
    _clean(guardian, exclude=["user"])
    _guardian_rules(guardian)
    guardian.save()
    if household.billing_guardian_id is None:
        household.billing_guardian = guardian
        household.save(update_fields=["billing_guardian", "updated_at"])
    change_record(
        actor=actor, entity="household", entity_id=household.pk, action=ChangeAction.CREATE,
        after=_snapshot(guardian, GUARDIAN_FIELDS),
        summary=f"Responsable légal ajouté : {_full_name(guardian)}",
    )
    return guardian


@transaction.atomic
def guardian_update(
    *, actor: User, guardian: Guardian, **fields: Unpack[GuardianFields]
) -> Guardian:
    """Change a guardian's identity or contact details. A portal account follows a change
    of email (it is the login)."""
    guardian = Guardian.objects.select_for_update().get(pk=guardian.pk)
    before = _snapshot(guardian, GUARDIAN_FIELDS)
    _apply(guardian, GUARDIAN_FIELDS, dict(fields))
    _clean(guardian, exclude=["user"])
    _guardian_rules(guardian)
    if guardian.user_id is not None and guardian.email != before["email"]:
        if not guardian.email:
            raise ValidationError(
                {"email": "Ce responsable a un compte sur le portail : son courriel est requis."}
            )
        if User.objects.filter(email=guardian.email).exclude(pk=guardian.user_id).exists():
            raise ValidationError({"email": "Un compte existe déjà avec ce courriel."})
        User.objects.filter(pk=guardian.user_id).update(email=guardian.email)
    guardian.save()
    change_record(
        actor=actor, entity="household", entity_id=guardian.household_id,
        action=ChangeAction.UPDATE, before=before, after=_snapshot(guardian, GUARDIAN_FIELDS),
        summary=f"Responsable légal modifié : {_full_name(guardian)}",
    )
    return guardian


@transaction.atomic
def guardian_remove(*, actor: User, guardian: Guardian) -> None:
    """Remove a guardian from the household; a household keeps at least one. The portal
    account, if any, is deactivated (the person can no longer sign in)."""
    household = Household.objects.select_for_update().get(pk=guardian.household_id)
    others = household.guardians.exclude(pk=guardian.pk)
    if not others.exists():
        raise ValidationError("Un foyer garde au moins un responsable légal.")
    if household.billing_guardian_id == guardian.pk:
        household.billing_guardian = others.first()
        household.save(update_fields=["billing_guardian", "updated_at"])
    if guardian.user_id is not None:
        User.objects.filter(pk=guardian.user_id).update(is_active=False)
    before = _snapshot(guardian, GUARDIAN_FIELDS)
    name = _full_name(guardian)
    guardian.delete()
    change_record(
        actor=actor, entity="household", entity_id=household.pk, action=ChangeAction.DELETE,
        before=before, summary=f"Responsable légal retiré : {name}",
    )


@transaction.atomic
def guardian_invite_to_portal(
    *, actor: User, guardian: Guardian, site_url: str, commune_name: str
) -> User:
    """Give a guardian access to the parents' portal: create (or reuse) an account with the
    guardian role linked to them, and send the "create your password" email through the
    outbox. Sending again voids the previous link."""
    guardian = Guardian.objects.select_for_update().get(pk=guardian.pk)
    if not guardian.email:
        raise ValidationError("Renseignez le courriel du responsable avant de l'inviter.")
    user = guardian.user
    if user is not None and user.has_usable_password() and user.is_active:
        raise ValidationError("Ce responsable a déjà un compte actif sur le portail.")
    if user is None:
        user = user_create(email=guardian.email, role=Role.GUARDIAN,
                           full_name=f"{guardian.first_name} {guardian.last_name}")
        guardian.user = user
        guardian.save(update_fields=["user"])
    elif not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    user_invite(user=user, site_url=site_url, commune_name=commune_name)
    change_record(
        actor=actor, entity="household", entity_id=guardian.household_id,
        action=ChangeAction.UPDATE, before={"portal": ""}, after={"portal": "invité"},
        summary=f"Invitation au portail envoyée à {guardian.email}",
    )
    return user


# --- children ---------------------------------------------------------------------------


def _child_rules(child: Child) -> None:
    today = timezone.localdate()
    if child.birth_date and child.birth_date > today:
        raise ValidationError({"birth_date": "La date de naissance est dans le futur."})
    if child.birth_date and child.birth_date.year < today.year - 25:
        raise ValidationError({"birth_date": "Cette date de naissance paraît erronée."})


def _membership_record(*, actor: User, membership: ChildHousehold, action: str,
                       summary: str) -> None:
    value = {"custody": membership.get_custody_display()}
    empty = {"custody": ""}
    before, after = (empty, value) if action == ChangeAction.CREATE else (value, empty)
    for entity, entity_id in (("child", membership.child_id),
                              ("household", membership.household_id)):
        change_record(actor=actor, entity=entity, entity_id=entity_id, action=action,
                      before=before, after=after, summary=summary)


@transaction.atomic
def child_create(
    *,
    actor: User,
    household: Household,
    custody: str = CustodyPattern.FULL,
    **fields: Unpack[ChildFields],
) -> Child:
    """Create a child in `household` (a second household is linked with
    child_household_link). History: a "create" row on the child and on the household."""
    child = Child()
    _apply(child, CHILD_FIELDS, dict(fields))
    _clean(child)
    _child_rules(child)
    if custody not in CustodyPattern.values:
        raise ValidationError({"custody": "Rythme de garde inconnu."})
    child.save()
    change_record(
        actor=actor, entity="child", entity_id=child.pk, action=ChangeAction.CREATE,
        after=_snapshot(child, CHILD_FIELDS), summary=f"Enfant créé : {_full_name(child)}",
    )
    membership = ChildHousehold.objects.create(child=child, household=household,
                                               custody=custody)
    _membership_record(actor=actor, membership=membership, action=ChangeAction.CREATE,
                       summary=f"{_full_name(child)} rattaché au foyer {household.name}")
    return child


@transaction.atomic
def child_update(*, actor: User, child: Child, **fields: Unpack[ChildFields]) -> Child:
    """Change a child's civil status, diet, medical data or authorisations."""
    child = Child.objects.select_for_update().get(pk=child.pk)
    before = _snapshot(child, CHILD_FIELDS)
    _apply(child, CHILD_FIELDS, dict(fields))
    _clean(child)
    _child_rules(child)
    child.save()
    change_record(
        actor=actor, entity="child", entity_id=child.pk, action=ChangeAction.UPDATE,
        before=before, after=_snapshot(child, CHILD_FIELDS),
        summary=f"Fiche modifiée : {_full_name(child)}",
    )
    return child


@transaction.atomic
def child_household_link(
    *, actor: User, child: Child, household: Household, custody: str
) -> ChildHousehold:
    """Attach the child to a second household (shared custody). `custody` is this
    household's pattern; a household that had full custody takes the complement (odd
    weeks for even weeks, "selon accord" for "selon accord")."""
    child = Child.objects.select_for_update().get(pk=child.pk)
    current = list(child.memberships.select_related("household"))
    if any(m.household_id == household.pk for m in current):
        raise ValidationError({"household": "L'enfant est déjà rattaché à ce foyer."})
    if len(current) >= MAX_HOUSEHOLDS_PER_CHILD:
        raise ValidationError({"household": "Un enfant est rattaché à deux foyers au plus."})
    if custody not in SHARED_CUSTODY_COMPLEMENT:
        raise ValidationError(
            {"custody": "En garde alternée, précisez le rythme : semaines paires, "
                        "semaines impaires ou selon accord."}
        )
    for other in current:
        if other.custody == CustodyPattern.FULL:
            before = {"custody": other.get_custody_display()}
            other.custody = SHARED_CUSTODY_COMPLEMENT[CustodyPattern(custody)]
            other.save(update_fields=["custody"])
            change_record(
                actor=actor, entity="child", entity_id=child.pk, action=ChangeAction.UPDATE,
                before=before, after={"custody": other.get_custody_display()},
                summary=f"Garde au foyer {other.household.name} modifiée",
            )
        elif other.custody == custody and custody != CustodyPattern.AGREED:
            raise ValidationError(
                {"custody": f"Le foyer {other.household.name} a déjà ce rythme de garde."}
            )
    membership = ChildHousehold.objects.create(child=child, household=household,
                                               custody=custody)
    _membership_record(
        actor=actor, membership=membership, action=ChangeAction.CREATE,
        summary=f"{_full_name(child)} rattaché au foyer {household.name} "
                f"({membership.get_custody_display().lower()})",
    )
    return membership


@transaction.atomic
def child_household_unlink(*, actor: User, child: Child, household: Household) -> None:
    """Detach the child from one of its households; it keeps at least one, which then
    has full custody."""
    child = Child.objects.select_for_update().get(pk=child.pk)
    memberships = list(child.memberships.select_related("household"))
    target = next((m for m in memberships if m.household_id == household.pk), None)
    if target is None:
        raise ValidationError("L'enfant n'est pas rattaché à ce foyer.")
    if len(memberships) == 1:
        raise ValidationError("L'enfant doit rester rattaché à au moins un foyer.")
    target.delete()
    for other in memberships:
        if other.pk != target.pk and other.custody != CustodyPattern.FULL:
            other.custody = CustodyPattern.FULL
            other.save(update_fields=["custody"])
    _membership_record(actor=actor, membership=target, action=ChangeAction.DELETE,
                       summary=f"{_full_name(child)} détaché du foyer {household.name}")


# --- contacts -----------------------------------------------------------------------------


@transaction.atomic
def contact_add(
    *, actor: User, child: Child, name: str, phone: str, role: str, relationship: str = ""
) -> ChildContact:
    """Add a person to call in an emergency and/or allowed to pick the child up."""
    contact = ChildContact(child=child, name=name.strip(), phone=phone.strip(), role=role,
                           relationship=relationship.strip())
    _clean(contact)
    if role not in ContactRole.values:
        raise ValidationError({"role": "Rôle inconnu."})
    contact.save()
    change_record(
        actor=actor, entity="child", entity_id=child.pk, action=ChangeAction.CREATE,
        after={"contact": f"{contact.name} ({contact.get_role_display().lower()})"},
        summary=f"Contact ajouté : {contact.name}",
    )
    return contact


@transaction.atomic
def contact_remove(*, actor: User, contact: ChildContact) -> None:
    """Remove an emergency / pick-up contact."""
    label = f"{contact.name} ({contact.get_role_display().lower()})"
    child_id, name = contact.child_id, contact.name
    contact.delete()
    change_record(
        actor=actor, entity="child", entity_id=child_id, action=ChangeAction.DELETE,
        before={"contact": label}, summary=f"Contact retiré : {name}",
    )


# --- documents ----------------------------------------------------------------------------


def document_type(upload: UploadedFile) -> str:
    """The content type read from the file's first bytes; ValidationError if it is neither
    PDF, JPEG nor PNG, or if it is larger than 10 MB."""
    if (upload.size or 0) > MAX_DOCUMENT_BYTES:
        raise ValidationError({"file": "Le fichier dépasse 10 Mo : réduisez-le ou scannez-le "
                                       "en qualité moindre."})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type in DOCUMENT_SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    raise ValidationError({"file": "Seuls les fichiers PDF, JPEG et PNG sont acceptés."})


@transaction.atomic
def document_upload(
    *, actor: User, child: Child, title: str, upload: UploadedFile
) -> ChildDocument:
    """Store a document of the child in the commune's storage (its schema's prefix)."""
    content_type = document_type(upload)
    if not title.strip():
        raise ValidationError({"title": "Donnez un titre au document."})
    original = (upload.name or "document").rsplit("/", 1)[-1][:200]
    document = ChildDocument(
        child=child, title=title.strip()[:150], original_name=original,
        content_type=content_type, size=upload.size or 0,
        uploaded_by_email=getattr(actor, "email", "") or "",
    )
    document.file.save(original, upload, save=False)
    try:
        document.save()
        change_record(
            actor=actor, entity="child", entity_id=child.pk, action=ChangeAction.CREATE,
            after={"document": document.title}, summary=f"Document ajouté : {document.title}",
        )
    except Exception:
        # The row is not written: the stored file must not stay behind.
        document.file.storage.delete(document.file.name)
        raise
    return document


@transaction.atomic
def document_delete(*, actor: User, document: ChildDocument) -> None:
    """Delete a document; its file leaves the storage once the deletion is committed."""
    name, storage, title = document.file.name, document.file.storage, document.title
    child_id = document.child_id
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))
    change_record(
        actor=actor, entity="child", entity_id=child_id, action=ChangeAction.DELETE,
        before={"document": title}, summary=f"Document supprimé : {title}",
    )
