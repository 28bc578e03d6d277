"""The import file's column layout, and its parsing and validation: pure functions over
plain values (no database), so every rule is tested on its own.

One row per child; the household's columns (and its guardians') are repeated on each of
its children's rows. A child in shared custody appears on two rows, one per household,
with the same `ref_enfant` and the same child columns. A row without any child column
describes a household without children. Line numbers are those a spreadsheet shows:
the header is line 1, the first data row line 2.

A column absent from the header leaves that field untouched on update; a column present
with an empty cell empties the field. Nothing here reads the database: matching rows to
existing households and children (by `external_ref`) is the services' job."""

import datetime
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from tenant_apps.exchange.tables import TableError, read_table


@dataclass(frozen=True)
class Column:
    code: str
    label: str
    required: bool
    example: str
    help: str = ""


GUARDIAN_SLOTS = (1, 2)
HOUSEHOLD_COLUMNS = (
    Column("ref_foyer", "Référence du foyer", True, "F0001",
           "Identifiant du foyer dans votre ancien logiciel ; "
           "sert à le retrouver à chaque import."),
    Column("nom_foyer", "Nom du foyer", True, "LE GALL Camille"),
    Column("adresse", "Adresse", False, "12 rue des Écoles"),
    Column("code_postal", "Code postal", False, "22300"),
    Column("ville", "Commune", False, "Lannion"),
)


def _guardian_columns(slot: int) -> tuple[Column, ...]:
    first = slot == 1
    return (
        Column(f"resp{slot}_civilite", f"Civilité du responsable {slot}", False,
               "Mme" if first else "M.", "Mme ou M."),
        Column(f"resp{slot}_nom", f"Nom du responsable {slot}", first,
               "Le Gall" if first else "Tanguy"),
        Column(f"resp{slot}_prenom", f"Prénom du responsable {slot}", first,
               "Camille" if first else "Yann"),
        Column(f"resp{slot}_lien", f"Lien avec l'enfant (responsable {slot})", False,
               "Mère" if first else "Père"),
        Column(f"resp{slot}_courriel", f"Courriel du responsable {slot}", False,
               "camille.legall@example.fr" if first else ""),
        Column(f"resp{slot}_portable", f"Portable du responsable {slot}", False,
               "06 12 34 56 78" if first else "07 98 76 54 32"),
        Column(f"resp{slot}_telephone", f"Téléphone fixe du responsable {slot}", False,
               "02 96 12 34 56" if first else ""),
    )


CHILD_COLUMNS = (
    Column("ref_enfant", "Référence de l'enfant", True, "E0001",
           "Identifiant de l'enfant dans votre ancien logiciel ; le même sur les deux lignes "
           "d'un enfant en garde alternée."),
    Column("enfant_nom", "Nom de l'enfant", True, "Le Gall"),
    Column("enfant_prenom", "Prénom de l'enfant", True, "Maël"),
    Column("enfant_sexe", "Sexe", False, "M", "F (fille) ou M (garçon)"),
    Column("enfant_naissance", "Date de naissance", True, "14/03/2019", "JJ/MM/AAAA"),
    Column("regime", "Régime alimentaire", False, "sans porc",
           "standard, sans porc, sans viande ou végétarien ; vide = standard"),
    Column("pai", "PAI", False, "non", "oui ou non ; vide = non"),
    Column("allergies", "Allergies", False, "", "texte libre"),
    Column("garde", "Garde", False, "complète",
           "complète, semaines paires, semaines impaires ou selon accord ; vide = complète"),
)
COLUMNS: tuple[Column, ...] = (
    HOUSEHOLD_COLUMNS
    + tuple(c for slot in GUARDIAN_SLOTS for c in _guardian_columns(slot))
    + CHILD_COLUMNS
)
CODES = tuple(c.code for c in COLUMNS)
REQUIRED_CODES = tuple(c.code for c in COLUMNS if c.required)

# Column code -> model field, per entity.
HOUSEHOLD_FIELDS = {"nom_foyer": "name", "adresse": "address", "code_postal": "postcode",
                    "ville": "city"}
GUARDIAN_FIELDS = {"civilite": "civility", "nom": "last_name", "prenom": "first_name",
                   "lien": "relationship", "courriel": "email", "portable": "phone_mobile",
                   "telephone": "phone_home"}
CHILD_FIELDS = {"enfant_nom": "last_name", "enfant_prenom": "first_name", "enfant_sexe": "sex",
                "enfant_naissance": "birth_date", "regime": "diet", "pai": "has_pai",
                "allergies": "allergies"}
# Model max lengths, checked here so that the whole file is judged before any write.
MAX_LENGTHS = {"name": 150, "address": 250, "postcode": 10, "city": 120, "last_name": 100,
               "first_name": 100, "relationship": 40, "email": 254, "phone_mobile": 30,
               "phone_home": 30}

DIETS = {"": "standard", "standard": "standard", "sans porc": "sans_porc",
         "sans viande": "sans_viande", "vegetarien": "vegetarien"}
DIET_LABELS = {"standard": "standard", "sans_porc": "sans porc", "sans_viande": "sans viande",
               "vegetarien": "végétarien"}
CUSTODIES = {"": "full", "complete": "full", "garde complete": "full",
             "semaines paires": "even_weeks", "semaines impaires": "odd_weeks",
             "selon accord": "agreed"}
CUSTODY_LABELS = {"full": "complète", "even_weeks": "semaines paires",
                  "odd_weeks": "semaines impaires", "agreed": "selon accord"}
YES = {"oui", "o", "1", "vrai", "x", "yes"}
NO = {"", "non", "n", "0", "faux", "no"}
CIVILITIES = {"": "", "mme": "mme", "madame": "mme", "mlle": "mme", "m": "m", "m.": "m",
              "monsieur": "m", "mr": "m"}
CIVILITY_LABELS = {"": "", "mme": "Mme", "m": "M."}
SEXES = {"": "", "f": "F", "fille": "F", "m": "M", "g": "M", "garcon": "M"}
MAX_CHILD_AGE_YEARS = 25
MAX_HOUSEHOLDS_PER_CHILD = 2
SHARED_CUSTODY_COMPLEMENT = {"even_weeks": "odd_weeks", "odd_weeks": "even_weeks",
                             "agreed": "agreed"}
MAX_ROWS = 20_000
PHONE = re.compile(r"^\+?[0-9]{6,15}$")
POSTCODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z \-]{1,9}$")
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")
# A spreadsheet export neutralises formulas with a leading apostrophe: read it back.
FORMULA_CHARS = ("=", "+", "-", "@")


@dataclass(frozen=True)
class LineError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"ligne {self.line} : {self.message}"


@dataclass(frozen=True)
class GuardianRow:
    slot: int
    fields: dict[str, str]


@dataclass(frozen=True)
class HouseholdRow:
    ref: str
    line: int
    fields: dict[str, str]
    guardians: tuple[GuardianRow, ...]

    def same_as(self, other: "HouseholdRow") -> bool:
        return (self.fields, self.guardians) == (other.fields, other.guardians)


@dataclass(frozen=True)
class ChildRow:
    ref: str
    line: int
    fields: dict[str, Any]


@dataclass(frozen=True)
class MembershipRow:
    child_ref: str
    household_ref: str
    custody: str | None  # None: the column is absent, keep what is there
    line: int


@dataclass
class ImportPlan:
    """What the file describes, keyed by the file's references, in file order."""

    households: dict[str, HouseholdRow] = field(default_factory=dict)
    children: dict[str, ChildRow] = field(default_factory=dict)
    memberships: list[MembershipRow] = field(default_factory=list)

    def content(self) -> tuple[Any, ...]:
        """The data without line numbers, to compare two plans."""
        return (
            {ref: (h.fields, h.guardians) for ref, h in self.households.items()},
            {ref: c.fields for ref, c in self.children.items()},
            sorted((m.child_ref, m.household_ref, m.custody or "") for m in self.memberships),
        )


@dataclass
class ParseResult:
    plan: ImportPlan
    header_errors: list[str]
    errors: list[LineError]
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.header_errors and not self.errors


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: how headers and keywords are compared."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(plain.lower().replace("’", "'").split())


def normalise_header(text: str) -> str:
    """ "Réf. foyer" -> "ref_foyer"; "resp1 courriel" -> "resp1_courriel"."""
    return re.sub(r"[^a-z0-9]+", "_", fold(text).replace(".", "")).strip("_")


def check_header(header: Sequence[str]) -> tuple[dict[int, str], list[str]]:
    """Map column positions to codes; French messages for missing, unknown or repeated
    columns. Empty header cells (trailing columns of a spreadsheet) are ignored."""
    positions: dict[int, str] = {}
    errors: list[str] = []
    seen: set[str] = set()
    unknown: list[str] = []
    for index, raw in enumerate(header):
        code = normalise_header(raw or "")
        if not code:
            continue
        if code not in CODES:
            unknown.append(f"« {raw.strip()} »")
            continue
        if code in seen:
            errors.append(f"La colonne « {code} » apparaît deux fois.")
            continue
        seen.add(code)
        positions[index] = code
    missing = [c for c in REQUIRED_CODES if c not in seen]
    if missing:
        errors.append("Colonnes obligatoires manquantes : " + ", ".join(missing) + ".")
    if unknown:
        errors.append("Colonnes inconnues : " + ", ".join(unknown)
                      + ". Utilisez les noms de colonnes du modèle d'import.")
    return positions, errors


def clean_cell(value: str) -> str:
    text = " ".join((value or "").replace("\u00a0", " ").split())
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_CHARS:
        return text[1:]
    return text


def parse_date(value: str) -> datetime.date | None:
    """JJ/MM/AAAA (also JJ-MM-AAAA, JJ.MM.AAAA, AAAA-MM-JJ); None if not a real date."""
    text = value.strip().split(" ")[0]
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    return None


def normalise_phone(value: str) -> str | None:
    """Keep the number as typed if it is one; a 9-digit number that lost its leading 0 in a
    spreadsheet gets it back. None if it is not a phone number."""
    compact = re.sub(r"[\s.\-/()]", "", value)
    if not compact:
        return ""
    if not PHONE.match(compact):
        return None
    if compact.isdigit() and len(compact) == 9 and compact[0] != "0":
        return "0" + value
    return value


_email = EmailValidator()


def _is_email(value: str) -> bool:
    try:
        _email(value)
    except ValidationError:
        return False
    return True


class _Row:
    """One data row: reads cells by code and collects its errors."""

    def __init__(self, line: int, cells: dict[str, str]) -> None:
        self.line = line
        self.cells = cells
        self.errors: list[LineError] = []

    def error(self, message: str) -> None:
        self.errors.append(LineError(self.line, message))

    def text(self, code: str, field_name: str, label: str, *, required: bool = False) -> str:
        value = self.cells.get(code, "")
        if required and not value:
            self.error(f"{label} manquant ({code})")
        elif len(value) > MAX_LENGTHS.get(field_name, 10_000):
            self.error(f"{label} trop long ({MAX_LENGTHS[field_name]} caractères au plus) "
                       f"« {value[:40]}… »")
        return value

    def choice(self, code: str, choices: dict[str, str], message: str) -> str:
        value = self.cells.get(code, "")
        key = fold(value)
        if key not in choices:
            self.error(f"{message} « {value} »")
            return ""
        return choices[key]


def _household(row: _Row, ref: str) -> HouseholdRow:
    fields: dict[str, str] = {}
    for code, name in HOUSEHOLD_FIELDS.items():
        if code in row.cells:
            fields[name] = row.text(code, name, "nom du foyer" if name == "name" else code,
                                    required=name == "name")
    if fields.get("postcode") and not POSTCODE.match(fields["postcode"]):
        row.error(f"code postal invalide « {fields['postcode']} »")
    guardians = []
    for slot in GUARDIAN_SLOTS:
        prefix = f"resp{slot}_"
        present = {suffix: row.cells[prefix + suffix] for suffix in GUARDIAN_FIELDS
                   if prefix + suffix in row.cells}
        if slot > 1 and not any(present.values()):
            continue
        label = f"responsable {slot}"
        if slot > 1 and not {f"{prefix}nom", f"{prefix}prenom"} <= set(row.cells):
            row.error(f"{label} : les colonnes {prefix}nom et {prefix}prenom sont nécessaires")
        g: dict[str, str] = {}
        for suffix, name in GUARDIAN_FIELDS.items():
            code = prefix + suffix
            if code not in row.cells:
                continue
            if suffix == "civilite":
                g[name] = row.choice(code, CIVILITIES, f"civilité du {label} invalide (Mme ou M.)")
            elif suffix in ("portable", "telephone"):
                phone = normalise_phone(row.cells[code])
                if phone is None:
                    row.error(f"téléphone du {label} invalide « {row.cells[code]} »")
                g[name] = row.text(code, name, f"téléphone du {label}") if phone is None else phone
            elif suffix == "courriel":
                email = row.text(code, name, f"courriel du {label}").lower()
                if email and not _is_email(email):
                    row.error(f"courriel du {label} invalide « {email} »")
                g[name] = email
            else:
                what = {"nom": "nom", "prenom": "prénom", "lien": "lien"}[suffix]
                g[name] = row.text(code, name, f"{what} du {label}",
                                   required=suffix in ("nom", "prenom"))
        contact = [code for code in (f"{prefix}courriel", f"{prefix}portable",
                                     f"{prefix}telephone") if code in row.cells]
        if contact and not any(row.cells[code] for code in contact):
            row.error(f"{label} : renseignez au moins un téléphone ou un courriel")
        guardians.append(GuardianRow(slot=slot, fields=g))
    return HouseholdRow(ref=ref, line=row.line, fields=fields, guardians=tuple(guardians))


def _child(row: _Row, ref: str, today: datetime.date) -> ChildRow:
    fields: dict[str, Any] = {}
    for code, name in CHILD_FIELDS.items():
        if code not in row.cells:
            continue
        value = row.cells[code]
        if name == "birth_date":
            born = parse_date(value)
            if not value:
                row.error("date de naissance manquante (enfant_naissance)")
            elif born is None:
                row.error(f"date de naissance invalide « {value} » (attendu JJ/MM/AAAA)")
            elif born > today:
                row.error(f"date de naissance dans le futur « {value} »")
            elif born.year < today.year - MAX_CHILD_AGE_YEARS:
                row.error(f"date de naissance improbable pour un enfant « {value} »")
            fields[name] = born
        elif name == "sex":
            fields[name] = row.choice(code, SEXES, "sexe invalide (F ou M)")
        elif name == "diet":
            fields[name] = row.choice(
                code, DIETS, "régime alimentaire inconnu (standard, sans porc, sans viande "
                "ou végétarien)")
        elif name == "has_pai":
            key = fold(value)
            if key not in YES | NO:
                row.error(f"PAI : répondre oui ou non « {value} »")
            fields[name] = key in YES
        else:
            label = {"last_name": "nom de l'enfant", "first_name": "prénom de l'enfant",
                     "allergies": "allergies"}[name]
            fields[name] = row.text(code, name, label, required=name != "allergies")
    return ChildRow(ref=ref, line=row.line, fields=fields)


def _has_child(cells: dict[str, str]) -> bool:
    return any(cells.get(code) for code in ("ref_enfant", *CHILD_FIELDS, "garde"))


def _check_ref(row: _Row, code: str, label: str) -> str:
    ref = row.cells.get(code, "")
    if not ref:
        row.error(f"{label} manquante ({code})")
    elif len(ref) > 60:
        row.error(f"{label} trop longue (60 caractères au plus) « {ref[:40]}… »")
    return ref


def parse_rows(
    header: Sequence[str], rows: Iterable[tuple[int, Sequence[str]]], *, today: datetime.date
) -> ParseResult:
    """Validate every row of the file and build the plan; `rows` are (line, cells) pairs
    without the header. All errors are collected (not only the first); the plan is only
    meaningful when the result is `ok`."""
    positions, header_errors = check_header(header)
    result = ParseResult(plan=ImportPlan(), header_errors=header_errors, errors=[])
    if header_errors:
        return result
    plan = result.plan
    seen_pairs: dict[tuple[str, str], int] = {}
    for line, raw in rows:
        cells = {code: clean_cell(str(raw[i]) if i < len(raw) and raw[i] is not None else "")
                 for i, code in positions.items()}
        if not any(cells.values()):
            continue
        result.rows += 1
        if result.rows > MAX_ROWS:
            result.errors.append(LineError(line, f"le fichier dépasse {MAX_ROWS} lignes : "
                                                 "découpez-le en plusieurs fichiers"))
            break
        row = _Row(line, cells)
        household_ref = _check_ref(row, "ref_foyer", "référence du foyer")
        household = _household(row, household_ref)
        known = plan.households.get(household_ref)
        if household_ref and known is None and not row.errors:
            plan.households[household_ref] = household
        elif known is not None and not household.same_as(known):
            row.error(f"le foyer « {household_ref} » est décrit autrement qu'à la ligne "
                      f"{known.line} : ses colonnes doivent être identiques sur chaque ligne")
        if _has_child(cells):
            child_ref = _check_ref(row, "ref_enfant", "référence de l'enfant")
            child = _child(row, child_ref, today)
            known_child = plan.children.get(child_ref)
            if known_child is not None and known_child.fields != child.fields:
                row.error(f"l'enfant « {child_ref} » est décrit autrement qu'à la ligne "
                          f"{known_child.line}")
            custody = (row.choice("garde", CUSTODIES, "garde inconnue (complète, semaines "
                                  "paires, semaines impaires ou selon accord)")
                       if "garde" in cells else None)
            pair = (child_ref, household_ref)
            if child_ref and household_ref and pair in seen_pairs:
                row.error(f"l'enfant « {child_ref} » figure déjà dans le foyer "
                          f"« {household_ref} » à la ligne {seen_pairs[pair]}")
            if not row.errors:
                plan.children.setdefault(child_ref, child)
                seen_pairs[pair] = line
                plan.memberships.append(MembershipRow(child_ref, household_ref, custody, line))
        result.errors.extend(row.errors)
    if not result.errors:
        result.errors.extend(_cross_checks(plan))
        result.errors.sort(key=lambda e: e.line)
    if not result.rows and not result.errors:
        result.header_errors.append("Le fichier ne contient aucune ligne de données "
                                    "sous l'en-tête.")
    return result


def _cross_checks(plan: ImportPlan) -> list[LineError]:
    """Rules that span rows: a guardian's email names one person; a child belongs to two
    households at most, and in two households the custody patterns complement each
    other (even and odd weeks, or "selon accord" on both)."""
    errors: list[LineError] = []
    owners: dict[str, tuple[str, int, int]] = {}
    for ref, household in plan.households.items():
        for g in household.guardians:
            email = g.fields.get("email", "")
            if not email:
                continue
            owner = owners.get(email)
            if owner is not None and owner[:2] != (ref, g.slot):
                errors.append(LineError(household.line, f"le courriel « {email} » est déjà "
                                        f"celui d'un autre responsable (ligne {owner[2]})"))
            owners.setdefault(email, (ref, g.slot, household.line))
    by_child: dict[str, list[MembershipRow]] = {}
    for m in plan.memberships:
        by_child.setdefault(m.child_ref, []).append(m)
    for ref, links in by_child.items():
        if len(links) > MAX_HOUSEHOLDS_PER_CHILD:
            errors.append(LineError(links[-1].line, f"l'enfant « {ref} » est rattaché à plus "
                                    f"de {MAX_HOUSEHOLDS_PER_CHILD} foyers"))
        elif len(links) == MAX_HOUSEHOLDS_PER_CHILD:
            first, second = links
            if (first.custody not in SHARED_CUSTODY_COMPLEMENT
                    or SHARED_CUSTODY_COMPLEMENT[first.custody] != second.custody):
                errors.append(LineError(second.line, f"garde alternée de l'enfant « {ref} » : "
                                        "indiquez semaines paires dans un foyer et semaines "
                                        "impaires dans l'autre, ou selon accord dans les deux"))
    return errors


def _date_text(value: Any) -> str:
    return value.strftime("%d/%m/%Y") if isinstance(value, datetime.date) else ""


def plan_rows(plan: ImportPlan) -> list[list[str]]:
    """The plan written back in the import layout (all columns, in `CODES` order): the
    inverse of `parse_rows` for a valid plan. Used for the template and round trips."""
    rows: list[list[str]] = []
    linked: set[str] = set()
    for m in plan.memberships:
        linked.add(m.household_ref)
        rows.append(_layout_row(plan.households[m.household_ref], plan.children[m.child_ref],
                                m.custody))
    for ref, household in plan.households.items():
        if ref not in linked:
            rows.append(_layout_row(household, None, None))
    return rows


def _layout_row(household: HouseholdRow, child: ChildRow | None, custody: str | None
                ) -> list[str]:
    cells = {"ref_foyer": household.ref}
    cells.update({code: household.fields.get(name, "")
                  for code, name in HOUSEHOLD_FIELDS.items()})
    for g in household.guardians:
        for suffix, name in GUARDIAN_FIELDS.items():
            value = g.fields.get(name, "")
            if name == "civility":
                value = CIVILITY_LABELS.get(value, value)
            cells[f"resp{g.slot}_{suffix}"] = value
    if child is not None:
        f = child.fields
        cells.update({
            "ref_enfant": child.ref,
            "enfant_nom": f.get("last_name", ""),
            "enfant_prenom": f.get("first_name", ""),
            "enfant_sexe": f.get("sex", ""),
            "enfant_naissance": _date_text(f.get("birth_date")),
            "regime": DIET_LABELS.get(f.get("diet", ""), ""),
            "pai": "oui" if f.get("has_pai") else "non",
            "allergies": f.get("allergies", ""),
            "garde": CUSTODY_LABELS.get(custody or "full", ""),
        })
    return [cells.get(code, "") for code in CODES]


def template_rows() -> list[list[str]]:
    """Example rows of the downloadable template: one household with two children, one of
    them in shared custody with a second household."""
    example = {c.code: ("" if c.code.startswith("resp2_") else c.example) for c in COLUMNS}
    second = dict(example, ref_enfant="E0002", enfant_prenom="Nolwenn", enfant_sexe="F",
                  enfant_naissance="02/09/2016", regime="végétarien", pai="oui",
                  allergies="arachide", garde="semaines paires")
    other = dict(second, ref_foyer="F0002", nom_foyer="TANGUY Yann", adresse="3 impasse du Port",
                 code_postal="22700", ville="Perros-Guirec", resp1_civilite="M.",
                 resp1_nom="Tanguy", resp1_prenom="Yann", resp1_lien="Père",
                 resp1_courriel="yann.tanguy@example.fr", resp1_portable="07 98 76 54 32",
                 resp1_telephone="", garde="semaines impaires")
    return [[row[code] for code in CODES] for row in (example, second, other)]


def parse_upload(*, name: str, content: bytes, today: datetime.date) -> ParseResult:
    """Read a CSV or XLSX file and validate it; unreadable files come back with their
    French reason in `header_errors`."""
    try:
        table = read_table(name=name, content=content)
    except TableError as exc:
        return ParseResult(plan=ImportPlan(), header_errors=[str(exc)], errors=[])
    return parse_rows(table.header, table.rows, today=today)
