"""The walks' GiST indexes gain citizenship as a key column (matching.eligibility.CITIZENSHIP_EXCLUDED).

Built concurrently, and the old ones dropped only once the new ones exist, so matching keeps working while a
large index is built; hence not atomic. Then, only on a database whose index rows still hold the placeholder
facts 0003 gave them, the index is rebuilt with the current derivation (this is the newest migration touching
the index: a later one that changes its columns or GiST indexes must take the rebuild over, as this one took
it from 0003).
"""

import django.contrib.postgres.indexes
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations


def rebuild_placeholder_rows(apps, schema_editor):
    if not apps.get_model("matching", "MatchCandidate").objects.filter(location_type="").exists():
        return  # no rows, or rows 0003 rebuilt on an earlier deployment
    from matching.index import match_index_rebuild

    match_index_rebuild()


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("matching", "0003_ranking_facts"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="matchcandidate",
            index=django.contrib.postgres.indexes.GistIndex(
                fields=["need", "citizenship", "point"], name="match_need_cit_point_gist"
            ),
        ),
        AddIndexConcurrently(
            model_name="matchcandidate",
            index=django.contrib.postgres.indexes.GistIndex(
                fields=["need", "citizenship", "public_point"], name="match_need_cit_pub_point_gist"
            ),
        ),
        RemoveIndexConcurrently(model_name="matchcandidate", name="match_need_point_gist"),
        RemoveIndexConcurrently(model_name="matchcandidate", name="match_need_public_point_gist"),
        migrations.RunPython(rebuild_placeholder_rows, migrations.RunPython.noop),
    ]
