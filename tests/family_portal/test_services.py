"""Parents' changes from the portal: the policy is enforced on the server, direct changes
are recorded in the history, validated ones wait for an agent who accepts or refuses."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tenant_apps.families.models import Child, ChildContact, Guardian, Household
from tenant_apps.family_portal import services
from tenant_apps.family_portal.models import ChangeRequest, ChangeStatus, FamilyEditPolicy
from tenant_apps.family_portal.selectors import edit_policy
from tenant_apps.history.models import ChangeRecord
from tenant_apps.outbox.models import OutboxMessage
from tests.conftest import inside

pytestmark = pytest.mark.django_db


def _submit(family, target, obj, category, **data):  # type: ignore[no-untyped-def]
    return services.family_changes_submit(household=family.household, target=target, obj=obj,
                                          category=category, data=data,
                                          acting_user=family.parent)


def test_direct_change_is_applied_and_recorded_with_the_parent_as_actor(commune_alpha, family):
    with inside(commune_alpha):
        result = _submit(family, "guardian", family.mother, "coordonnees",
                         phone_mobile="07 11 22 33 44", email=family.mother.email,
                         phone_home="", phone_work="")
        family.mother.refresh_from_db()
        record = ChangeRecord.objects.filter(entity="household",
                                             entity_id=family.household.pk).first()
    assert result.applied == ["Téléphone portable"] and result.requested == []
    assert family.mother.phone_mobile == "07 11 22 33 44"
    assert record is not None and record.actor_id == family.parent.pk
    assert record.changes == {"phone_mobile": ["06 12 34 56 78", "07 11 22 33 44"]}


def test_validated_change_waits_for_an_agent_and_changes_nothing(commune_alpha, family):
    with inside(commune_alpha):
        before = ChangeRecord.objects.filter(entity="child", entity_id=family.child.pk).count()
        result = _submit(family, "child", family.child, "regime", diet="vegetarien")
        child = Child.objects.get(pk=family.child.pk)
        request = ChangeRequest.objects.get(child=family.child)
        after = ChangeRecord.objects.filter(entity="child", entity_id=family.child.pk).count()
    assert result.requested == ["Régime alimentaire"] and result.applied == []
    assert child.diet == "sans_porc" and before == after
    assert request.status == ChangeStatus.PENDING and request.household_id == family.household.pk
    assert request.changes == {"diet": {"before": "sans_porc", "after": "vegetarien"}}


def test_read_only_and_hidden_fields_are_ignored_whatever_is_posted(commune_alpha, family):
    with inside(commune_alpha):
        FamilyEditPolicy.objects.create(field="household.city", mode="hidden")
        result = _submit(family, "household", family.household, "allocataire",
                         quotient_familial=1, allowance_scheme="caf",
                         allowance_number="AL908172")
        result_city = _submit(family, "household", family.household, "adresse",
                              city="Paris", address="3 rue des Écoles", postcode="22300")
        household = Household.objects.get(pk=family.household.pk)
        assert not ChangeRequest.objects.filter(household=family.household).exists()
    assert result.nothing and result_city.nothing
    assert household.quotient_familial == 742 and household.city == "Lannion"


def test_unknown_fields_of_another_card_are_ignored(commune_alpha, family):
    with inside(commune_alpha):
        result = _submit(family, "child", family.child, "regime", diet="sans_porc",
                         medical_notes="injecté", first_name="Pirate")
        child = Child.objects.get(pk=family.child.pk)
    assert result.nothing and child.first_name == "Théo" and child.medical_notes == ""


def test_a_validated_value_is_checked_now_not_by_the_agent(commune_alpha, family):
    future = timezone.localdate() + datetime.timedelta(days=30)
    with inside(commune_alpha), pytest.raises(ValidationError) as error:
        _submit(family, "child", family.child, "etat-civil", birth_date=future,
                last_name="Lefèvre", first_name="Théo", sex="", birth_place="Lannion")
    assert "La date de naissance est dans le futur." in str(error.value)
    with inside(commune_alpha):
        assert not ChangeRequest.objects.filter(child=family.child).exists()


def test_direct_and_validated_in_one_card_and_all_or_nothing(commune_alpha, family):
    with inside(commune_alpha):
        FamilyEditPolicy.objects.create(field="child.doctor_phone", mode="direct")
        result = _submit(family, "child", family.child, "sante", doctor_phone="02 96 00 00 00",
                         doctor_name="Dr Le Goff", has_pai=True, allergies="Arachide",
                         medical_notes="", vaccinations_up_to_date=False,
                         vaccinations_notes="")
        child = Child.objects.get(pk=family.child.pk)
        request = ChangeRequest.objects.get(child=family.child)
    assert result.applied == ["Téléphone du médecin"]
    assert result.requested == ["Médecin traitant"]
    assert child.doctor_phone == "02 96 00 00 00" and child.doctor_name == "Dr Martin"
    assert request.changes["doctor_name"] == {"before": "Dr Martin", "after": "Dr Le Goff"}


def test_a_second_submission_merges_into_the_pending_request(commune_alpha, family):
    with inside(commune_alpha):
        _submit(family, "child", family.child, "regime", diet="vegetarien")
        _submit(family, "child", family.child, "regime", diet="sans_viande")
        requests = list(ChangeRequest.objects.filter(child=family.child))
    assert len(requests) == 1
    assert requests[0].changes["diet"] == {"before": "sans_porc", "after": "sans_viande"}


def test_accept_applies_through_the_families_service_and_tells_the_parent(
    commune_alpha, family, alpha_agent
):
    with inside(commune_alpha):
        _submit(family, "child", family.child, "regime", diet="vegetarien")
        request = ChangeRequest.objects.get(child=family.child)
        services.change_request_accept(change_request=request, acting_user=alpha_agent)
        child = Child.objects.get(pk=family.child.pk)
        request.refresh_from_db()
        record = ChangeRecord.objects.filter(entity="child", entity_id=child.pk).first()
        email = OutboxMessage.objects.get(idempotency_key=f"change-request:{request.pk}:decision")
        with pytest.raises(ValidationError, match="déjà été traitée"):
            services.change_request_accept(change_request=request, acting_user=alpha_agent)
    assert child.diet == "vegetarien"
    assert (request.status, request.decided_by_id) == (ChangeStatus.ACCEPTED, alpha_agent.pk)
    assert record is not None and record.actor_id == alpha_agent.pk
    assert record.changes == {"diet": ["Sans porc", "Végétarien"]}
    assert email.recipients == [family.parent.email]
    assert "acceptée" in email.subject and "Régime alimentaire" in email.body_text


def test_refuse_needs_a_reason_sends_it_and_changes_nothing(commune_alpha, family, alpha_agent):
    with inside(commune_alpha):
        _submit(family, "child", family.child, "regime", diet="vegetarien")
        request = ChangeRequest.objects.get(child=family.child)
        with pytest.raises(ValidationError, match="motif"):
            services.change_request_refuse(change_request=request, reason="  ",
                                           acting_user=alpha_agent)
        services.change_request_refuse(change_request=request, reason="Certificat médical "
                                       "à fournir", acting_user=alpha_agent)
        child = Child.objects.get(pk=family.child.pk)
        request.refresh_from_db()
        email = OutboxMessage.objects.get(idempotency_key=f"change-request:{request.pk}:decision")
    assert child.diet == "sans_porc" and request.status == ChangeStatus.REFUSED
    assert "Certificat médical à fournir" in email.body_text and "refusée" in email.subject


def test_accept_of_a_value_that_became_invalid_leaves_the_request_pending(
    commune_alpha, family, other_family, alpha_agent
):
    with inside(commune_alpha):
        FamilyEditPolicy.objects.create(field="guardian.email", mode="validated")
        _submit(family, "guardian", family.mother, "coordonnees", email="nouveau@example.test",
                phone_mobile="06 12 34 56 78", phone_home="", phone_work="")
        Guardian.objects.filter(pk=other_family.father.pk).update(email="nouveau@example.test")
        request = ChangeRequest.objects.get(guardian=family.mother)
        with pytest.raises(ValidationError):
            services.change_request_accept(change_request=request, acting_user=alpha_agent)
        request.refresh_from_db()
    assert request.status == ChangeStatus.PENDING


def test_a_parent_changes_neither_the_other_guardian_nor_another_household(
    commune_alpha, family, other_family
):
    with inside(commune_alpha):
        with pytest.raises(PermissionDenied):
            _submit(family, "guardian", family.father, "coordonnees", phone_mobile="00")
        with pytest.raises(PermissionDenied):
            _submit(family, "child", other_family.child, "autorisations",
                    may_be_photographed=True)
        with pytest.raises(PermissionDenied):
            services.family_changes_submit(
                household=other_family.household, target="household",
                obj=other_family.household, category="adresse", data={"city": "Brest"},
                acting_user=family.parent)
        assert Guardian.objects.get(pk=family.father.pk).phone_mobile == "06 98 76 54 32"
        assert Household.objects.get(pk=other_family.household.pk).city == "Lannion"


def test_policy_update_keeps_rows_only_for_departures_and_refuses_impossible_modes(
    commune_alpha, alpha_admin
):
    with inside(commune_alpha):
        assert services.edit_policy_update(modes={"child.diet": "direct"},
                                           acting_user=alpha_admin) == 1
        assert edit_policy()["child.diet"] == "direct"
        services.edit_policy_update(modes={"child.diet": "validated"}, acting_user=alpha_admin)
        assert not FamilyEditPolicy.objects.filter(field="child.diet").exists()
        with pytest.raises(ValidationError):
            services.edit_policy_update(modes={"household.quotient_familial": "direct"},
                                        acting_user=alpha_admin)
        with pytest.raises(ValidationError):
            services.edit_policy_update(modes={"child.contacts": "validated"},
                                        acting_user=alpha_admin)
        assert edit_policy()["household.quotient_familial"] == "read_only"


def test_contacts_follow_their_policy(commune_alpha, family):
    with inside(commune_alpha):
        contact = services.portal_contact_add(
            household=family.household, child=family.child, name="Mamie Lefèvre",
            phone="06 00 00 00 01", role="both", relationship="grand-mère",
            acting_user=family.parent)
        assert ChangeRecord.objects.filter(entity="child", entity_id=family.child.pk,
                                           summary="Contact ajouté : Mamie Lefèvre").exists()
        FamilyEditPolicy.objects.create(field="child.contacts", mode="read_only")
        with pytest.raises(PermissionDenied):
            services.portal_contact_remove(household=family.household, contact=contact,
                                           acting_user=family.parent)
        assert ChildContact.objects.filter(pk=contact.pk).exists()
