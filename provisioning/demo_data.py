"""Realistic French demo data: three communes, their agents, families and their accounts
(the schools, services and family files are in demo_families.py)."""

import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from provisioning.demo_bookings import seed_bookings
from provisioning.demo_catering import seed_catering
from provisioning.demo_families import DemoHousehold, seed_families
from provisioning.services import commune_create, provisioning_job_run
from tenants.db import use_commune, use_public
from tenants.models import BillingMode, Commune, PaymentMode

DEMO_PASSWORD = "Demo-Cantine-2026!"  # noqa: S105 - published demo credential, not a secret

SURNAMES = (
    "Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel "
    "Lefebvre Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine "
    "Rousseau Vincent Muller Lefevre Faure Andre Mercier Blanc Guerin Boyer Garnier Chevalier "
    "François Legrand Gauthier Garcia Perrin Robin Clement Morin Nicolas Henry Roussel Mathieu "
    "Gautier Masson Marchand Duval Denis Dumont Marie Lemaire Noel Meyer Dufour Meunier Brun "
    "Blanchard Giraud Joly Riviere Lucas Brunet Gaillard Barbier Arnaud Martinez Gerard Roche "
    "Le Gall Le Goff Le Bihan Kerhervé Guillou Tanguy Le Roux Hamon Jaouen Morvan Quéré"
).split()
FIRST_NAMES = (
    "Camille Léa Manon Chloé Emma Inès Sarah Julie Laura Marie Anaïs Pauline Élodie Claire "
    "Nicolas Julien Thomas Maxime Antoine Alexandre Kevin Romain Guillaume Mathieu Sébastien "
    "Yann Erwan Gwenaëlle Maël Nolwenn Karim Yasmine Sofiane Amina Mehdi Fatou Moussa Lina"
).split()


@dataclass(frozen=True)
class DemoCommune:
    slug: str
    name: str
    insee: str
    address: str
    billing_mode: str
    payment_modes: tuple[str, ...]
    households: int
    colour: str


DEMO_COMMUNES = (
    DemoCommune(
        "lannion",
        "Lannion",
        "22113",
        "Place du Général Leclerc\n22300 Lannion",
        BillingMode.PERCEPTION,
        (PaymentMode.PAYFIP, PaymentMode.SEPA),
        300,
        "#005a9c",
    ),
    DemoCommune(
        "plouaret",
        "Plouaret",
        "22214",
        "1 place de la Mairie\n22420 Plouaret",
        BillingMode.REGIE,
        (PaymentMode.CASH, PaymentMode.CHEQUE, PaymentMode.CESU),
        60,
        "#2e7d32",
    ),
    DemoCommune(
        "perros-guirec",
        "Perros-Guirec",
        "22168",
        "Place de l'Hôtel de Ville\n22700 Perros-Guirec",
        BillingMode.PREPAID,
        (PaymentMode.PAYFIP, PaymentMode.CARD),
        90,
        "#8e24aa",
    ),
)

AGENT_ROLES = (
    ("administrator", "Administratrice"),
    ("agent", "Agent"),
    ("regisseur", "Régisseur"),
    ("animateur", "Animatrice"),
    ("read_only", "Élu"),
)


def _ascii(text: str) -> str:
    return (
        unicodedata.normalize("NFKD", text)
        .encode("ascii", "ignore")
        .decode()
        .lower()
        .replace(" ", "")
        .replace("'", "")
    )


def _demo_households(spec: DemoCommune) -> list[DemoHousehold]:
    """The commune's families, reproducibly: the same names and emails on every run (the
    order of draws is that of the first demo, so its accounts are found again)."""
    rng = random.Random(spec.slug)  # noqa: S311 - demo data, reproducible on purpose
    households = []
    for n in range(spec.households):
        surname = rng.choice(SURNAMES)
        firsts = rng.sample(FIRST_NAMES, rng.choice((1, 2, 2)))
        households.append(DemoHousehold(n, surname, tuple(
            (first, f"{_ascii(first)}.{_ascii(surname)}{n}@{spec.slug}.demo") for first in firsts
        )))
    return households


def _seed_accounts(commune: Commune, spec: DemoCommune) -> None:
    from tenant_apps.accounts.models import User

    # One hash for every demo account: hashing hundreds of times would take minutes.
    hashed = make_password(DEMO_PASSWORD)
    use_commune(commune)
    with transaction.atomic():
        for role, label in AGENT_ROLES:
            email = f"{role.replace('_', '-')}@{spec.slug}.demo"
            user = User.objects.filter(email=email).first() or User(email=email, role=role)
            user.full_name = f"{label} de {spec.name}"
            user.password = hashed
            user.save()
        existing = set(User.objects.filter(role="guardian").values_list("email", flat=True))
        guardians = []
        for household in _demo_households(spec):
            for first, email in household.guardians:
                if email in existing:
                    continue
                guardian = User(email=email, role="guardian",
                                full_name=f"{first} {household.surname}")
                guardian.password = hashed
                guardians.append(guardian)
        User.objects.bulk_create(guardians)
        parent = User.objects.filter(email=f"parent@{spec.slug}.demo").first()
        if parent is None:
            parent = User(
                email=f"parent@{spec.slug}.demo", role="guardian", full_name="Camille Le Gall"
            )
        parent.password = hashed
        parent.save()
    use_public()


DEMO_MESSAGE_BOXES = (
    ("Service enfance", "Inscriptions, accueil périscolaire et centre de loisirs"),
    ("Restauration", "Menus, régimes alimentaires et allergies"),
)


def _seed_message_boxes(spec: DemoCommune) -> None:
    from tenant_apps.messaging.models import MessageBox

    for name, description in DEMO_MESSAGE_BOXES:
        MessageBox.objects.get_or_create(
            name=name,
            defaults={"description": description, "notify_email": f"enfance@{spec.slug}.demo"},
        )


def _seed_reminder(slug: str) -> bool:
    """The usual weekly "book next week" reminder (Wednesday 18:00, families not booked)."""
    from datetime import time

    from tenant_apps.accounts.models import User
    from tenant_apps.reminders.models import DEFAULT_BODY, DEFAULT_SUBJECT, BookingReminder
    from tenant_apps.reminders.services import reminder_save

    admin = User.objects.filter(email=f"administrator@{slug}.demo").first()
    if admin is None or BookingReminder.objects.exists():
        return False
    reminder_save(reminder=None, acting_user=admin, weekday=3, at=time(18, 0),
                  audience="unbooked", subject=DEFAULT_SUBJECT, body=DEFAULT_BODY,
                  active=True)
    return True


def demo_seed(*, log: Callable[[str], None] = print) -> list[Commune]:
    """Create (or complete) the three demo communes; idempotent."""
    communes = []
    for spec in DEMO_COMMUNES:
        commune = Commune.objects.filter(slug=spec.slug).first()
        if commune is None:
            job = commune_create(
                actor=None,
                name=spec.name,
                slug=spec.slug,
                insee_code=spec.insee,
                address=spec.address,
                contact_email=f"enfance@{spec.slug}.demo",
                contact_name="Service enfance",
                admin_email=f"administrator@{spec.slug}.demo",
                admin_name=f"Administratrice de {spec.name}",
                billing_mode=spec.billing_mode,
                payment_modes=spec.payment_modes,
                brand_colour=spec.colour,
                dispatch=False,
            )
            provisioning_job_run(job_id=job.pk)
            commune = Commune.objects.get(slug=spec.slug)
            log(f"commune {spec.name} créée")
        _seed_accounts(commune, spec)
        use_commune(commune)
        try:
            seed_families(slug=spec.slug, town=spec.name, households=_demo_households(spec))
            booked = seed_bookings(slug=spec.slug)
            if booked:
                log(f"{spec.name} : {booked} réservations de démonstration créées")
            if seed_catering(slug=spec.slug):
                log(f"{spec.name} : prestataire de repas et commandes de démonstration créés")
            if _seed_reminder(spec.slug):
                log(f"{spec.name} : rappel de réservation du mercredi 18:00 créé")
            _seed_message_boxes(spec)
        finally:
            use_public()
        communes.append(commune)
    return communes
