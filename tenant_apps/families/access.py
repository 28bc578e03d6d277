"""Who sees and changes what in a family file: the one place these rules live.

Pages, the API, history and search all read `family_access(user)`; nothing else decides.

| role          | view | edit | medical | finances (QF, allocataire, payer) | documents |
|---------------|------|------|---------|-----------------------------------|-----------|
| administrator | yes  | yes  | yes     | yes                               | yes       |
| agent         | yes  | yes  | yes     | yes                               | yes       |
| animateur     | yes  | no   | yes     | no                                | yes       |
| régisseur     | yes  | no   | no      | yes                               | no        |
| lecture seule | yes  | no   | no      | yes                               | no        |
| others        | no   | no   | no      | no                                | no        |

The animateur serves meals and supervises children: he needs the diet, PAI, allergies,
emergency contacts and authorisations, not the household's finances. Documents often
hold health data (PAI protocol, vaccination record), so they follow the medical rule."""

from dataclasses import dataclass
from typing import Any

from tenant_apps.accounts.access import BILLING_ROLES, can_edit, can_see_medical
from tenant_apps.accounts.models import AGENT_ROLES, Role

# Fields of Child that are health data (GDPR art. 9): never shown without `medical`.
MEDICAL_FIELDS = frozenset(
    {
        "has_pai",
        "allergies",
        "medical_notes",
        "vaccinations_up_to_date",
        "vaccinations_notes",
        "doctor_name",
        "doctor_phone",
    }
)
# Fields of Household about its finances: never shown without `finances`.
FINANCE_FIELDS = frozenset(
    {
        "allowance_scheme",
        "allowance_number",
        "quotient_familial",
        "qf_valid_from",
        "qf_valid_until",
        "billing_guardian",
    }
)
FINANCE_READER_ROLES = frozenset(BILLING_ROLES | {Role.AGENT, Role.READ_ONLY})


@dataclass(frozen=True)
class FamilyAccess:
    view: bool
    edit: bool
    medical: bool
    finances: bool
    documents: bool

    def hidden_fields(self) -> frozenset[str]:
        """Field names this user must not see, in any page, JSON or history row."""
        hidden: set[str] = set()
        if not self.medical:
            hidden |= MEDICAL_FIELDS
        if not self.finances:
            hidden |= FINANCE_FIELDS
        return frozenset(hidden)


NO_ACCESS = FamilyAccess(view=False, edit=False, medical=False, finances=False, documents=False)


def family_access(user: Any) -> FamilyAccess:
    """What `user` may do with family files (see the table at the top of this module)."""
    role = getattr(user, "role", None)
    if not getattr(user, "is_authenticated", False) or role not in AGENT_ROLES:
        return NO_ACCESS
    medical = can_see_medical(user)
    return FamilyAccess(
        view=True,
        edit=can_edit(user),
        medical=medical,
        finances=role in FINANCE_READER_ROLES,
        documents=medical,
    )
