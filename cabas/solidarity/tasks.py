"""The committee's answer, e-mailed to the household after the decision is committed."""

from __future__ import annotations

from django.tasks import task

from cabas.lib.emails import send_templated
from cabas.solidarity.models import HelpDecision


@task
def send_decision(decision_id: int) -> None:
    decision = HelpDecision.objects.select_related("household", "group").get(pk=decision_id)
    send_templated(
        to=decision.household,
        template="solidarity/email/decision",
        context={"decision": decision, "group": decision.group},
    )
