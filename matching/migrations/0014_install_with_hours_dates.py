"""Installs the functions and triggers. Deriving the tables of a database with listings moved to 0015, the newest
migration the derivation needs (it reads the sites' accessibility, providers 0010); a database that applied this
migration before was derived here then."""

from django.db import migrations


def install(apps, schema_editor):
    from matching import index

    index.install()


class Migration(migrations.Migration):
    dependencies = [("matching", "0013_search_suggest_nearest"), ("providers", "0008_hours_exceptions")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
