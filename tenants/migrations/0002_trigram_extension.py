"""pg_trgm lives in the public schema, once per database, so that every commune schema
(whose search_path ends with public) can use its operator classes for name search."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tenants", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public",
            reverse_sql=migrations.RunSQL.noop,
        )
    ]
