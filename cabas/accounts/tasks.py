"""Background e-mails about memberships. Enqueued after commit by services."""

from __future__ import annotations

from django.tasks import task

from cabas.lib.emails import send_templated


@task
def send_join_decision(join_request_id: int) -> None:
    from cabas.accounts.models import JoinRequest

    join_request = JoinRequest.objects.select_related("user", "group").get(pk=join_request_id)
    send_templated(
        to=join_request.user,
        template=f"accounts/email/join_{join_request.status}",
        context={"join_request": join_request, "group": join_request.group},
    )


@task
def notify_coordinators_of_request(join_request_id: int) -> None:
    from cabas.accounts.models import JoinRequest, Membership, Role

    join_request = JoinRequest.objects.select_related("user", "group").get(pk=join_request_id)
    coordinators = (
        Membership.objects.current()
        .with_role(Role.COORDINATOR)
        .filter(group=join_request.group)
        .select_related("user")
    )
    for membership in coordinators:
        send_templated(
            to=membership.user,
            template="accounts/email/join_requested",
            context={"join_request": join_request, "group": join_request.group},
        )
