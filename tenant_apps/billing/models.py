"""Billing: tariffs, invoice runs, invoices and their lines, payments, groups and
deposits, and the prepaid ledger. Amounts are integer euro cents.

Issued invoices are immutable: the database refuses (trigger, migration 0002) any change
of an issued invoice's amounts, household, number or period, any change to its lines,
and any deletion. Prepaid ledger entries are append-only (same migration)."""

from django.conf import settings
from django.db import models

from tenant_apps.billing import pricing


class TariffKind(models.TextChoices):
    FLAT = pricing.FLAT, "Prix fixe"
    QF_BRACKETS = pricing.QF_BRACKETS, "Tranches de quotient familial"
    EFFORT_RATE = pricing.EFFORT_RATE, "Taux d'effort"


class Tariff(models.Model):
    """The price of one service over a dated period (periods never overlap per service)."""

    service = models.ForeignKey("catalog.Service", on_delete=models.PROTECT,
                                related_name="tariffs", verbose_name="prestation")
    label = models.CharField("libellé", max_length=120, blank=True)
    effective_from = models.DateField("applicable du")
    effective_to = models.DateField("au (inclus)", null=True, blank=True)
    kind = models.CharField("type de tarif", max_length=20, choices=TariffKind.choices,
                            default=TariffKind.FLAT)
    amount_cents = models.PositiveIntegerField("prix (centimes)", default=0)
    effort_rate_percent = models.DecimalField("taux d'effort (% du QF)", max_digits=7,
                                              decimal_places=4, default=0)
    floor_cents = models.PositiveIntegerField("prix plancher (centimes)", default=0)
    ceiling_cents = models.PositiveIntegerField("prix plafond (centimes)", default=0)
    non_resident_cents = models.PositiveIntegerField("tarif hors commune (centimes)",
                                                     null=True, blank=True)
    pai_cents = models.PositiveIntegerField("tarif PAI (centimes)", null=True, blank=True)
    sibling_discount_percent = models.DecimalField("réduction fratrie (%)", max_digits=5,
                                                   decimal_places=2, default=0)
    unbooked_presence_penalty_cents = models.PositiveIntegerField(
        "majoration présence sans réservation (centimes)", default=0)
    late_cancel_penalty_cents = models.PositiveIntegerField(
        "pénalité annulation tardive (centimes)", default=0)
    bill_unjustified_absence = models.BooleanField("facturer les absences non justifiées",
                                                   default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["service_id", "-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="tariff_dates_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(sibling_discount_percent__gte=0)
                & models.Q(sibling_discount_percent__lte=100),
                name="tariff_sibling_percent",
            ),
        ]

    def __str__(self) -> str:
        return self.label or f"Tarif du {self.effective_from:%d/%m/%Y}"


class TariffBracket(models.Model):
    tariff = models.ForeignKey(Tariff, on_delete=models.CASCADE, related_name="brackets")
    qf_max = models.PositiveIntegerField("QF jusqu'à (inclus)", null=True, blank=True)
    amount_cents = models.PositiveIntegerField("prix (centimes)")

    class Meta:
        ordering = [models.F("qf_max").asc(nulls_last=True)]

    def __str__(self) -> str:
        return f"≤ {self.qf_max}: {self.amount_cents}"


class RunStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    COMPUTING = "computing", "Calcul en cours"
    COMPUTED = "computed", "Brouillons prêts"
    ISSUING = "issuing", "Émission en cours"
    ISSUED = "issued", "Émise"
    FAILED = "failed", "En échec"


class InvoiceRun(models.Model):
    """A facturation campaign over a period: computes drafts, then issues them."""

    period_start = models.DateField("du")
    period_end = models.DateField("au")
    status = models.CharField(max_length=20, choices=RunStatus.choices,
                              default=RunStatus.PENDING)
    households_total = models.PositiveIntegerField(default=0)
    households_done = models.PositiveIntegerField(default=0)
    invoices_count = models.PositiveIntegerField(default=0)
    total_cents = models.BigIntegerField(default=0)
    pdfs_done = models.PositiveIntegerField(default=0)
    # What the agent should know: bookings without a tariff, households skipped...
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")),
                                   name="run_period_ordered"),
        ]

    def __str__(self) -> str:
        return f"Facturation du {self.period_start:%d/%m/%Y} au {self.period_end:%d/%m/%Y}"

    @property
    def progress_percent(self) -> int:
        if self.status == RunStatus.ISSUING:
            done, total = self.pdfs_done, self.invoices_count
        else:
            done, total = self.households_done, self.households_total
        return 100 if not total else min(100, round(100 * done / total))

    @property
    def busy(self) -> bool:
        return self.status in (RunStatus.PENDING, RunStatus.COMPUTING, RunStatus.ISSUING)


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    ISSUED = "issued", "Émise"
    CANCELLED = "cancelled", "Annulée"


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", "Facture"
    CREDIT_NOTE = "credit_note", "Avoir"


class InvoiceGroup(models.Model):
    """The invoices of a run (groupe de factures); deposited once, then frozen."""

    run = models.OneToOneField(InvoiceRun, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="group")
    label = models.CharField("libellé", max_length=150)
    period_start = models.DateField()
    period_end = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start", "-id"]

    def __str__(self) -> str:
        return self.label


class Invoice(models.Model):
    household = models.ForeignKey("families.Household", on_delete=models.PROTECT,
                                  related_name="invoices")
    run = models.ForeignKey(InvoiceRun, null=True, blank=True, on_delete=models.PROTECT,
                            related_name="invoices")
    group = models.ForeignKey(InvoiceGroup, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="invoices")
    period_start = models.DateField()
    period_end = models.DateField()
    kind = models.CharField(max_length=20, choices=InvoiceKind.choices,
                            default=InvoiceKind.INVOICE)
    status = models.CharField(max_length=20, choices=InvoiceStatus.choices,
                              default=InvoiceStatus.DRAFT)
    credited_invoice = models.ForeignKey("self", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="credit_notes")
    # Gap-free per year and kind: "F2026-000042" (invoices), "A2026-000003" (credit notes).
    number = models.CharField(max_length=20, null=True, blank=True, unique=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    sequence = models.PositiveIntegerField(null=True, blank=True)
    total_cents = models.BigIntegerField(default=0)
    # Snapshot at issue: the PDF and exports keep what was true that day.
    household_name = models.CharField(max_length=150, blank=True)
    household_address = models.TextField(blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    pdf_file = models.CharField(max_length=250, blank=True)  # storage name, set at issue
    # Hook for online payment (PayFiP): an operation started and not yet settled.
    payment_pending_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(number__isnull=False),
                name="invoice_issued_has_number",
            ),
            models.UniqueConstraint(fields=["year", "kind", "sequence"],
                                    name="invoice_sequence_unique"),
        ]
        indexes = [models.Index(fields=["household", "status"], name="invoice_household_idx")]

    def __str__(self) -> str:
        return self.number or f"Brouillon {self.pk}"


class LineKind(models.TextChoices):
    SERVICE = "service", "Prestation"
    PENALTY = "penalty", "Pénalité"
    CREDIT = "credit", "Avoir"


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=10, choices=LineKind.choices, default=LineKind.SERVICE)
    child = models.ForeignKey("families.Child", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey("catalog.Service", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    booking = models.ForeignKey("bookings.Booking", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="invoice_lines")
    day = models.DateField(null=True, blank=True)
    label = models.CharField(max_length=200)
    quantity = models.IntegerField(default=1)
    unit_cents = models.BigIntegerField()
    total_cents = models.BigIntegerField()

    class Meta:
        ordering = ["child_id", "service_id", "day", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total_cents=models.F("quantity") * models.F("unit_cents")),
                name="line_total_is_quantity_times_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class InvoiceNumberCounter(models.Model):
    """Last number used per year and series; locked FOR UPDATE while numbering (gap-free)."""

    year = models.PositiveSmallIntegerField()
    series = models.CharField(max_length=20)  # invoice | credit_note | receipt | deposit
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "series"], name="counter_unique")]

    def __str__(self) -> str:
        return f"{self.series} {self.year}: {self.last_value}"


class PaymentMethod(models.TextChoices):
    CASH = "cash", "Espèces"
    CHEQUE = "cheque", "Chèque"
    CESU = "cesu", "CESU"
    CARD = "card", "Carte bancaire (guichet)"
    TRANSFER = "transfer", "Virement"
    # Recorded by the payments app only, never typed in by the régisseur.
    ONLINE = "payfip", "Paiement en ligne (PayFiP)"
    DIRECT_DEBIT = "sepa", "Prélèvement SEPA"
    # Prepaid mode: the invoice is settled from the household's account at issue.
    PREPAID = "prepaid", "Compte prépayé"


# What the régisseur records at the counter (the payment and top-up forms).
COUNTER_PAYMENT_METHODS = [
    (m.value, m.label) for m in PaymentMethod
    if m not in (PaymentMethod.ONLINE, PaymentMethod.DIRECT_DEBIT, PaymentMethod.PREPAID)
]


class Payment(models.Model):
    """Money received by the régisseur; allocated to invoices of the household."""

    household = models.ForeignKey("families.Household", on_delete=models.PROTECT,
                                  related_name="payments")
    method = models.CharField("moyen de paiement", max_length=20,
                              choices=PaymentMethod.choices)
    amount_cents = models.BigIntegerField("montant (centimes)")
    received_on = models.DateField("reçu le")
    reference = models.CharField("référence (n° de chèque…)", max_length=80, blank=True)
    payer_name = models.CharField("payé par", max_length=150, blank=True)
    receipt_number = models.CharField(max_length=20, unique=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount_cents__gt=0),
                                              name="payment_positive")]

    def __str__(self) -> str:
        return self.receipt_number


class PaymentAllocation(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount_cents = models.BigIntegerField()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(amount_cents__gt=0),
                                              name="allocation_positive")]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.invoice_id}: {self.amount_cents}"


class PaymentReversal(models.Model):
    """A payment that did not hold (cheque returned unpaid, SEPA rejet after the collection
    was confirmed…). Payments are never edited nor deleted: the reversal is appended, and
    a reversed payment no longer counts towards what its invoices have received."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="reversal")
    reason = models.CharField("motif", max_length=200)
    reversed_on = models.DateField("date du rejet")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"annulation {self.payment_id}"


class InvoiceReminder(models.Model):
    """A relance sent for an unpaid invoice (the email itself is an outbox row)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="reminders")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    due_cents = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"relance {self.invoice_id}"


class Deposit(models.Model):
    """Dépôt of a group: freezes it, numbered gap-free, carries the export file."""

    group = models.OneToOneField(InvoiceGroup, on_delete=models.PROTECT, related_name="deposit")
    number = models.CharField(max_length=20, unique=True)
    billing_mode = models.CharField(max_length=20)
    export_file = models.CharField(max_length=250, blank=True)
    export_name = models.CharField(max_length=120, blank=True)
    invoices_count = models.PositiveIntegerField()
    total_cents = models.BigIntegerField()
    deposited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    deposited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-deposited_at"]

    def __str__(self) -> str:
        return self.number


class LedgerKind(models.TextChoices):
    TOP_UP = "top_up", "Rechargement"
    DEBIT = "debit", "Débit"
    CREDIT = "credit", "Crédit"


class PrepaidLedgerEntry(models.Model):
    """Append-only movement of a household's prepaid account; the balance is their SUM."""

    household = models.ForeignKey("families.Household", on_delete=models.PROTECT,
                                  related_name="ledger_entries")
    kind = models.CharField(max_length=10, choices=LedgerKind.choices)
    amount_cents = models.BigIntegerField()  # + credits the account, - debits it
    label = models.CharField(max_length=200)
    booking = models.ForeignKey("bookings.Booking", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=20, blank=True)
    receipt_number = models.CharField(max_length=20, blank=True)
    # What caused it, once: "debit:<booking>", "closure:<id>:<booking>", "topup:<uuid>".
    source_key = models.CharField(max_length=120, unique=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["household", "created_at"], name="ledger_household_idx")]

    def __str__(self) -> str:
        return f"{self.household_id} {self.kind} {self.amount_cents}"


class BillingSettings(models.Model):
    """The commune's billing parameters (one row): payment texts, Hélios codes for the
    perception mode (ask the SGC), prepaid threshold."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    payment_info = models.TextField(
        "comment payer (texte imprimé sur les factures)", blank=True,
        default="Règlement auprès de la régie, en mairie, aux heures d'ouverture.")
    payment_term_days = models.PositiveSmallIntegerField("délai de paiement (jours)", default=30)
    establishment_code = models.CharField("code établissement (Hélios)", max_length=3,
                                          default="001")
    product_code = models.CharField("code produit local (CodProdLoc)", max_length=4,
                                    default="01")
    poste_comptable = models.CharField("poste comptable (IdPost)", max_length=7,
                                       default="000000")
    collectivity_siret = models.CharField("SIRET de la collectivité", max_length=14,
                                          blank=True)
    collectivity_code = models.CharField("code collectivité (CodCol)", max_length=3,
                                         default="001")
    budget_code = models.CharField("code budget (CodBud)", max_length=10, default="00")
    accounting_nature = models.CharField("nature comptable", max_length=10, default="7067")
    low_balance_cents = models.PositiveIntegerField(
        "seuil d'alerte du compte prépayé (centimes)", default=1000)

    class Meta:
        verbose_name = "paramètres de facturation"

    def __str__(self) -> str:
        return "Paramètres de facturation"
