"""The search documents (keyword search's derived table) and the extensions they need; 0010 derives them."""

import django.contrib.gis.db.models.fields
import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('matching', '0008_database_keeps_index'),
        ('providers', '0006_location_safe_texts'),
    ]

    operations = [
        # Trusted extensions: the database's owner may create them. Kept on a rollback: the functions of whichever
        # code is installed may still call them.
        migrations.RunSQL("CREATE EXTENSION IF NOT EXISTS unaccent", migrations.RunSQL.noop),
        migrations.RunSQL("CREATE EXTENSION IF NOT EXISTS pg_trgm", migrations.RunSQL.noop),
        migrations.CreateModel(
            name='SearchDocument',
            fields=[
                ('service_at_location', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='+', serialize=False, to='providers.serviceatlocation')),
                ('point', django.contrib.gis.db.models.fields.PointField(geography=True, null=True, spatial_index=False, srid=4326)),
                ('public_point', django.contrib.gis.db.models.fields.PointField(geography=True, null=True, spatial_index=False, srid=4326)),
                ('is_confidential', models.BooleanField()),
                ('names', models.TextField()),
                ('document', django.contrib.postgres.search.SearchVectorField()),
                ('withheld', django.contrib.postgres.search.SearchVectorField(null=True)),
                ('location', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='providers.location')),
                ('organization', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='providers.organization')),
                ('service', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='providers.service')),
            ],
            options={
                'indexes': [django.contrib.postgres.indexes.GinIndex(fields=['document'], name='search_document_gin'), django.contrib.postgres.indexes.GinIndex(fields=['withheld'], name='search_withheld_gin'), django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass('names', name='gin_trgm_ops'), name='search_names_trgm_gin'), django.contrib.postgres.indexes.GistIndex(fields=['point'], name='search_point_gist'), django.contrib.postgres.indexes.GistIndex(fields=['public_point'], name='search_public_point_gist')],
            },
        ),
    ]

