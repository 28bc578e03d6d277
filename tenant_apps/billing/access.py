"""Who may read and act in billing (the one place these rules live).

| role          | read invoices, runs, tariffs | act (tariffs, runs, payments, deposits) |
|---------------|------------------------------|-----------------------------------------|
| administrator | yes                          | yes                                     |
| régisseur     | yes                          | yes                                     |
| agent         | yes                          | no                                      |
| lecture seule | yes                          | no                                      |
| animateur     | no                           | no                                      |
| guardian      | only their own household's issued invoices, on the portal            |"""

from typing import Any

from tenant_apps.accounts.access import BILLING_ROLES, roles_required
from tenant_apps.families.access import FINANCE_READER_ROLES

billing_reader_required = roles_required(FINANCE_READER_ROLES, "/gestion/connexion/")
billing_required = roles_required(BILLING_ROLES, "/gestion/connexion/")


def can_act(user: Any) -> bool:
    return getattr(user, "role", None) in BILLING_ROLES
