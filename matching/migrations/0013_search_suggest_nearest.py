"""The type-ahead reads the documents nearest a place from an index that holds what it needs (docs/search.md)."""

import django.contrib.postgres.indexes
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('matching', '0012_search_places'),
        ('providers', '0007_search_words'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='searchdocument',
            index=django.contrib.postgres.indexes.GistIndex(models.Func(models.F('public_point'), function='geometry'), include=('service_at_location_id', 'public_point', 'name_words'), name='search_suggest_nearest'),
        ),
    ]
