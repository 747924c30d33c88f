"""Copy the ranking facts (hours, beds, verification, the service's needs) into the match index.

Existing rows get placeholder values (an empty location_type). This step used to rebuild the index with the
current derivation; 0004 changed the index's GiST indexes, which a rebuild drops and builds again by their
current names, so the rebuild moved to 0006 (which rebuilds exactly when placeholder rows exist).
"""

import django.contrib.postgres.fields
from django.db import migrations, models


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
        migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop),
    ]
