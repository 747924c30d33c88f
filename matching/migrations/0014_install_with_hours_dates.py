"""Installs the functions and triggers and derives every derived table once on a database with listings: the
newest migration the derivation needs, since it reads the dates a site keeps other hours (providers 0008). The
derivation also fills SearchWord through the triggers installed first. At 1M services at locations about a quarter
of an hour (docs/benchmarks.md); a database already derived by 0012 gets the same rows again."""

from django.db import migrations


def install_and_rebuild(apps, schema_editor):
    from matching import index

    index.install()
    if apps.get_model("providers", "ServiceAtLocation").objects.exists():
        index.match_index_rebuild()


class Migration(migrations.Migration):
    dependencies = [("matching", "0013_search_suggest_nearest"), ("providers", "0008_hours_exceptions")]

    operations = [migrations.RunPython(install_and_rebuild, migrations.RunPython.noop)]
