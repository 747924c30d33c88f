"""The offer cards (what a match result shows of an offer), and the derivation that fills them with the index.

It used to rebuild the index and the cards on a database with listings; 0008 took that over (the rebuild now
runs in the database, by functions 0008 installs).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('matching', '0006_rebuild_index'),
        ('providers', '0005_self_service'),
    ]

    operations = [
        migrations.CreateModel(
            name='OfferCard',
            fields=[
                ('service_at_location', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='providers.serviceatlocation')),
                ('service_name', models.TextField()),
                ('organization_name', models.TextField()),
                ('location_name', models.TextField()),
                ('address_type', models.TextField(null=True)),
                ('attention', models.TextField(null=True)),
                ('address_1', models.TextField(null=True)),
                ('address_2', models.TextField(null=True)),
                ('city', models.TextField(null=True)),
                ('region', models.TextField(null=True)),
                ('state_province', models.TextField(null=True)),
                ('postal_code', models.TextField(null=True)),
                ('country', models.TextField(null=True)),
                ('site_phone', models.TextField(null=True)),
                ('site_phone_extension', models.TextField(null=True)),
                ('site_phone_type', models.TextField(null=True)),
                ('site_phone_is_front_door', models.BooleanField(null=True)),
                ('service_phone', models.TextField(null=True)),
                ('service_phone_extension', models.TextField(null=True)),
                ('service_phone_type', models.TextField(null=True)),
                ('service_phone_is_front_door', models.BooleanField(null=True)),
                ('organization_phone', models.TextField(null=True)),
                ('organization_phone_extension', models.TextField(null=True)),
                ('organization_phone_type', models.TextField(null=True)),
                ('organization_phone_is_front_door', models.BooleanField(null=True)),
                ('location', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='providers.location')),
                ('organization', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='providers.organization')),
                ('service', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='providers.service')),
            ],
        ),
        migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop),
    ]
