"""Filled the match index from whatever the registry already held (databases that predate matching).

It ran the index's derivation as it was then; 0003 added columns to the index and rebuilds it with the
current derivation, so this step now does nothing (on a new database the registry is empty here anyway).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_initial"), ("providers", "0004_phone_one_owner")]
    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
