"""Copy the ranking facts (hours, beds, verification, the service's needs) into the match index.

Existing rows get placeholder values and the whole index is rebuilt at the end, so every row holds its
real facts when the migration commits.
"""

import django.contrib.postgres.fields
from django.db import migrations, models


def rebuild(apps, schema_editor):
    # The index's current rebuild (GiST indexes dropped and built again around the load): this is the newest
    # migration touching the index's columns. A later one that changes them must rebuild again, and make
    # this step a no-op, as 0002 is.
    # A new database has no listings yet (nothing to derive, and the current derivation may read columns
    # that later migrations add): only databases with listings rebuild here.
    if not apps.get_model("providers", "ServiceAtLocation").objects.exists():
        return
    from matching.index import match_index_rebuild

    match_index_rebuild()


class Migration(migrations.Migration):
    dependencies = [("matching", "0002_build_index"), ("providers", "0005_self_service")]

    operations = [
        migrations.AddField("matchcandidate", "location_type", models.CharField(max_length=16, default="")),
        migrations.AddField("matchcandidate", "latitude", models.FloatField(null=True)),
        migrations.AddField("matchcandidate", "longitude", models.FloatField(null=True)),
        migrations.AddField("matchcandidate", "public_latitude", models.FloatField(null=True)),
        migrations.AddField("matchcandidate", "public_longitude", models.FloatField(null=True)),
        migrations.AddField("matchcandidate", "time_zone", models.CharField(max_length=64, default="")),
        migrations.AddField("matchcandidate", "open_24_7", models.BooleanField(default=False)),
        migrations.AddField("matchcandidate", "beds_total", models.PositiveIntegerField(null=True)),
        migrations.AddField("matchcandidate", "beds_available", models.PositiveIntegerField(null=True)),
        migrations.AddField("matchcandidate", "last_verified_on", models.DateField(null=True)),
        migrations.AddField("matchcandidate", "interpretation", models.BooleanField(default=False)),
        migrations.AddField(
            "matchcandidate",
            "service_needs",
            django.contrib.postgres.fields.ArrayField(base_field=models.IntegerField(), default=list),
        ),
        migrations.AddField(
            "matchcandidate",
            "hours",
            django.contrib.postgres.fields.ArrayField(
                base_field=django.contrib.postgres.fields.ArrayField(base_field=models.IntegerField(), size=3),
                default=list,
            ),
        ),
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]
