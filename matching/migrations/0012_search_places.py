"""Search documents filed by place (search_places: the cells of the point the public sees, as words, so a search
near a place reads the area's documents of a word), indexes for the sites without a point, and the names' words
with their counts (SearchWord, for misspelt words).
Installing the functions and deriving every derived table moved to 0014, the newest migration the derivation
needs (it reads the dates of hours, providers 0008); this one ran it before they existed."""

import django.contrib.postgres.indexes
from django.contrib.postgres.indexes import OpClass
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("matching", "0011_search_name_words"), ("providers", "0007_search_words")]

    operations = [
        # Misspelt words are matched against the names' distinct words (SearchWord) now, not every name.
        migrations.RemoveIndex(model_name="searchdocument", name="search_names_trgm_gin"),
        migrations.AddIndex(
            model_name="searchdocument",
            index=models.Index(
                condition=models.Q(("point__isnull", True)), fields=["service_at_location_id"], name="search_no_point"
            ),
        ),
        migrations.AddIndex(
            model_name="searchdocument",
            index=models.Index(
                condition=models.Q(("public_point__isnull", True)),
                fields=["service_at_location_id"],
                name="search_no_public_point",
            ),
        ),
        # Kept on a rollback (as 0011's column): the triggers the installed functions come with write it.
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "CREATE TABLE IF NOT EXISTS matching_searchword (word text PRIMARY KEY, documents integer NOT NULL)",
                    migrations.RunSQL.noop,
                ),
                migrations.RunSQL(
                    "CREATE INDEX IF NOT EXISTS search_word_trgm_gin ON matching_searchword USING gin (word gin_trgm_ops)",
                    migrations.RunSQL.noop,
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="SearchWord",
                    fields=[
                        ("word", models.TextField(primary_key=True, serialize=False)),
                        ("documents", models.IntegerField()),
                    ],
                    options={
                        "indexes": [
                            django.contrib.postgres.indexes.GinIndex(
                                OpClass("word", name="gin_trgm_ops"), name="search_word_trgm_gin"
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop),
    ]
