"""The trigram index on organization names that 0001 created: names are compared per state in Python
(stewardship.duplicates), and the index only slowed every write of an organization."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("stewardship", "0001_duplicate_candidates")]

    operations = [
        migrations.RunSQL(
            "DROP INDEX IF EXISTS organization_name_trgm",
            "CREATE INDEX IF NOT EXISTS organization_name_trgm ON providers_organization USING gin (lower(name) gin_trgm_ops)",
        )
    ]
