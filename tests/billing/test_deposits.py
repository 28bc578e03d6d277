"""PDFs stored at issue and served on reprint; deposits freeze a group and export it
(régie CSV, perception PES with the final avis carrying the Datamatrix). Totals reconcile
to the cent: lines = invoices = group = export."""

import contextlib
import io
import re
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db.models import Sum

from tenant_apps.billing import deposits, runs
from tenant_apps.billing.formats.datamatrix import datamatrix_payload
from tenant_apps.billing.formats.regie_csv import parse_regie_csv
from tenant_apps.billing.models import Invoice, InvoiceGroup, InvoiceLine
from tenant_apps.billing.printing import invoice_document, invoice_pdf_bytes
from tests.billing import support
from tests.billing.support import NOV_1, NOV_30
from tests.conftest import inside, logged_in_client, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def regisseur(commune_alpha):
    return make_user(commune_alpha, role="regisseur")


@contextlib.contextmanager
def billing_mode(commune, mode: str) -> Iterator[None]:
    """The in-memory tenant in `mode` (never saved: the shared commune stays as it is)."""
    previous = commune.billing_mode
    commune.billing_mode = mode
    try:
        with inside(commune):
            yield
    finally:
        commune.billing_mode = previous


def _issue(regisseur, households: int = 3, days: int = 5) -> InvoiceGroup:
    service = support.service()
    support.tariff(service, regisseur, amount_cents=417)
    for _ in range(households):
        household, child = support.family(service)
        support.book_days(child, service, household, days)
    run = runs.invoice_run_create(period_start=NOV_1, period_end=NOV_30, acting_user=regisseur,
                                  dispatch=False)
    runs.invoice_run_compute(run=run, acting_user=regisseur)
    runs.invoice_run_start_issue(run=run, acting_user=regisseur, dispatch=False)
    runs.invoice_run_issue(run=run, acting_user=regisseur)
    return InvoiceGroup.objects.get(run=run)


def test_regie_pdf_stored_at_issue_reprint_serves_it_and_csv_reconciles(commune_alpha,
                                                                        regisseur, tmp_path):
    with billing_mode(commune_alpha, "regie"):
        group = _issue(regisseur)
        invoices = list(Invoice.objects.filter(group=group).order_by("number"))
        # stored under the commune's prefix (CommuneS3Storage adds it to every key)
        assert all(re.fullmatch(rf"billing/invoices/{i.year}/{i.number}-[0-9a-f]{{10}}\.pdf",
                                i.pdf_file) for i in invoices)
        stored = invoice_pdf_bytes(invoices[0])
        assert stored.startswith(b"%PDF")
        # reprint = the stored file, even if the layout or the data changed since
        with default_storage.open(invoices[0].pdf_file, "wb") as handle:
            handle.write(b"%PDF-1.7 stored copy")
        assert invoice_pdf_bytes(invoices[0]) == b"%PDF-1.7 stored copy"
        deposit = deposits.deposit_create(group=group, acting_user=regisseur, dispatch=False)
        assert deposit.number.startswith("D")
        rows, totals = parse_regie_csv(deposits.deposit_export_bytes(deposit))
        lines_total = InvoiceLine.objects.filter(invoice__group=group).aggregate(
            s=Sum("total_cents"))["s"]
        assert lines_total == sum(i.total_cents for i in invoices) == deposit.total_cents \
            == totals.total_cents == sum(r.total_cents for r in rows) == 3 * 5 * 417
        with pytest.raises(ValidationError, match="déjà déposé"):
            deposits.deposit_create(group=group, acting_user=regisseur, dispatch=False)
    client = logged_in_client(commune_alpha, regisseur)
    response = client.get(f"/gestion/facturation/depots/{deposit.pk}/export/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    # operators' command writes the stored file
    out = tmp_path / "facture.pdf"
    call_command("export_invoice_pdf", slug="alpha", number=invoices[0].number, out=str(out))
    assert out.read_bytes() == b"%PDF-1.7 stored copy"
    with pytest.raises(CommandError, match="Aucune facture"):
        call_command("export_invoice_pdf", slug="alpha", number="F1999-000001", out=str(out))


def test_perception_draft_watermark_until_deposit_then_pes_and_datamatrix(commune_alpha,
                                                                          regisseur):
    from PIL import Image
    from pylibdmtx.pylibdmtx import decode

    from tests.billing.formats import samples

    with billing_mode(commune_alpha, "perception"):
        group = _issue(regisseur, households=2, days=3)
        invoice = Invoice.objects.filter(group=group).order_by("number").first()
        assert invoice.pdf_file.endswith("-brouillon.pdf")
        assert invoice_document(invoice).draft is True
        deposit = deposits.deposit_create(group=group, acting_user=regisseur, dispatch=False)
        xml = deposits.deposit_export_bytes(deposit)
        assert b"PES_Aller" in xml and invoice.number.encode() in xml
        assert deposits.deposit_render_final_pdfs(deposit_id=deposit.pk) == 2
        invoice.refresh_from_db()
        assert not invoice.pdf_file.endswith("-brouillon.pdf")
        document = invoice_document(Invoice.objects.get(pk=invoice.pk))
        assert document.draft is False and document.datamatrix is not None
        assert document.datamatrix.amount_cents == invoice.total_cents == 3 * 417
        pdf = invoice_pdf_bytes(invoice)
        codes = []
        for page in samples.rasterise(pdf, dpi=200):
            image = Image.open(io.BytesIO(page)).convert("L")
            codes += [c.data.decode("ascii") for c in decode(image, timeout=20_000,
                                                             max_count=1)]
        assert codes == [datamatrix_payload(document.datamatrix)]
        # the piece in the PES carries the same debt number as the Datamatrix
        assert document.datamatrix.debt.pes_num_dette.encode() in xml
