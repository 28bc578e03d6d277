"""Which family fields parents see and change on the portal: the catalogue of fields, the
four modes a commune chooses from, and the default choice. Pure: no database access.

A field's mode decides what a parent's submitted value does:
- hidden: the field is not shown; a submitted value is ignored;
- read_only: shown, a submitted value is ignored;
- direct: the change is applied at once (through the families services, so history records it);
- validated: the change becomes a ChangeRequest that an agent accepts or refuses.

Some fields cannot take every mode (the quotient familial comes from the CAF: never editable
by a parent; contacts and documents are lists, changed directly or not at all)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


class EditMode:
    HIDDEN = "hidden"
    READ_ONLY = "read_only"
    DIRECT = "direct"
    VALIDATED = "validated"
    LABELS = {
        HIDDEN: "Non affiché",
        READ_ONLY: "Lecture seule",
        DIRECT: "Modifiable directement",
        VALIDATED: "Modifiable, validé par un agent",
    }
    CHOICES = tuple(LABELS.items())
    ALL = (HIDDEN, READ_ONLY, DIRECT, VALIDATED)
    EDITABLE = frozenset({DIRECT, VALIDATED})


NOT_EDITABLE = (EditMode.HIDDEN, EditMode.READ_ONLY)
LIST_MODES = (EditMode.HIDDEN, EditMode.READ_ONLY, EditMode.DIRECT)


@dataclass(frozen=True)
class PolicyField:
    key: str  # "<entity>.<field>", e.g. "child.diet"; the entity is household, guardian or child
    label: str  # French, as parents read it
    category: str  # the card it belongs to
    default: str
    modes: tuple[str, ...] = EditMode.ALL

    @property
    def entity(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.key.split(".", 1)[1]


@dataclass(frozen=True)
class Category:
    entity: str
    slug: str
    title: str


_D, _V, _R = EditMode.DIRECT, EditMode.VALIDATED, EditMode.READ_ONLY

CATEGORIES: tuple[Category, ...] = (
    Category("household", "adresse", "Adresse du foyer"),
    Category("household", "allocataire", "Allocataire et quotient familial"),
    Category("guardian", "coordonnees", "Coordonnées"),
    Category("guardian", "etat-civil", "État civil"),
    Category("guardian", "situation", "Situation professionnelle"),
    Category("child", "etat-civil", "État civil"),
    Category("child", "regime", "Régime alimentaire"),
    Category("child", "sante", "Informations médicales"),
    Category("child", "autorisations", "Autorisations"),
    Category("child", "contacts", "Contacts d'urgence et de sortie"),
    Category("child", "documents", "Documents"),
)

FIELDS: tuple[PolicyField, ...] = (
    PolicyField("household.address", "Adresse", "adresse", _D),
    PolicyField("household.postcode", "Code postal", "adresse", _D),
    PolicyField("household.city", "Commune", "adresse", _D),
    PolicyField("household.allowance_scheme", "Régime (CAF, MSA…)", "allocataire", _V),
    PolicyField("household.allowance_number", "Numéro d'allocataire", "allocataire", _V),
    PolicyField("household.quotient_familial", "Quotient familial", "allocataire", _R,
                NOT_EDITABLE),
    PolicyField("guardian.email", "Courriel", "coordonnees", _D),
    PolicyField("guardian.phone_mobile", "Téléphone portable", "coordonnees", _D),
    PolicyField("guardian.phone_home", "Téléphone du domicile", "coordonnees", _D),
    PolicyField("guardian.phone_work", "Téléphone professionnel", "coordonnees", _D),
    PolicyField("guardian.civility", "Civilité", "etat-civil", _V),
    PolicyField("guardian.last_name", "Nom", "etat-civil", _V),
    PolicyField("guardian.first_name", "Prénom", "etat-civil", _V),
    PolicyField("guardian.birth_name", "Nom de naissance", "etat-civil", _V),
    PolicyField("guardian.occupation", "Profession", "situation", _D),
    PolicyField("guardian.employer", "Employeur", "situation", _D),
    PolicyField("child.last_name", "Nom", "etat-civil", _V),
    PolicyField("child.first_name", "Prénom", "etat-civil", _V),
    PolicyField("child.sex", "Sexe", "etat-civil", _V),
    PolicyField("child.birth_date", "Date de naissance", "etat-civil", _V),
    PolicyField("child.birth_place", "Lieu de naissance", "etat-civil", _V),
    PolicyField("child.diet", "Régime alimentaire", "regime", _V),
    PolicyField("child.has_pai", "PAI (projet d'accueil individualisé)", "sante", _V),
    PolicyField("child.allergies", "Allergies", "sante", _V),
    PolicyField("child.medical_notes", "Autres informations médicales", "sante", _V),
    PolicyField("child.vaccinations_up_to_date", "Vaccinations à jour", "sante", _V),
    PolicyField("child.vaccinations_notes", "Vaccinations (dates, remarques)", "sante", _V),
    PolicyField("child.doctor_name", "Médecin traitant", "sante", _V),
    PolicyField("child.doctor_phone", "Téléphone du médecin", "sante", _V),
    PolicyField("child.may_be_photographed", "Photos et vidéos", "autorisations", _D),
    PolicyField("child.may_leave_alone", "Partir seul après l'accueil", "autorisations", _D),
    PolicyField("child.may_go_on_outings", "Sorties hors de l'établissement", "autorisations",
                _D),
    PolicyField("child.medical_care_allowed", "Soins d'urgence et hospitalisation",
                "autorisations", _D),
    PolicyField("child.contacts", "Contacts d'urgence et personnes autorisées", "contacts", _D,
                LIST_MODES),
    PolicyField("child.documents", "Documents (ajout par les parents)", "documents", _D,
                LIST_MODES),
)

# Cards that hold a list (added and removed one by one), not fields of the child.
LIST_CATEGORIES = frozenset({"contacts", "documents"})

BY_KEY: dict[str, PolicyField] = {f.key: f for f in FIELDS}
DEFAULT_POLICY: dict[str, str] = {f.key: f.default for f in FIELDS}


def category_get(entity: str, slug: str) -> Category | None:
    return next((c for c in CATEGORIES if c.entity == entity and c.slug == slug), None)


def category_fields(entity: str, slug: str) -> list[PolicyField]:
    """The fields of one card, in display order."""
    return [f for f in FIELDS if f.entity == entity and f.category == slug]


def policy_merge(stored: Mapping[str, str]) -> dict[str, str]:
    """The effective policy: the defaults, overridden by the commune's stored choices when
    they are a mode the field accepts (anything else is ignored)."""
    merged = dict(DEFAULT_POLICY)
    for key, mode in stored.items():
        field = BY_KEY.get(key)
        if field is not None and mode in field.modes:
            merged[key] = mode
    return merged


@dataclass(frozen=True)
class Split:
    """What happens to a parent's submitted values: applied now, sent for validation, or
    dropped (unchanged, or not editable under the policy)."""

    direct: dict[str, Any]
    validated: dict[str, Any]
    ignored: frozenset[str]


def split_submission(
    *,
    entity: str,
    submitted: Mapping[str, Any],
    current: Mapping[str, Any],
    policy: Mapping[str, str],
    fields: Iterable[str] | None = None,
) -> Split:
    """Sort the submitted values of one entity by the policy.

    A value is kept only if its field belongs to the entity's catalogue (and to `fields`
    when given), the policy makes it editable, and it differs from `current`. Everything
    else is ignored, so a crafted form can never change a hidden or read-only field."""
    allowed = set(fields) if fields is not None else None
    direct: dict[str, Any] = {}
    validated: dict[str, Any] = {}
    ignored: set[str] = set()
    for name, value in submitted.items():
        key = f"{entity}.{name}"
        mode = policy.get(key, EditMode.HIDDEN) if key in BY_KEY else EditMode.HIDDEN
        if (allowed is not None and name not in allowed) or mode not in EditMode.EDITABLE:
            ignored.add(name)
        elif name in current and current[name] == value:
            ignored.add(name)
        elif mode == EditMode.DIRECT:
            direct[name] = value
        else:
            validated[name] = value
    return Split(direct=direct, validated=validated, ignored=frozenset(ignored))
