"""Search documents filed by place (search_places: the cells of the point the public sees, as words, so a search
near a place reads the area's documents of a word), stored by place, and indexes for the sites without a point.
Installs the functions and derives every derived table once on a database with listings (the newest migration
that needs the derivation; at 1M services at locations about a quarter of an hour: docs/benchmarks.md)."""

from django.db import migrations, models


def install_and_rebuild(apps, schema_editor):
    from matching import index

    index.install()
    if apps.get_model("providers", "ServiceAtLocation").objects.exists():
        index.match_index_rebuild()


class Migration(migrations.Migration):
    dependencies = [("matching", "0011_search_name_words"), ("providers", "0007_search_words")]

    operations = [
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
        migrations.RunPython(install_and_rebuild, migrations.RunPython.noop),
    ]
