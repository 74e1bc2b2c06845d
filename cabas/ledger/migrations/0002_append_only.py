"""Install the triggers that keep the ledger append-only (see ``cabas.ledger.triggers``)."""

from django.db import migrations

from cabas.ledger.triggers import POSTGRESQL, POSTGRESQL_REVERSE, SQLITE, SQLITE_REVERSE


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        )
    ]
