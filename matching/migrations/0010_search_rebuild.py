"""Install the maintenance functions and triggers, which now derive the search documents too, and derive every
derived table once on a database with listings (the newest migration that needs the derivation)."""

from django.db import migrations


def install_and_rebuild(apps, schema_editor):
    from matching import index

    index.install()
    if apps.get_model("providers", "ServiceAtLocation").objects.exists():
        index.match_index_rebuild()


class Migration(migrations.Migration):
    dependencies = [("matching", "0009_searchdocument"), ("providers", "0007_search_words")]

    operations = [migrations.RunPython(install_and_rebuild, migrations.RunPython.noop)]
