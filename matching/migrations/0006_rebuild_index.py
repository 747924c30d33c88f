"""Fill the match index with the current derivation where it does not hold it yet.

That is a database whose index rows still hold the placeholder facts 0003 gave them (an empty
location_type, which no real row has), or one with listings and no index rows at all (a registry that
predates matching: 0002 no longer fills it). Other databases are left alone. The rebuild runs the current
matching.index code in one transaction that locks the index table (about 4 minutes at 1M services at
location). This is the newest migration that needs the derivation: a later one that changes the index's
columns or GiST indexes, or what the derivation reads, must take the rebuild over and make this a no-op, as
0002 and 0003 were made (the current code may read columns that only later migrations add).
"""

from django.db import migrations


def rebuild_if_needed(apps, schema_editor):
    candidates = apps.get_model("matching", "MatchCandidate").objects
    if not apps.get_model("providers", "ServiceAtLocation").objects.exists():
        return
    if candidates.exists() and not candidates.filter(location_type="").exists():
        return
    from matching.index import match_index_rebuild

    match_index_rebuild()


class Migration(migrations.Migration):
    dependencies = [("matching", "0005_no_duplicate_indexes"), ("providers", "0005_self_service")]

    operations = [migrations.RunPython(rebuild_if_needed, migrations.RunPython.noop)]
