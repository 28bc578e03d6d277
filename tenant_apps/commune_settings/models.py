"""The commune's own settings, in its schema (one row)."""

from django.core.validators import RegexValidator
from django.db import models

PORTAL_TEXT_MAX_LENGTH = 20_000
# The portal pages that can carry a help text, in menu order, with their French names.
PORTAL_HELP_PAGES = {
    "accueil": "Accueil",
    "profil": "Mon profil",
    "enfants": "Mes enfants",
    "reservations": "Réservations",
    "factures": "Mes factures",
    "documents": "Mes documents",
    "messagerie": "Messagerie",
}


class SchoolHolidayZone(models.TextChoices):
    A = "A", "Zone A"
    B = "B", "Zone B"
    C = "C", "Zone C"


COLOUR_VALIDATOR = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Couleur au format #RRGGBB.")


class CommuneSettings(models.Model):
    singleton = models.BooleanField(default=True, unique=True, editable=False)
    display_name = models.CharField("nom affiché", max_length=120)
    address = models.TextField("adresse", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("courriel du service", blank=True)
    opening_hours = models.TextField("horaires d'ouverture", blank=True)
    brand_colour = models.CharField(
        "couleur principale", max_length=7, default="#1d4e89", validators=[COLOUR_VALIDATOR]
    )
    logo = models.ImageField("logo", upload_to="branding/", blank=True)
    portal_welcome_text = models.TextField(
        "texte d'accueil du portail", blank=True, max_length=PORTAL_TEXT_MAX_LENGTH
    )
    # Page key (see PORTAL_HELP_PAGES) -> help text shown at the top of that portal page.
    portal_help_texts = models.JSONField("aide des pages du portail", default=dict, blank=True)
    legal_notice = models.TextField(
        "mentions légales", blank=True, max_length=PORTAL_TEXT_MAX_LENGTH
    )
    privacy_notice = models.TextField(
        "protection des données personnelles", blank=True, max_length=PORTAL_TEXT_MAX_LENGTH
    )
    # Which school holiday calendar the commune's services follow (vacances scolaires).
    school_holiday_zone = models.CharField(
        "zone de vacances scolaires", max_length=1, choices=SchoolHolidayZone.choices,
        default=SchoolHolidayZone.B,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "paramètres"
        constraints = [
            models.CheckConstraint(condition=models.Q(singleton=True), name="settings_singleton")
        ]

    def __str__(self) -> str:
        return self.display_name
