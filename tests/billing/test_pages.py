"""Back-office and portal billing pages, per role: régisseur and administrator act, agent
reads, animateur and guardians never see the back office; guardians see their own
invoices only."""

import pytest
from django.utils import timezone

from tenant_apps.billing import runs
from tenant_apps.billing.models import Invoice, Payment, Tariff
from tenant_apps.families.models import Guardian
from tests.billing import support
from tests.billing.support import NOV_1, NOV_30
from tests.conftest import inside, logged_in_client, make_user

pytestmark = pytest.mark.django_db
BASE = "/gestion/facturation/"


@pytest.fixture
def regisseur(commune_alpha):
    return make_user(commune_alpha, role="regisseur")


@pytest.fixture
def issued(commune_alpha, regisseur):
    """Two households with issued November invoices; returns (invoice, other invoice)."""
    with inside(commune_alpha):
        service = support.service()
        support.tariff(service, regisseur, amount_cents=385)
        found = []
        for _ in range(2):
            household, child = support.family(service, email="parent@example.test")
            support.book_days(child, service, household, 3)
            found.append(household)
        run = runs.invoice_run_create(period_start=NOV_1, period_end=NOV_30,
                                      acting_user=regisseur, dispatch=False)
        runs.invoice_run_compute(run=run, acting_user=regisseur)
        runs.invoice_run_start_issue(run=run, acting_user=regisseur, dispatch=False)
        runs.invoice_run_issue(run=run, acting_user=regisseur, render_pdfs=False)
        return tuple(Invoice.objects.get(household=h) for h in found)


def test_roles_on_back_office_pages(commune_alpha, regisseur, issued):
    invoice, _ = issued
    pages = [BASE, f"{BASE}tarifs/", f"{BASE}factures/", f"{BASE}factures/{invoice.pk}/",
             f"{BASE}paiements/", f"{BASE}foyers/{invoice.household_id}/",
             f"{BASE}campagnes/{invoice.run_id}/"]
    for role, expected in [("regisseur", 200), ("administrator", 200), ("agent", 200),
                           ("read_only", 200), ("animateur", 403), ("guardian", 403)]:
        user = regisseur if role == "regisseur" else make_user(commune_alpha, role=role)
        client = logged_in_client(commune_alpha, user)
        for page in pages:
            assert client.get(page).status_code == expected, (role, page)
    agent = logged_in_client(commune_alpha, make_user(commune_alpha, role="agent"))
    assert agent.get(f"{BASE}campagnes/nouvelle/").status_code == 403
    assert agent.post(f"{BASE}factures/{invoice.pk}/avoir/",
                      {"reason": "x"}).status_code == 403
    body = agent.get(f"{BASE}factures/{invoice.pk}/").content.decode()
    assert "Établir l'avoir" not in body and "11,55" in body


def test_tariff_form_french_validation_and_overlap(commune_alpha, regisseur):
    with inside(commune_alpha):
        service = support.service()
    client = logged_in_client(commune_alpha, regisseur)
    url = f"{BASE}tarifs/nouveau/{service.pk}/"
    response = client.post(url, {"effective_from": "2026-09-01", "kind": "qf_brackets",
                                 "brackets": "500 ; 0,90\n900 ; 2,50\n ; 4,20",
                                 "sibling_discount_percent": "10"})
    assert response.status_code == 302
    with inside(commune_alpha):
        tariff = Tariff.objects.get(service=service)
        assert [b.amount_cents for b in tariff.brackets.all()] == [90, 250, 420]
    response = client.post(url, {"effective_from": "2027-01-01", "kind": "flat",
                                 "amount": "3,85"})
    assert response.status_code == 400
    assert "chevauche" in response.content.decode()
    response = client.post(url, {"effective_from": "2025-01-01", "effective_to": "2025-06-30",
                                 "kind": "flat", "amount": "trois"})
    assert response.status_code == 400 and "3,85" in response.content.decode()
    response = client.post(url, {"effective_from": "2025-01-01", "kind": "qf_brackets",
                                 "brackets": "abc"})
    assert response.status_code == 400 and "Ligne 1" in response.content.decode()


def test_run_pages_preview_then_confirm(commune_alpha, regisseur):
    with inside(commune_alpha):
        service = support.service()
        support.tariff(service, regisseur)
        household, child = support.family(service)
        support.book_days(child, service, household, 2)
    client = logged_in_client(commune_alpha, regisseur)
    data = {"period_start": "2026-11-01", "period_end": "2026-11-30"}
    response = client.post(f"{BASE}campagnes/nouvelle/", data)
    assert response.status_code == 200 and "2</strong> réservation" in response.content.decode()
    response = client.post(f"{BASE}campagnes/nouvelle/", {**data, "confirm": "1"})
    assert response.status_code == 302
    run_url = response["Location"]
    assert client.get(run_url + "progression/", HTTP_HX_REQUEST="true").status_code == 200
    response = client.post(f"{BASE}campagnes/nouvelle/", {**data, "confirm": "1"})
    assert response.status_code == 400 and "déjà ouverte" in response.content.decode()


def test_price_preview_endpoint(commune_alpha, regisseur):
    with inside(commune_alpha):
        service = support.service()
        support.tariff(service, regisseur, amount_cents=310)
        _, child = support.family(service)
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role="agent"))
    url = f"{BASE}apercu-prix/?enfant={child.pk}&prestation={service.pk}&jour=2026-11-02"
    assert client.get(url).json()["unit_cents"] == 310
    assert client.get(f"{BASE}apercu-prix/?enfant=x").status_code == 400
    assert client.get(url.replace("2026-11-02", "2026-01-05")).json()["unit_cents"] is None


def test_payment_allocation_receipt_and_statuses(commune_alpha, regisseur, issued):
    invoice, _ = issued
    client = logged_in_client(commune_alpha, regisseur)
    url = f"{BASE}foyers/{invoice.household_id}/paiement/?facture={invoice.pk}"
    response = client.post(url, {"method": "cheque", "amount": "5,00",
                                 "received_on": timezone.localdate().isoformat(), "reference": ""})
    assert response.status_code == 400 and "numéro du chèque" in response.content.decode()
    response = client.post(url, {"method": "cash", "amount": "5,00",
                                 "received_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    with inside(commune_alpha):
        payment = Payment.objects.get(household_id=invoice.household_id)
        assert payment.receipt_number.startswith("R")
    receipt = client.get(f"{BASE}paiements/{payment.pk}/").content.decode()
    assert "5,00" in receipt and invoice.number in receipt
    detail = client.get(f"{BASE}factures/{invoice.pk}/").content.decode()
    assert "Partiellement payé" in detail and "Reste dû : 6,55" in detail


def test_portal_mes_factures_is_own_household_only(commune_alpha, regisseur, issued):
    invoice, other = issued
    parent = make_user(commune_alpha, role="guardian")
    with inside(commune_alpha):
        Guardian.objects.filter(household_id=invoice.household_id).update(user=parent)
    client = logged_in_client(commune_alpha, parent)
    body = client.get("/factures/").content.decode()
    assert invoice.number in body and other.number not in body
    assert "0,00\u00a0€ payé sur 11,55\u00a0€" in body and "Enregistré" in body
    assert client.get(f"/factures/{other.pk}/pdf/").status_code == 404
    agent = logged_in_client(commune_alpha, make_user(commune_alpha, role="agent"))
    assert agent.get("/factures/").status_code == 403
    parent_bo = client.get(BASE)
    assert parent_bo.status_code == 403


def test_reminder_goes_through_the_outbox(commune_alpha, regisseur, issued):
    from tenant_apps.outbox.models import OutboxMessage

    invoice, _ = issued
    client = logged_in_client(commune_alpha, regisseur)
    assert client.post(f"{BASE}factures/{invoice.pk}/relance/").status_code == 302
    with inside(commune_alpha):
        message = OutboxMessage.objects.get(idempotency_key__startswith=
                                            f"invoice-reminder:{invoice.pk}:")
        assert message.recipients == ["parent@example.test"]
        assert invoice.number in message.subject and "11,55" in message.body_text


def test_api_invoices_and_price_preview(commune_alpha, regisseur, issued):
    invoice, other = issued
    agent = logged_in_client(commune_alpha, make_user(commune_alpha, role="agent"))
    rows = agent.get("/api/v1/facturation/factures/").json()
    assert {r["number"] for r in rows} >= {invoice.number, other.number}
    detail = agent.get(f"/api/v1/facturation/factures/{invoice.pk}/").json()
    assert detail["total_cents"] == sum(line["total_cents"] for line in detail["lines"]) == 1155
    assert detail["parent_status_label"] == "Enregistré"
    parent = make_user(commune_alpha, role="guardian")
    with inside(commune_alpha):
        Guardian.objects.filter(household_id=invoice.household_id).update(user=parent)
        child_id = invoice.lines.first().child_id
        other_child = other.lines.first().child_id
        service_id = invoice.lines.first().service_id
    client = logged_in_client(commune_alpha, parent)
    assert [r["number"] for r in client.get("/api/v1/facturation/factures/").json()] == [
        invoice.number]
    assert client.get(f"/api/v1/facturation/factures/{other.pk}/").status_code == 404
    url = "/api/v1/facturation/apercu-prix/?enfant={}&prestation={}&jour=2026-11-03"
    assert client.get(url.format(child_id, service_id)).json()["unit_cents"] == 385
    assert client.get(url.format(other_child, service_id)).status_code == 404
    assert client.get("/api/v1/facturation/apercu-prix/?enfant=a").status_code == 400
    animateur = logged_in_client(commune_alpha, make_user(commune_alpha, role="animateur"))
    assert animateur.get("/api/v1/facturation/factures/").status_code == 403


def test_billing_settings_for_administrators_only(commune_alpha, regisseur):
    admin = logged_in_client(commune_alpha, make_user(commune_alpha, role="administrator"))
    assert logged_in_client(commune_alpha, regisseur).get(f"{BASE}parametres/"
                                                          ).status_code == 403
    data = {"payment_info": "Régie en mairie.", "payment_term_days": "20",
            "establishment_code": "AB", "product_code": "93", "poste_comptable": "035031",
            "collectivity_siret": "123", "collectivity_code": "001", "budget_code": "00",
            "accounting_nature": "7067", "low_balance": "5,00"}
    response = admin.post(f"{BASE}parametres/", data)
    assert response.status_code == 400 and "14 chiffres" in response.content.decode()
    data["collectivity_siret"] = "21220113000019"
    assert admin.post(f"{BASE}parametres/", data).status_code == 302
    with inside(commune_alpha):
        from tenant_apps.billing.selectors import billing_settings_get

        row = billing_settings_get()
        assert (row.low_balance_cents, row.payment_term_days) == (500, 20)
