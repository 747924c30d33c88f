"""The sites' accessibility features in the match index (providers 0010), and the derivation of a database with
listings whose index was never derived (0014 did it before; at 1M services at locations about a quarter of an
hour, docs/benchmarks.md). A database already derived needs no rebuild: every site lists no feature yet, which
the new column's empty default already says. The functions and triggers are installed again, so that a site's
accessibility refreshes its rows."""

import django.contrib.postgres.fields
from django.db import migrations, models


def install_and_derive(apps, schema_editor):
    from matching import index

    index.install()
    derived = all(apps.get_model("matching", name).objects.exists() for name in ("MatchCandidate", "SearchDocument"))
    if apps.get_model("providers", "ServiceAtLocation").objects.exists() and not derived:
        index.match_index_rebuild()


class Migration(migrations.Migration):
    dependencies = [("matching", "0014_install_with_hours_dates"), ("providers", "0010_location_accessibility")]

    operations = [
        migrations.AddField(
            model_name="matchcandidate",
            name="accessibility",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=32), default=list, size=None
            ),
        ),
        migrations.RunPython(install_and_derive, migrations.RunPython.noop),
    ]
