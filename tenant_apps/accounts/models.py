"""Accounts: one table per schema. Operators live in public, agents and parents in their
commune's schema, so an account can never reach another commune."""

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    OPERATOR = "operator", "Opérateur"
    ADMINISTRATOR = "administrator", "Administrateur"
    AGENT = "agent", "Agent"
    REGISSEUR = "regisseur", "Régisseur"
    ANIMATEUR = "animateur", "Animateur"
    READ_ONLY = "read_only", "Lecture seule"
    GUARDIAN = "guardian", "Responsable légal"


AGENT_ROLES = frozenset(
    {Role.ADMINISTRATOR, Role.AGENT, Role.REGISSEUR, Role.ANIMATEUR, Role.READ_ONLY}
)


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **fields: Any) -> "User":
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> "User":
        fields.setdefault("role", Role.OPERATOR)
        return self.create_user(email, password, is_staff=True, is_superuser=True, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("courriel", unique=True)
    full_name = models.CharField("nom complet", max_length=150, blank=True)
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = "compte"

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_agent(self) -> bool:
        return self.role in AGENT_ROLES

    @property
    def is_operator(self) -> bool:
        return self.role == Role.OPERATOR


class PasswordTokenPurpose(models.TextChoices):
    INVITATION = "invitation", "Invitation"
    RESET = "reset", "Nouveau mot de passe"


class PasswordToken(models.Model):
    """A single-use link to set a password; only the token's hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_tokens")
    purpose = models.CharField(max_length=20, choices=PasswordTokenPurpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.purpose} {self.user_id}"
