"""Now a no-op: 0007 rebuilds the match index and the offer cards on every database with listings (the
current derivation writes the cards, which do not exist at this migration).

It used to rebuild the index where it did not hold the current derivation: where the rows still held the
placeholder facts 0003 gave them, or where listings had no index rows at all.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("matching", "0005_no_duplicate_indexes"), ("providers", "0005_self_service")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
