"""The audit trail is append-only in the database (see ``cabas.lib.append_only``)."""

from django.db import migrations

from cabas.lib import append_only


def install(apps, schema_editor):
    for statement in append_only.install(schema_editor.connection.vendor, "audit_auditevent"):
        schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    for statement in append_only.uninstall(schema_editor.connection.vendor, "audit_auditevent"):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
