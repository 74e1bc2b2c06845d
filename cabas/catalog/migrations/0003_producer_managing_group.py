"""Record which group manages each producer (while it has no account of its own).

Existing producers go to the group of their earliest supply that is still
current (the group that created them, unless it has stopped working with
them), or of their earliest supply when none is current.
"""

import django.db.models.deletion
from django.db import migrations, models


def set_managing_groups(apps, schema_editor):
    Producer = apps.get_model("catalog", "Producer")
    Supply = apps.get_model("catalog", "Supply")
    for producer in Producer.objects.filter(managing_group__isnull=True).iterator():
        supplies = Supply.objects.filter(producer=producer).order_by("started_at", "pk")
        first = supplies.filter(ended_at__isnull=True).first() or supplies.first()
        if first is not None:
            Producer.objects.filter(pk=producer.pk).update(managing_group_id=first.group_id)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_buyinggroup_reminder_hours_user_wants_announcements_and_more"),
        ("catalog", "0002_catalogue"),
    ]

    operations = [
        migrations.AddField(
            model_name="producer",
            name="managing_group",
            field=models.ForeignKey(
                blank=True,
                help_text="The group whose coordinators keep its data while it has no account of its own.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="managed_producers",
                to="accounts.buyinggroup",
                verbose_name="managed by",
            ),
        ),
        migrations.RunPython(set_managing_groups, migrations.RunPython.noop),
    ]
