"""The search documents' name words (the type-ahead's prefix queries). It used to install the functions and derive
every derived table; 0012 does that now (the derivation uses what 0012 adds), so a database is derived once."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("matching", "0010_search_rebuild")]

    operations = [
        # Kept on a rollback (as the extensions in 0009): the installed functions, whichever code's, may write it.
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE matching_searchdocument ADD COLUMN IF NOT EXISTS name_words tsvector NOT NULL "
                    "DEFAULT ''",
                    migrations.RunSQL.noop,
                ),
                migrations.RunSQL(
                    "CREATE INDEX IF NOT EXISTS search_name_words_gin ON matching_searchdocument USING gin (name_words)",
                    migrations.RunSQL.noop,
                ),
            ],
            state_operations=[
                migrations.AddField(
                    model_name="searchdocument",
                    name="name_words",
                    field=django.contrib.postgres.search.SearchVectorField(default=""),
                    preserve_default=False,
                ),
                migrations.AddIndex(
                    model_name="searchdocument",
                    index=django.contrib.postgres.indexes.GinIndex(fields=["name_words"], name="search_name_words_gin"),
                ),
            ],
        ),
        migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop),
    ]
