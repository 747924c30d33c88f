import core.encryption
from django.db import migrations


def encrypt_existing_bodies(apps, schema_editor):
    """Bodies written before this migration are plaintext (an unsent invitation's link among them): encrypt them."""
    from core.encryption import encrypt

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, body FROM notifications_outboxmessage WHERE body <> ''")
        for pk, body in cursor.fetchall():
            cursor.execute("UPDATE notifications_outboxmessage SET body = %s WHERE id = %s", [encrypt(body), pk])


def decrypt_bodies(apps, schema_editor):
    from core.encryption import decrypt

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, body FROM notifications_outboxmessage WHERE body <> ''")
        for pk, body in cursor.fetchall():
            cursor.execute("UPDATE notifications_outboxmessage SET body = %s WHERE id = %s", [decrypt(body), pk])


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0002_outboxmessage_clear_body_after_send'),
    ]

    operations = [
        migrations.AlterField(
            model_name='outboxmessage',
            name='body',
            field=core.encryption.EncryptedTextField(),
        ),
        migrations.RunPython(encrypt_existing_bodies, decrypt_bodies),
    ]
