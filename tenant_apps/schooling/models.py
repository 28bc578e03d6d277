"""School years, schools, classes, and each child's cursus (one class per school year)."""

from django.contrib.postgres.fields import ArrayField
from django.db import models

from tenant_apps.sorting import FRENCH


class SchoolYear(models.Model):
    label = models.CharField("année scolaire", max_length=9, unique=True)  # "2026-2027"
    starts_on = models.DateField("début")
    ends_on = models.DateField("fin")
    is_current = models.BooleanField("année en cours", default=False)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")), name="schoolyear_ends_after"
            ),
            models.UniqueConstraint(
                fields=["is_current"], condition=models.Q(is_current=True), name="one_current_year"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class SchoolKind(models.TextChoices):
    MATERNELLE = "maternelle", "École maternelle"
    ELEMENTAIRE = "elementaire", "École élémentaire"
    PRIMAIRE = "primaire", "École primaire"
    CENTRE = "centre", "Centre de loisirs"


class School(models.Model):
    name = models.CharField("nom", max_length=150, unique=True, db_collation=FRENCH)
    kind = models.CharField("type", max_length=20, choices=SchoolKind.choices)
    address = models.TextField("adresse", blank=True)
    active = models.BooleanField("en service", default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Level(models.TextChoices):
    TPS = "TPS", "Toute petite section"
    PS = "PS", "Petite section"
    MS = "MS", "Moyenne section"
    GS = "GS", "Grande section"
    CP = "CP", "CP"
    CE1 = "CE1", "CE1"
    CE2 = "CE2", "CE2"
    CM1 = "CM1", "CM1"
    CM2 = "CM2", "CM2"


class SchoolClass(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="classes")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="classes")
    # e.g. "CP-CE1 de Mme Le Bihan"
    name = models.CharField("classe", max_length=60, db_collation=FRENCH)
    levels = ArrayField(
        models.CharField(max_length=3, choices=Level.choices), verbose_name="niveaux",
        default=list, blank=True,
    )

    class Meta:
        ordering = ["school__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year", "name"], name="class_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.school})"


class Enrolment(models.Model):
    """A child's class for one school year (the cursus is the list of these)."""

    child = models.ForeignKey("families.Child", on_delete=models.CASCADE, related_name="enrolments")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="enrolments"
    )
    level = models.CharField("niveau", max_length=3, choices=Level.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "school_year"], name="one_class_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.child} — {self.school_class}"
