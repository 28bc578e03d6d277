"""unaccent lives in the public schema, next to pg_trgm, with an IMMUTABLE wrapper so that
commune schemas can index `public.f_unaccent(name)` with trigram operator classes: search
for "Helene" finds "Hélène" through the index."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;
CREATE OR REPLACE FUNCTION public.f_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;
"""


class Migration(migrations.Migration):
    # 0003 (backup interval) was added by the backups work at the same time: depend on it
    # so the tenants app keeps a single leaf.
    dependencies = [("tenants", "0003_commune_backup_interval_minutes")]

    operations = [
        migrations.RunSQL(CREATE, reverse_sql="DROP FUNCTION IF EXISTS public.f_unaccent(text)")
    ]
