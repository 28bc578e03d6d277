"""Who a document or a questionnaire is for: every family, or the families of the
children of a school, a class or a service in the current school year."""

from django.db import models


class AudienceFields(models.Model):
    """Optional filters, combined with AND on one child: a family is in the audience when
    one of its children matches every filter set. No filter: every family."""

    target_school = models.ForeignKey(
        "schooling.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="école",
    )
    target_class = models.ForeignKey(
        "schooling.SchoolClass", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name="classe",
    )
    target_service = models.ForeignKey(
        "catalog.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="prestation",
    )

    class Meta:
        abstract = True

    @property
    def audience_label(self) -> str:
        """"Toutes les familles" or the filters in words, for lists and summaries."""
        parts = []
        if self.target_class is not None:
            parts.append(f"classe {self.target_class.name}")
        elif self.target_school is not None:
            parts.append(f"école {self.target_school.name}")
        if self.target_service is not None:
            parts.append(f"prestation {self.target_service.name}")
        return "Familles : " + ", ".join(parts) if parts else "Toutes les familles"
