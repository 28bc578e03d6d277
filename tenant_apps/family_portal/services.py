"""Parents' changes from the portal, and agents' decisions on them.

Every change goes through the families services, so the family file's history records
who changed what (the parent for a direct change, the agent who accepted a validated one).
The commune's policy is enforced here, on the server: a value for a hidden or read-only
field is ignored whatever the form sent.

Decision documented here: a guardian changes the household and their OWN guardian record;
the other guardian's record is read-only to them (each adult keeps control of their identity
and of their login email)."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from tenant_apps.accounts.models import Role, User
from tenant_apps.commune_settings.selectors import commune_settings_get
from tenant_apps.families import services as families
from tenant_apps.families.models import Child, ChildContact, ChildDocument, Guardian, Household
from tenant_apps.family_portal import values
from tenant_apps.family_portal.models import (
    ChangeRequest,
    ChangeStatus,
    ChangeTarget,
    FamilyEditPolicy,
)
from tenant_apps.family_portal.policy import (
    BY_KEY,
    DEFAULT_POLICY,
    LIST_CATEGORIES,
    EditMode,
    category_fields,
    category_get,
    split_submission,
)
from tenant_apps.family_portal.selectors import change_rows, edit_policy
from tenant_apps.history.models import ChangeAction
from tenant_apps.history.services import change_record
from tenant_apps.outbox.services import outbox_email_enqueue

REASON_MAX = 1000
Target = Household | Guardian | Child


@dataclass
class SubmitResult:
    applied: list[str] = field(default_factory=list)  # labels of the fields changed now
    requested: list[str] = field(default_factory=list)  # labels sent for validation
    change_request: ChangeRequest | None = None

    @property
    def nothing(self) -> bool:
        return not self.applied and not self.requested


class _DryRun(Exception):
    """Rolls back a savepoint after a service validated a change."""


def _guardian_of(user: User, household: Household) -> Guardian:
    guardian = Guardian.objects.filter(user=user, household=household).first()
    if user.role != Role.GUARDIAN or guardian is None:
        raise PermissionDenied("Ce foyer n'est pas le vôtre.")
    return guardian


def _check_target(user: User, household: Household, target: str, obj: Target) -> None:
    """The parent may change their household, their own guardian record, and the children
    of their household (shared custody included); nothing else."""
    me = _guardian_of(user, household)
    if target == ChangeTarget.HOUSEHOLD and obj.pk == household.pk:
        return
    if target == ChangeTarget.GUARDIAN and obj.pk == me.pk:
        return
    if target == ChangeTarget.CHILD and Child.objects.filter(
        pk=obj.pk, memberships__household=household
    ).exists():
        return
    raise PermissionDenied("Vous ne pouvez pas modifier cette fiche.")


def _updater(target: str) -> Callable[..., Any]:
    def update(actor: User, obj: Any, fields: dict[str, Any]) -> Any:
        if target == ChangeTarget.HOUSEHOLD:
            return families.household_update(actor=actor, household=obj, **fields)
        if target == ChangeTarget.GUARDIAN:
            return families.guardian_update(actor=actor, guardian=obj, **fields)
        return families.child_update(actor=actor, child=obj, **fields)

    return update


def _current(obj: Target, names: list[str]) -> dict[str, Any]:
    current = {name: getattr(obj, name) for name in names}
    if "email" in current and isinstance(current["email"], str):
        current["email"] = current["email"].lower()
    return current


def _normalise(target: str, data: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    if target == ChangeTarget.GUARDIAN and isinstance(cleaned.get("email"), str):
        cleaned["email"] = cleaned["email"].lower()
    return cleaned


@transaction.atomic
def family_changes_submit(
    *,
    household: Household,
    target: str,
    obj: Target,
    category: str,
    data: Mapping[str, Any],
    acting_user: User,
) -> SubmitResult:
    """A parent's changes to one card. Per the commune's policy, a field's change is applied
    at once (direct) or gathered in one pending ChangeRequest (validated); any other value is
    ignored. The validated values are checked by the same families rules before they are
    sent, so the parent hears of a mistake now, not from an agent days later. A second
    submission of the same card while a request is pending merges into that request."""
    _check_target(acting_user, household, target, obj)
    if category_get(target, category) is None or category in LIST_CATEGORIES:
        raise ValidationError("Rubrique inconnue.")
    names = [f.name for f in category_fields(target, category)]
    submitted = _normalise(target, data)
    split = split_submission(entity=target, submitted=submitted, current=_current(obj, names),
                             policy=edit_policy(), fields=names)
    result = SubmitResult()
    if not (split.direct or split.validated):
        return result
    update = _updater(target)
    if split.validated:
        try:
            with transaction.atomic():
                update(acting_user, obj, {**split.direct, **split.validated})
                raise _DryRun
        except _DryRun:
            pass
    if split.direct:
        update(acting_user, obj, split.direct)
        result.applied = [BY_KEY[f"{target}.{n}"].label for n in split.direct]
    if split.validated:
        result.change_request = _request_merge(
            household=household, target=target, obj=obj, category=category,
            after=split.validated, acting_user=acting_user,
        )
        result.requested = [BY_KEY[f"{target}.{n}"].label for n in split.validated]
    return result


def _request_merge(*, household: Household, target: str, obj: Target, category: str,
                   after: dict[str, Any], acting_user: User) -> ChangeRequest:
    link = {"guardian": obj} if target == ChangeTarget.GUARDIAN else (
        {"child": obj} if target == ChangeTarget.CHILD else {})
    request = (
        ChangeRequest.objects.select_for_update()
        .filter(household=household, target=target, category=category,
                status=ChangeStatus.PENDING, **link)
        .first()
    )
    if request is None:
        request = ChangeRequest(household=household, target=target, category=category,
                                changes={}, **link)
    changes = dict(request.changes)
    for name, value in after.items():
        before = changes.get(name, {}).get("before", values.to_json(getattr(obj, name)))
        changes[name] = {"before": before, "after": values.to_json(value)}
    request.changes = changes
    request.requested_by = acting_user
    request.requested_by_email = acting_user.email
    request.save()
    return request


def _notify_decision(request: ChangeRequest) -> None:
    recipient = request.requested_by_email
    if not recipient:
        return
    settings_row = commune_settings_get()
    context = {
        "request": request, "labels": [label for label, _, _ in change_rows(request)],
        "subject_name": _subject_name(request), "commune_name": settings_row.display_name,
        "accepted": request.status == ChangeStatus.ACCEPTED,
    }
    verb = "acceptée" if request.status == ChangeStatus.ACCEPTED else "refusée"
    outbox_email_enqueue(
        recipients=[recipient],
        subject=f"Votre demande de modification a été {verb}",
        body_text=render_to_string("family_portal/emails/decision.txt", context),
        idempotency_key=f"change-request:{request.pk}:decision",
    )


def _subject_name(request: ChangeRequest) -> str:
    if request.child is not None:
        return f"la fiche de {request.child.first_name}"
    if request.guardian is not None:
        return f"la fiche de {request.guardian.first_name} {request.guardian.last_name}"
    return "la fiche de votre foyer"


def _locked_pending(change_request: ChangeRequest) -> ChangeRequest:
    request = (ChangeRequest.objects.select_for_update(of=("self",))
               .select_related("child", "guardian", "household").get(pk=change_request.pk))
    if request.status != ChangeStatus.PENDING:
        raise ValidationError("Cette demande a déjà été traitée.")
    return request


@transaction.atomic
def change_request_accept(*, change_request: ChangeRequest, acting_user: User) -> ChangeRequest:
    """Apply a pending request's proposed values through the families services (history
    names the agent), mark it accepted and tell the parent by email (outbox). A value the
    rules now reject (an email taken since) raises ValidationError and leaves it pending."""
    request = _locked_pending(change_request)
    obj: Target = (request.child or request.guardian or request.household)  # type: ignore[assignment]
    fields = {name: values.from_json(request.target, name, c.get("after"))
              for name, c in request.changes.items()}
    _updater(request.target)(acting_user, obj, fields)
    request.status = ChangeStatus.ACCEPTED
    request.decided_by, request.decided_by_email = acting_user, acting_user.email
    request.decided_at = timezone.now()
    request.save()
    _notify_decision(request)
    return request


@transaction.atomic
def change_request_refuse(*, change_request: ChangeRequest, reason: str,
                          acting_user: User) -> ChangeRequest:
    """Refuse a pending request with a reason the family reads in the email (outbox);
    nothing in the family file changes."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif du refus : la famille le recevra."})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"Le motif dépasse {REASON_MAX} caractères."})
    request = _locked_pending(change_request)
    request.status = ChangeStatus.REFUSED
    request.reason = reason
    request.decided_by, request.decided_by_email = acting_user, acting_user.email
    request.decided_at = timezone.now()
    request.save()
    _notify_decision(request)
    return request


@transaction.atomic
def edit_policy_update(*, modes: Mapping[str, str], acting_user: User) -> int:
    """Set the mode of the given fields (a row only where it differs from the default);
    returns how many fields changed. History: one row with the fields whose mode changed."""
    errors = {}
    for key, mode in modes.items():
        if key not in BY_KEY or mode not in BY_KEY[key].modes:
            errors[key] = "Choix impossible pour ce champ."
    if errors:
        raise ValidationError(errors)
    current = edit_policy()
    changed = {k: m for k, m in modes.items() if current[k] != m}
    for key, mode in changed.items():
        if mode == DEFAULT_POLICY[key]:
            FamilyEditPolicy.objects.filter(field=key).delete()
        else:
            FamilyEditPolicy.objects.update_or_create(
                field=key, defaults={"mode": mode, "updated_by_email": acting_user.email})
    if changed:
        change_record(
            actor=acting_user, entity="family_edit_policy", entity_id=0,
            action=ChangeAction.UPDATE,
            before={k: EditMode.LABELS[current[k]] for k in changed},
            after={k: EditMode.LABELS[m] for k, m in changed.items()},
            summary="Champs modifiables sur le portail",
        )
    return len(changed)


# --- contacts and documents ----------------------------------------------------------------


def _require_list_mode(key: str) -> None:
    if edit_policy()[key] != EditMode.DIRECT:
        raise PermissionDenied("La commune ne permet pas cette modification sur le portail.")


@transaction.atomic
def portal_contact_add(*, household: Household, child: Child, name: str, phone: str,
                       role: str, relationship: str = "", acting_user: User) -> ChildContact:
    """A parent adds an emergency or pick-up contact of their child (if the policy lets
    parents change contacts)."""
    _check_target(acting_user, household, ChangeTarget.CHILD, child)
    _require_list_mode("child.contacts")
    return families.contact_add(actor=acting_user, child=child, name=name, phone=phone,
                                role=role, relationship=relationship)


@transaction.atomic
def portal_contact_remove(*, household: Household, contact: ChildContact,
                          acting_user: User) -> None:
    """A parent removes a contact of their child."""
    _check_target(acting_user, household, ChangeTarget.CHILD, contact.child)
    _require_list_mode("child.contacts")
    families.contact_remove(actor=acting_user, contact=contact)


@transaction.atomic
def portal_document_upload(*, household: Household, child: Child, title: str,
                           upload: UploadedFile, acting_user: User) -> ChildDocument:
    """A parent adds a document (PDF, JPEG, PNG, 10 MB at most) to their child's file."""
    _check_target(acting_user, household, ChangeTarget.CHILD, child)
    _require_list_mode("child.documents")
    return families.document_upload(actor=acting_user, child=child, title=title,
                                    upload=upload)
