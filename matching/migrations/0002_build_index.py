"""Fill the match index from whatever the registry already holds (databases that predate matching)."""

from django.db import migrations


def build(apps, schema_editor):
    from matching.index import COLUMNS, select_rows

    schema_editor.execute("DELETE FROM matching_matchcandidate")
    schema_editor.execute(f"INSERT INTO matching_matchcandidate ({COLUMNS}) {select_rows()}")


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_initial"), ("providers", "0004_phone_one_owner")]
    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
