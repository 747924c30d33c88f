"""The walks' GiST indexes gain citizenship as a key column (matching.eligibility.CITIZENSHIP_EXCLUDED).

Built concurrently, and the old ones dropped only once the new ones exist, so matching keeps working while a
large index is built; hence not atomic (and if it is interrupted, drop a half-built INVALID index by hand
before running it again: CREATE INDEX CONCURRENTLY leaves one behind). 0006 rebuilds the rows, when needed.
"""

import django.contrib.postgres.indexes
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations


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
    ]
