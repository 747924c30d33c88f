"""Now a no-op: 0012 installs the functions and derives every derived table (the derivation uses what 0011 and
0012 add). It used to do both before those existed."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("matching", "0009_searchdocument"), ("providers", "0007_search_words")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
