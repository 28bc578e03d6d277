"""Family services: validation in French, history rows with diffs, shared custody,
documents checked by content and size, portal invitations through the outbox."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from config.s3 import ensure_bucket, s3_client
from tenant_apps.accounts.models import Role, User
from tenant_apps.families import services
from tenant_apps.families.models import (
    ChildDocument,
    ChildHousehold,
    CustodyPattern,
    Guardian,
    Household,
)
from tenant_apps.history.models import ChangeRecord
from tenant_apps.outbox.models import OutboxMessage
from tests.conftest import inside
from tests.families.conftest import family_create

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_household_update_writes_a_history_row_with_the_diff(commune_alpha, family,
                                                             alpha_admin):
    with inside(commune_alpha):
        services.household_update(actor=alpha_admin, household=family.household,
                                  city="Perros-Guirec", quotient_familial=810)
        row = ChangeRecord.objects.filter(entity="household",
                                          entity_id=family.household.pk).first()
        assert row is not None
        assert row.action == "update"
        assert row.actor_email == alpha_admin.email
        assert row.changes == {"city": ["Lannion", "Perros-Guirec"],
                               "quotient_familial": ["742", "810"]}


def test_update_without_change_writes_no_history(commune_alpha, family, alpha_admin):
    with inside(commune_alpha):
        before = ChangeRecord.objects.count()
        services.household_update(actor=alpha_admin, household=family.household,
                                  city="Lannion")
        assert ChangeRecord.objects.count() == before


def test_household_rules_refuse_in_french_and_save_nothing(commune_alpha, family,
                                                           alpha_admin):
    with inside(commune_alpha):
        with pytest.raises(ValidationError) as error:
            services.household_update(
                actor=alpha_admin, household=family.household, city="Ailleurs",
                qf_valid_from=datetime.date(2026, 6, 1),
                qf_valid_until=datetime.date(2026, 1, 1),
            )
        assert error.value.message_dict == {
            "qf_valid_until": ["La fin de validité du QF précède son début."]
        }
        assert Household.objects.get(pk=family.household.pk).city == "Lannion"


def test_guardian_needs_a_way_to_be_reached(commune_alpha, family, alpha_admin):
    with inside(commune_alpha):
        with pytest.raises(ValidationError) as error:
            services.guardian_add(actor=alpha_admin, household=family.household,
                                  last_name="Sans", first_name="Contact")
        assert "téléphone ou un courriel" in str(error.value)
        assert family.household.guardians.count() == 2


def test_guardian_remove_keeps_one_and_moves_billing(commune_alpha, family, alpha_admin):
    with inside(commune_alpha):
        assert family.household.billing_guardian_id == family.mother.pk
        services.guardian_remove(actor=alpha_admin, guardian=family.mother)
        household = Household.objects.get(pk=family.household.pk)
        assert household.billing_guardian_id == family.father.pk
        with pytest.raises(ValidationError, match="au moins un responsable"):
            services.guardian_remove(actor=alpha_admin, guardian=family.father)
        assert ChangeRecord.objects.filter(
            entity="household", entity_id=household.pk, action="delete",
            summary__startswith="Responsable légal retiré",
        ).exists()


def test_child_create_records_on_child_and_household(commune_alpha, family, alpha_admin):
    with inside(commune_alpha):
        child_rows = ChangeRecord.objects.filter(entity="child", entity_id=family.child.pk)
        assert child_rows.filter(action="create", changes__first_name=["", "Théo"]).exists()
        assert ChangeRecord.objects.filter(
            entity="household", entity_id=family.household.pk,
            summary__contains="Théo LEFÈVRE rattaché",
        ).exists()


def test_child_birth_date_in_the_future_is_refused(commune_alpha, family, alpha_admin):
    with inside(commune_alpha):
        with pytest.raises(ValidationError) as error:
            services.child_update(actor=alpha_admin, child=family.child,
                                  birth_date=datetime.date(2099, 1, 1))
        assert error.value.message_dict["birth_date"] == [
            "La date de naissance est dans le futur."
        ]


def test_shared_custody_link_sets_complementary_patterns(commune_alpha, family, alpha_admin):
    with inside(commune_alpha):
        other = services.household_create(actor=alpha_admin, name="MARTIN Paul")
        services.guardian_add(actor=alpha_admin, household=other, last_name="Martin",
                              first_name="Paul", phone_mobile="0700000000")
        services.child_household_link(actor=alpha_admin, child=family.child, household=other,
                                      custody=CustodyPattern.EVEN_WEEKS)
        patterns = dict(ChildHousehold.objects.filter(child=family.child)
                        .values_list("household_id", "custody"))
        assert patterns == {family.household.pk: "odd_weeks", other.pk: "even_weeks"}
        assert ChangeRecord.objects.filter(entity="household", entity_id=other.pk,
                                           changes__custody=["", "Semaines paires"]).exists()
        # A third household is refused, as is full custody in two places.
        third = services.household_create(actor=alpha_admin, name="TROISIÈME")
        with pytest.raises(ValidationError, match="deux foyers au plus"):
            services.child_household_link(actor=alpha_admin, child=family.child,
                                          household=third, custody=CustodyPattern.AGREED)
        services.child_household_unlink(actor=alpha_admin, child=family.child, household=other)
        assert list(ChildHousehold.objects.filter(child=family.child)
                    .values_list("custody", flat=True)) == ["full"]
        with pytest.raises(ValidationError, match="pleine|au moins un foyer"):
            services.child_household_unlink(actor=alpha_admin, child=family.child,
                                            household=family.household)


def test_link_refuses_full_custody_pattern(commune_alpha, family, alpha_admin):
    with inside(commune_alpha):
        other = services.household_create(actor=alpha_admin, name="AUTRE")
        with pytest.raises(ValidationError, match="précisez le rythme"):
            services.child_household_link(actor=alpha_admin, child=family.child,
                                          household=other, custody=CustodyPattern.FULL)
        assert ChildHousehold.objects.filter(child=family.child).count() == 1


def test_contacts_are_added_and_removed_with_history(commune_alpha, family, alpha_admin):
    with inside(commune_alpha):
        contact = services.contact_add(actor=alpha_admin, child=family.child,
                                       name="Mamie Jeanne", phone="02 96 00 00 01",
                                       role="both", relationship="grand-mère")
        services.contact_remove(actor=alpha_admin, contact=contact)
        summaries = list(ChangeRecord.objects.filter(entity="child", entity_id=family.child.pk)
                         .values_list("summary", flat=True)[:2])
        assert summaries == ["Contact retiré : Mamie Jeanne", "Contact ajouté : Mamie Jeanne"]
        with pytest.raises(ValidationError):
            services.contact_add(actor=alpha_admin, child=family.child, name="Sans tel",
                                 phone="", role="pickup")


@pytest.fixture
def files_bucket() -> None:
    ensure_bucket(settings.S3_FILES_BUCKET)


def test_document_upload_lands_in_the_commune_prefix_and_delete_removes_it(
        commune_alpha, family, alpha_admin, files_bucket):
    with inside(commune_alpha):
        document = services.document_upload(
            actor=alpha_admin, child=family.child, title="PAI 2026",
            upload=SimpleUploadedFile("pai.pdf", PDF, content_type="application/pdf"),
        )
        assert (document.content_type, document.size, document.original_name) == (
            "application/pdf", len(PDF), "pai.pdf")
        key = f"c_alpha/{document.file.name}"
    keys = [o["Key"] for o in s3_client().list_objects_v2(
        Bucket=settings.S3_FILES_BUCKET, Prefix="c_alpha/children/").get("Contents", [])]
    assert key in keys
    with inside(commune_alpha):
        services.document_delete(actor=alpha_admin, document=document)
        assert not ChildDocument.objects.filter(pk=document.pk).exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "Seuls les fichiers PDF, JPEG et PNG sont acceptés."),
        ("faux.pdf", b"<html>pas un pdf</html>",
         "Seuls les fichiers PDF, JPEG et PNG sont acceptés."),
        ("enorme.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "Le fichier dépasse 10 Mo"),
    ],
)
def test_document_refused_by_type_or_size(commune_alpha, family, alpha_admin, name, content,
                                          message):
    with inside(commune_alpha):
        with pytest.raises(ValidationError) as error:
            services.document_upload(
                actor=alpha_admin, child=family.child, title="Pièce",
                upload=SimpleUploadedFile(name, content, content_type="application/pdf"),
            )
        assert message in error.value.message_dict["file"][0]
        assert not ChildDocument.objects.filter(child=family.child).exists()


def test_png_is_accepted(commune_alpha, family, alpha_admin, files_bucket):
    with inside(commune_alpha):
        document = services.document_upload(
            actor=alpha_admin, child=family.child, title="Vaccins",
            upload=SimpleUploadedFile("vaccins.png", PNG, content_type="image/png"))
        assert document.content_type == "image/png"


def test_portal_invitation_creates_a_guardian_account_and_an_outbox_email(
        commune_alpha, family, alpha_admin):
    with inside(commune_alpha):
        user = services.guardian_invite_to_portal(
            actor=alpha_admin, guardian=family.mother, site_url="http://alpha.localhost/",
            commune_name="Alphaville")
        assert user.role == Role.GUARDIAN
        assert Guardian.objects.get(pk=family.mother.pk).user_id == user.pk
        assert not user.has_usable_password()
        email = OutboxMessage.objects.filter(recipients__contains=[family.mother.email]).get()
        assert "mot de passe" in email.subject
        # Again: a new link (the account has no password yet), still one account.
        services.guardian_invite_to_portal(
            actor=alpha_admin, guardian=family.mother, site_url="http://alpha.localhost/",
            commune_name="Alphaville")
        assert User.objects.filter(email=family.mother.email).count() == 1
        with pytest.raises(ValidationError, match="courriel"):
            services.guardian_invite_to_portal(
                actor=alpha_admin, guardian=family.father, site_url="http://x/",
                commune_name="Alphaville")


def test_guardian_email_change_follows_to_the_portal_account(commune_alpha, family,
                                                             alpha_admin):
    with inside(commune_alpha):
        user = services.guardian_invite_to_portal(
            actor=alpha_admin, guardian=family.mother, site_url="http://alpha.localhost/",
            commune_name="Alphaville")
        services.guardian_update(actor=alpha_admin, guardian=family.mother,
                                 email="Nouvelle.Adresse@Example.test")
        user.refresh_from_db()
        assert user.email == "nouvelle.adresse@example.test"


def test_family_create_helper_is_isolated_per_commune(commune_alpha, commune_beta,
                                                      alpha_admin):
    with inside(commune_beta):
        beta_admin = User.objects.create_user(email="b@example.test", role="administrator")
        family_create(beta_admin, name="Famille de Bêta")
    with inside(commune_alpha):
        assert not Household.objects.filter(name="Famille de Bêta").exists()
