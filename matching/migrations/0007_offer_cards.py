"""The offer cards (what a match result shows of an offer), and the derivation that fills them with the index.

On a database with listings, the match index and the cards are rebuilt by the current matching.index code, in
one transaction that locks both tables (4.5 minutes at 1M services at location). This takes over 0006's
rebuild (now a no-op): a registry at any earlier migration gets both from this one rebuild. It is the newest
migration that needs the derivation: a later one that changes the index's or the cards' columns, or what the
derivation reads, must take the rebuild over and make this one a no-op.
"""

import django.db.models.deletion
from django.db import migrations, models


def rebuild_if_listed(apps, schema_editor):
    if not apps.get_model("providers", "ServiceAtLocation").objects.exists():
        return
    from matching.index import match_index_rebuild

    match_index_rebuild()


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
        migrations.RunPython(rebuild_if_listed, migrations.RunPython.noop),
    ]
