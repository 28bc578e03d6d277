"""Online payment (PayFiP) operations and settings, SEPA mandates and debit runs.

A PayfipOperation is one attempt (one idOp, never reused). Only the provider's answer
to recupererDetailPaiementSecurise moves it out of "pending"; a paid operation credits
one Payment (or one prepaid top-up) at most: the FKs are UNIQUE."""

from django.conf import settings
from django.db import models

from tenant_apps.payments import rules


class OperationStatus(models.TextChoices):
    PENDING = rules.PENDING, "En attente de PayFiP"
    PAID = rules.PAID, "Payé"
    REFUSED = rules.REFUSED, "Refusé"
    ABANDONED = rules.ABANDONED, "Abandonné"
    EXPIRED = rules.EXPIRED, "Expiré"
    ANOMALY = rules.ANOMALY, "Anomalie"


class OperationKind(models.TextChoices):
    INVOICE = "invoice", "Facture"
    TOP_UP = "top_up", "Rechargement du compte prépayé"


class PayfipMode(models.TextChoices):
    TEST = rules.MODE_TEST, "Test (T)"
    ACTIVATION = rules.MODE_ACTIVATION, "Activation (X)"
    PRODUCTION = rules.MODE_PRODUCTION, "Production (W)"


class PayfipSettings(models.Model):
    """The commune's PayFiP contract (one row), set by an administrator."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    enabled = models.BooleanField("paiement en ligne activé", default=False)
    client_number = models.CharField("numéro client PayFiP (numcli)", max_length=6,
                                     blank=True)
    mode = models.CharField("mode", max_length=1, choices=PayfipMode.choices,
                            default=PayfipMode.TEST)
    label_prefix = models.CharField("libellé sur le relevé", max_length=60,
                                    default="Cantine periscolaire")
    creditor_identifier = models.CharField("identifiant créancier SEPA (ICS)", max_length=35,
                                           blank=True)
    creditor_name = models.CharField("nom du créancier (régie)", max_length=70, blank=True)
    creditor_iban = models.CharField("IBAN de la régie", max_length=34, blank=True)
    creditor_bic = models.CharField("BIC de la régie", max_length=11, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "paramètres PayFiP"

    def __str__(self) -> str:
        return f"PayFiP {self.client_number or '—'} ({self.mode})"


class PayfipOperation(models.Model):
    """One PayFiP attempt: created with the provider, then settled by its answer."""

    kind = models.CharField(max_length=10, choices=OperationKind.choices,
                            default=OperationKind.INVOICE)
    household = models.ForeignKey("families.Household", on_delete=models.PROTECT,
                                  related_name="payfip_operations")
    invoice = models.ForeignKey("billing.Invoice", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="payfip_operations")
    id_op = models.CharField("idOp", max_length=64, unique=True, null=True, blank=True)
    refdet = models.CharField(max_length=30, unique=True, null=True, blank=True)
    exer = models.CharField(max_length=4)
    numcli = models.CharField(max_length=6)
    mode = models.CharField(max_length=1, choices=PayfipMode.choices)
    amount_cents = models.BigIntegerField()
    email = models.EmailField()
    status = models.CharField(max_length=10, choices=OperationStatus.choices,
                              default=OperationStatus.PENDING)
    anomaly = models.TextField("anomalie", blank=True)
    provider_answer = models.JSONField(default=dict, blank=True)
    result_code = models.CharField(max_length=4, blank=True)
    authorisation_number = models.CharField(max_length=20, blank=True)
    payment = models.OneToOneField("billing.Payment", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="payfip_operation")
    ledger_entry = models.OneToOneField("billing.PrepaidLedgerEntry", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    checks_count = models.PositiveIntegerField(default=0)
    settled_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField("anomalie traitée le", null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_cents__gt=0),
                                   name="payfip_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(kind="top_up") | models.Q(invoice__isnull=False),
                name="payfip_invoice_operation_has_invoice"),
            models.CheckConstraint(
                condition=~models.Q(status="paid")
                | models.Q(payment__isnull=False) | models.Q(ledger_entry__isnull=False),
                name="payfip_paid_is_credited"),
        ]
        indexes = [models.Index(fields=["status", "checked_at"], name="payfip_status_idx")]

    def __str__(self) -> str:
        return self.id_op or f"opération {self.pk}"


class PayfipCall(models.Model):
    """Audit of every call to the provider and every notification received."""

    operation = models.ForeignKey(PayfipOperation, null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="calls")
    action = models.CharField(max_length=40)
    outcome = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.outcome}"


class MandateSequence(models.TextChoices):
    FRST = "FRST", "Premier prélèvement (FRST)"
    RCUR = "RCUR", "Récurrent (RCUR)"


class MandateStatus(models.TextChoices):
    REQUESTED = "requested", "Demandé par la famille"
    ACTIVE = "active", "Actif"
    REVOKED = "revoked", "Révoqué"


class Mandate(models.Model):
    """A SEPA direct debit mandate of a household (RUM unique per creditor)."""

    household = models.ForeignKey("families.Household", on_delete=models.PROTECT,
                                  related_name="sepa_mandates")
    rum = models.CharField("référence unique de mandat (RUM)", max_length=35, unique=True)
    holder_name = models.CharField("titulaire du compte", max_length=70)
    iban = models.CharField("IBAN", max_length=34)
    bic = models.CharField("BIC", max_length=11, blank=True)
    signed_on = models.DateField("signé le", null=True, blank=True)
    sequence = models.CharField(max_length=4, choices=MandateSequence.choices,
                                default=MandateSequence.FRST)
    status = models.CharField(max_length=10, choices=MandateStatus.choices,
                              default=MandateStatus.REQUESTED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.rum


class DebitRun(models.Model):
    """A pain.008 file for the invoices of a deposited group."""

    group = models.ForeignKey("billing.InvoiceGroup", on_delete=models.PROTECT,
                              related_name="debit_runs")
    collection_date = models.DateField("date de prélèvement")
    total_cents = models.BigIntegerField(default=0)
    count = models.PositiveIntegerField(default=0)
    file_xml = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Prélèvement du {self.collection_date:%d/%m/%Y}"


class DebitItem(models.Model):
    run = models.ForeignKey(DebitRun, on_delete=models.CASCADE, related_name="items")
    invoice = models.ForeignKey("billing.Invoice", on_delete=models.PROTECT, related_name="+")
    mandate = models.ForeignKey(Mandate, on_delete=models.PROTECT, related_name="+")
    amount_cents = models.BigIntegerField()
    sequence = models.CharField(max_length=4)
    end_to_end_id = models.CharField(max_length=35, unique=True)
    payment = models.OneToOneField("billing.Payment", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    returned_at = models.DateTimeField("rejeté le", null=True, blank=True)
    return_reason = models.CharField(max_length=120, blank=True)

    def __str__(self) -> str:
        return self.end_to_end_id
