"""Now a no-op: 0011 installs the functions and derives every derived table (the derivation reads a column 0011
adds). It used to do both before that column existed."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("matching", "0009_searchdocument"), ("providers", "0007_search_words")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
