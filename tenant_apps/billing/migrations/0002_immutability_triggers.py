"""Database guards: an issued invoice and its lines never change; the prepaid ledger is
append-only. Services already refuse these writes; the triggers make it impossible for
any code path (or a manual UPDATE) to break them.

Function bodies avoid lines starting with "SET " or "--": the template clone replays
pg_dump's output and drops such lines."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION billing_invoice_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF OLD.status <> 'draft' THEN
                RAISE EXCEPTION 'invoice % is issued: it cannot be deleted', OLD.number;
            END IF;
            RETURN OLD;
        END IF;
        IF OLD.status <> 'draft' AND (
            NEW.status = 'draft'
            OR NEW.total_cents IS DISTINCT FROM OLD.total_cents
            OR NEW.household_id IS DISTINCT FROM OLD.household_id
            OR NEW.number IS DISTINCT FROM OLD.number
            OR NEW.period_start IS DISTINCT FROM OLD.period_start
            OR NEW.period_end IS DISTINCT FROM OLD.period_end
            OR NEW.kind IS DISTINCT FROM OLD.kind
            OR NEW.credited_invoice_id IS DISTINCT FROM OLD.credited_invoice_id
            OR NEW.issued_at IS DISTINCT FROM OLD.issued_at
            OR NEW.household_name IS DISTINCT FROM OLD.household_name
            OR NEW.household_address IS DISTINCT FROM OLD.household_address
        ) THEN
            RAISE EXCEPTION 'invoice % is issued: it is immutable', OLD.number;
        END IF;
        RETURN NEW;
    END
$$;
CREATE TRIGGER billing_invoice_guard BEFORE UPDATE OR DELETE ON billing_invoice
    FOR EACH ROW EXECUTE FUNCTION billing_invoice_guard();

CREATE OR REPLACE FUNCTION billing_invoiceline_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        parent_status text;
    BEGIN
        IF TG_OP = 'DELETE' THEN
            SELECT status INTO parent_status FROM billing_invoice WHERE id = OLD.invoice_id;
        ELSE
            SELECT status INTO parent_status FROM billing_invoice WHERE id = NEW.invoice_id;
        END IF;
        IF parent_status IS NOT NULL AND parent_status <> 'draft' THEN
            RAISE EXCEPTION 'lines of an issued invoice are immutable';
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END
$$;
CREATE TRIGGER billing_invoiceline_guard BEFORE INSERT OR UPDATE OR DELETE
    ON billing_invoiceline FOR EACH ROW EXECUTE FUNCTION billing_invoiceline_guard();

CREATE OR REPLACE FUNCTION billing_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'prepaid ledger entries are append-only';
    END
$$;
CREATE TRIGGER billing_ledger_append_only BEFORE UPDATE OR DELETE
    ON billing_prepaidledgerentry FOR EACH ROW EXECUTE FUNCTION billing_ledger_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS billing_ledger_append_only ON billing_prepaidledgerentry;
DROP FUNCTION IF EXISTS billing_ledger_append_only();
DROP TRIGGER IF EXISTS billing_invoiceline_guard ON billing_invoiceline;
DROP FUNCTION IF EXISTS billing_invoiceline_guard();
DROP TRIGGER IF EXISTS billing_invoice_guard ON billing_invoice;
DROP FUNCTION IF EXISTS billing_invoice_guard();
"""


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
