"""Filled the match index from whatever the registry already held (databases that predate matching).

It ran the index's derivation as it was then; later migrations changed the index, and 0006 fills it with the
current derivation wherever it is empty or behind, so this step now does nothing (on a new database the
registry is empty here anyway).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_initial"), ("providers", "0004_phone_one_owner")]
    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
