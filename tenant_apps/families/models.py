"""Households (the billing unit), their guardians, and children.

A child may belong to two households (shared custody): the link carries the custody
pattern, so bookings and invoices can later tell which household a day belongs to."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models

from tenant_apps.families.search import phone_digits_expression, trigram_index
from tenant_apps.sorting import FRENCH


class AllowanceScheme(models.TextChoices):
    CAF = "caf", "CAF"
    MSA = "msa", "MSA"
    OTHER = "other", "Autre régime"


class Household(models.Model):
    name = models.CharField("nom du foyer", max_length=150, db_collation=FRENCH)
    address = models.CharField("adresse", max_length=250, blank=True)
    postcode = models.CharField("code postal", max_length=10, blank=True)
    city = models.CharField("commune", max_length=120, blank=True)
    is_resident = models.BooleanField("réside dans la commune", default=True)
    allowance_scheme = models.CharField(
        "régime", max_length=10, choices=AllowanceScheme.choices, blank=True
    )
    allowance_number = models.CharField("numéro d'allocataire", max_length=30, blank=True)
    quotient_familial = models.PositiveIntegerField("quotient familial", null=True, blank=True)
    qf_valid_from = models.DateField("QF valable du", null=True, blank=True)
    qf_valid_until = models.DateField("QF valable jusqu'au", null=True, blank=True)
    billing_guardian = models.ForeignKey(
        "Guardian", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="responsable facturé",
    )
    # Identifier in the product the commune is leaving; makes imports idempotent.
    external_ref = models.CharField("référence d'import", max_length=60, blank=True)
    notes = models.TextField("notes", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [trigram_index("name", "household_name_trgm")]
        constraints = [
            models.UniqueConstraint(
                fields=["external_ref"], condition=~models.Q(external_ref=""),
                name="household_external_ref_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(qf_valid_until__isnull=True)
                | models.Q(qf_valid_from__isnull=True)
                | models.Q(qf_valid_until__gte=models.F("qf_valid_from")),
                name="qf_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Civility(models.TextChoices):
    MME = "mme", "Mme"
    M = "m", "M."


class Guardian(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="guardians")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="guardian", verbose_name="compte du portail",
    )
    civility = models.CharField("civilité", max_length=3, choices=Civility.choices, blank=True)
    last_name = models.CharField("nom", max_length=100, db_collation=FRENCH)
    first_name = models.CharField("prénom", max_length=100, db_collation=FRENCH)
    birth_name = models.CharField("nom de naissance", max_length=100, blank=True)
    relationship = models.CharField("lien avec les enfants", max_length=40, blank=True)
    email = models.EmailField("courriel", blank=True)
    phone_mobile = models.CharField("portable", max_length=30, blank=True)
    phone_home = models.CharField("téléphone domicile", max_length=30, blank=True)
    phone_work = models.CharField("téléphone travail", max_length=30, blank=True)
    # Kept by PostgreSQL itself, so phone search can use a trigram index.
    phone_digits = models.GeneratedField(
        expression=phone_digits_expression(), output_field=models.TextField(), db_persist=True
    )
    occupation = models.CharField("profession", max_length=100, blank=True)
    employer = models.CharField("employeur", max_length=150, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            trigram_index("last_name", "guardian_last_trgm"),
            trigram_index("first_name", "guardian_first_trgm"),
            trigram_index("email", "guardian_email_trgm"),
            GinIndex(
                OpClass(models.F("phone_digits"), name="gin_trgm_ops"), name="guardian_phone_trgm"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Sex(models.TextChoices):
    F = "F", "Fille"
    M = "M", "Garçon"


class Diet(models.TextChoices):
    STANDARD = "standard", "Standard"
    NO_PORK = "sans_porc", "Sans porc"
    NO_MEAT = "sans_viande", "Sans viande"
    VEGETARIAN = "vegetarien", "Végétarien"


class Child(models.Model):
    last_name = models.CharField("nom", max_length=100, db_collation=FRENCH)
    first_name = models.CharField("prénom", max_length=100, db_collation=FRENCH)
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField("date de naissance")
    birth_place = models.CharField("lieu de naissance", max_length=120, blank=True)
    diet = models.CharField("régime alimentaire", max_length=20, choices=Diet.choices,
                            default=Diet.STANDARD)
    # Medical data: shown only to roles that need it (see tenant_apps.families.access).
    has_pai = models.BooleanField("PAI (projet d'accueil individualisé)", default=False)
    allergies = models.TextField("allergies", blank=True)
    medical_notes = models.TextField("informations médicales", blank=True)
    vaccinations_up_to_date = models.BooleanField("vaccinations à jour", default=False)
    vaccinations_notes = models.CharField("vaccinations (dates, remarques)", max_length=250,
                                          blank=True)
    doctor_name = models.CharField("médecin traitant", max_length=120, blank=True)
    doctor_phone = models.CharField("téléphone du médecin", max_length=30, blank=True)
    may_be_photographed = models.BooleanField("autorisation photos", default=False)
    may_leave_alone = models.BooleanField("autorisé à partir seul", default=False)
    may_go_on_outings = models.BooleanField("autorisé aux sorties", default=False)
    medical_care_allowed = models.BooleanField("autorisation de soins d'urgence", default=False)
    external_ref = models.CharField("référence d'import", max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            trigram_index("last_name", "child_last_trgm"),
            trigram_index("first_name", "child_first_trgm"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_ref"], condition=~models.Q(external_ref=""),
                name="child_external_ref_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class CustodyPattern(models.TextChoices):
    FULL = "full", "Garde complète"
    EVEN_WEEKS = "even_weeks", "Semaines paires"
    ODD_WEEKS = "odd_weeks", "Semaines impaires"
    AGREED = "agreed", "Selon accord (jours affectés par l'agent)"


class ChildHousehold(models.Model):
    """A child's membership of a household; two rows for a child in shared custody."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="memberships")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="memberships")
    custody = models.CharField("garde", max_length=20, choices=CustodyPattern.choices,
                               default=CustodyPattern.FULL)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "household"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.child} ∈ {self.household}"


class ContactRole(models.TextChoices):
    EMERGENCY = "emergency", "À prévenir en cas d'urgence"
    PICKUP = "pickup", "Autorisé à récupérer l'enfant"
    BOTH = "both", "Urgence et récupération"


class ChildContact(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField("nom et prénom", max_length=150)
    relationship = models.CharField("lien", max_length=60, blank=True)
    phone = models.CharField("téléphone", max_length=30)
    role = models.CharField("rôle", max_length=10, choices=ContactRole.choices)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ChildDocument(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField("titre", max_length=150)
    file = models.FileField("fichier", upload_to="children/%Y/")
    original_name = models.CharField("nom du fichier", max_length=200, blank=True)
    content_type = models.CharField("type", max_length=100, blank=True)
    size = models.PositiveIntegerField("taille (octets)", default=0)
    uploaded_by_email = models.EmailField(blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title
