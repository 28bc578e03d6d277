"""Account use-cases: create, invite, set a password with a single-use link."""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from tenant_apps.accounts.models import PasswordToken, PasswordTokenPurpose, Role, User
from tenant_apps.outbox.services import outbox_email_enqueue


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def user_create(*, email: str, role: str, full_name: str = "") -> User:
    """Create an account without a usable password; it gets one through an invitation."""
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise ValidationError("Un compte existe déjà avec ce courriel.")
    if role not in Role.values:
        raise ValidationError("Rôle inconnu.")
    return User.objects.create_user(email=email, role=role, full_name=full_name)


def password_token_issue(*, user: User, purpose: str) -> str:
    """Create a single-use token valid INVITATION_VALID_HOURS; returns the clear token.

    Earlier unused tokens of the user are voided so only the newest link works."""
    now = timezone.now()
    PasswordToken.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    token = secrets.token_urlsafe(32)
    PasswordToken.objects.create(
        user=user,
        purpose=purpose,
        token_hash=_hash(token),
        expires_at=now + timedelta(hours=settings.INVITATION_VALID_HOURS),
    )
    return token


@transaction.atomic
def user_invite(*, user: User, site_url: str, commune_name: str) -> None:
    """Send the invitation email (through the outbox) with a link to set a password."""
    token = password_token_issue(user=user, purpose=PasswordTokenPurpose.INVITATION)
    link = f"{site_url.rstrip('/')}/compte/mot-de-passe/{token}/"
    context = {
        "user": user,
        "link": link,
        "commune_name": commune_name,
        "hours": settings.INVITATION_VALID_HOURS,
    }
    outbox_email_enqueue(
        recipients=[user.email],
        subject=f"{commune_name} : créez votre mot de passe",
        body_text=render_to_string("emails/invitation.txt", context),
        body_html=render_to_string("emails/invitation.html", context),
        idempotency_key=f"invitation:{user.pk}:{_hash(token)[:16]}",
    )


def password_token_user(*, token: str) -> User | None:
    """The user a still-valid, unused token belongs to, or None."""
    row = (
        PasswordToken.objects.select_related("user")
        .filter(token_hash=_hash(token), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    return row.user if row else None


@transaction.atomic
def password_set_with_token(*, token: str, password: str) -> User:
    """Set the password and burn the token; raises ValidationError in French otherwise.

    Replacing an existing password is told to the account's address (CNIL 2022), so a
    stolen mailbox or link cannot change it silently."""
    row = (
        PasswordToken.objects.select_for_update()
        .select_related("user")
        .filter(token_hash=_hash(token))
        .first()
    )
    if row is None or row.used_at is not None or row.expires_at <= timezone.now():
        raise ValidationError("Ce lien n'est plus valide. Demandez un nouveau lien.")
    validate_password(password, row.user)
    had_password = row.user.has_usable_password()
    row.user.set_password(password)
    row.user.save(update_fields=["password"])
    row.used_at = timezone.now()
    row.save(update_fields=["used_at"])
    if had_password:
        _password_changed_notify(user=row.user, token_id=row.pk)
    return row.user


def _password_changed_notify(*, user: User, token_id: int) -> None:
    commune_name = getattr(connection, "tenant", None)
    context = {"user": user, "commune_name": getattr(commune_name, "name", "")}
    outbox_email_enqueue(
        recipients=[user.email],
        subject=f"{context['commune_name'] or 'Cantine'} : votre mot de passe a été modifié",
        body_text=render_to_string("accounts/emails/password_changed.txt", context),
        idempotency_key=f"password-changed:{user.pk}:{token_id}",
    )


@transaction.atomic
def password_reset_request(
    *, email: str, roles: Iterable[str], site_url: str, commune_name: str
) -> bool:
    """"Nouveau mot de passe" (first login or forgotten): email a single-use link valid
    INVITATION_VALID_HOURS to the active account with this address and one of `roles`.

    An unknown address, another role or a disabled account gets nothing, and the caller
    answers the same either way (no account enumeration). Returns whether an email was
    queued, for tests and logs only. A new link voids the previous ones."""
    email = email.strip().lower()
    user = (
        User.objects.filter(email=email, role__in=list(roles), is_active=True).first()
        if email
        else None
    )
    if user is None:
        return False
    first_time = not user.has_usable_password()
    token = password_token_issue(
        user=user,
        purpose=PasswordTokenPurpose.INVITATION if first_time else PasswordTokenPurpose.RESET,
    )
    context = {
        "user": user,
        "link": f"{site_url.rstrip('/')}/compte/mot-de-passe/{token}/",
        "commune_name": commune_name,
        "hours": settings.INVITATION_VALID_HOURS,
        "first_time": first_time,
    }
    action = "créez votre mot de passe" if first_time else "nouveau mot de passe"
    outbox_email_enqueue(
        recipients=[user.email],
        subject=f"{commune_name} : {action}",
        body_text=render_to_string("accounts/emails/password_reset.txt", context),
        body_html=render_to_string("accounts/emails/password_reset.html", context),
        idempotency_key=f"password-reset:{user.pk}:{_hash(token)[:16]}",
    )
    return True
