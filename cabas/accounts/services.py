"""Workflows on people, groups and memberships.

Each function is one transaction and the only code that performs its write.
E-mails are enqueued after commit, never sent inside the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cabas.accounts import tasks
from cabas.accounts.models import BuyingGroup, JoinRequest, Membership, Role, User
from cabas.audit.models import Kind
from cabas.audit.services import record


class MembershipError(Exception):
    """A membership change refused for a business reason; the message is for the user."""


def create_user(
    *, email: str, full_name: str = "", phone: str = "", language: str = "fr", password: str | None = None
) -> User:
    return User.objects.create_user(
        email=email, password=password, full_name=full_name, phone=phone, language=language
    )


@transaction.atomic
def create_group(*, name: str, slug: str, coordinator: User, **fields: object) -> BuyingGroup:
    """Create a group with its first coordinator (a group is never without one)."""
    group = BuyingGroup.objects.create(name=name, slug=slug, **fields)
    Membership.objects.create(user=coordinator, group=group, is_member=True, is_coordinator=True)
    return group


def current_membership(user: User, group: BuyingGroup) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.current().filter(user=user, group=group).first()


def _role_values(membership: Membership) -> list[str]:
    return [str(role) for role in membership.roles]


@transaction.atomic
def add_member(
    *, group: BuyingGroup, user: User, roles: Iterable[Role] = (Role.MEMBER,), by: User | None = None
) -> Membership:
    """Start a membership; refuses if the person is already a current member.

    ``by`` is the coordinator who added them (``None``: they joined themselves).
    """
    roles = list(roles)
    if not roles:
        raise MembershipError(_("Choose at least one role."))
    membership = Membership(user=user, group=group)
    membership.set_roles(roles)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise MembershipError(_("This person is already a member of the group.")) from None
    JoinRequest.objects.pending().filter(user=user, group=group).update(
        status=JoinRequest.Status.APPROVED, decided_at=timezone.now()
    )
    record(
        group=group,
        kind=Kind.MEMBER_ADDED,
        actor=by or user,
        subject=user,
        after={"roles": _role_values(membership)},
    )
    return membership


def request_to_join(*, group: BuyingGroup, user: User, message: str = "") -> JoinRequest | Membership:
    """Ask to join ``group``: a pending request, or a membership at once when no approval is needed."""
    if current_membership(user, group):
        raise MembershipError(_("You are already a member of this group."))
    if not group.requires_approval:
        return add_member(group=group, user=user)
    try:
        with transaction.atomic():
            join_request = JoinRequest.objects.create(user=user, group=group, message=message)
    except IntegrityError:
        raise MembershipError(_("Your request is already waiting for a coordinator.")) from None
    transaction.on_commit(lambda: tasks.notify_coordinators_of_request.enqueue(join_request.pk))
    return join_request


def _decide(join_request: JoinRequest, *, by: User, status: str, reason: str = "") -> int:
    """Move a pending request to ``status``; returns 1 if it was still pending, else 0."""
    return JoinRequest.objects.filter(pk=join_request.pk, status=JoinRequest.Status.PENDING).update(
        status=status, decided_at=timezone.now(), decided_by=by, reason=reason
    )


@transaction.atomic
def approve_join_request(*, join_request: JoinRequest, by: User) -> Membership:
    """Approve a pending request. A second click (or a second coordinator) changes nothing."""
    if not _decide(join_request, by=by, status=JoinRequest.Status.APPROVED):
        raise MembershipError(_("This request has already been handled."))
    record(
        group=join_request.group,
        kind=Kind.JOIN_APPROVED,
        actor=by,
        subject=join_request.user,
        before={"status": JoinRequest.Status.PENDING.value},
        after={"status": JoinRequest.Status.APPROVED.value},
    )
    membership = add_member(group=join_request.group, user=join_request.user, by=by)
    transaction.on_commit(lambda: tasks.send_join_decision.enqueue(join_request.pk))
    return membership


@transaction.atomic
def refuse_join_request(*, join_request: JoinRequest, by: User, reason: str = "") -> None:
    if not _decide(join_request, by=by, status=JoinRequest.Status.REFUSED, reason=reason):
        raise MembershipError(_("This request has already been handled."))
    record(
        group=join_request.group,
        kind=Kind.JOIN_REFUSED,
        actor=by,
        subject=join_request.user,
        before={"status": JoinRequest.Status.PENDING.value},
        after={"status": JoinRequest.Status.REFUSED.value, "reason": reason},
    )
    transaction.on_commit(lambda: tasks.send_join_decision.enqueue(join_request.pk))


def withdraw_join_request(*, join_request: JoinRequest) -> None:
    _decide(join_request, by=join_request.user, status=JoinRequest.Status.WITHDRAWN)


def _other_coordinators(membership: Membership) -> bool:
    return (
        Membership.objects.current()
        .with_role(Role.COORDINATOR)
        .filter(group_id=membership.group_id)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def set_roles(*, membership: Membership, roles: Iterable[Role], by: User | None = None) -> Membership:
    """Replace a current membership's roles; a group always keeps one coordinator."""
    roles = list(roles)
    if not roles:
        raise MembershipError(_("Choose at least one role."))
    if not membership.is_current:
        raise MembershipError(_("This membership has ended."))
    if membership.is_coordinator and Role.COORDINATOR not in roles and not _other_coordinators(membership):
        raise MembershipError(_("The group needs at least one coordinator."))
    before = _role_values(membership)
    membership.set_roles(roles)
    membership.save(update_fields=["is_member", "is_producer", "is_coordinator", "is_treasurer"])
    if _role_values(membership) != before:
        record(
            group=membership.group,
            kind=Kind.ROLES_CHANGED,
            actor=by,
            subject=membership.user,
            before={"roles": before},
            after={"roles": _role_values(membership)},
        )
    return membership


@transaction.atomic
def end_membership(*, membership: Membership, by: User | None = None) -> None:
    """End a membership (leaving or being removed). Kept forever for history.

    ``by`` is who ended it: the person leaving or the coordinator removing them.
    """
    if not membership.is_current:
        raise MembershipError(_("This membership has already ended."))
    if membership.is_coordinator and not _other_coordinators(membership):
        raise MembershipError(_("The group needs at least one coordinator: name another coordinator first."))
    membership.ended_at = timezone.now()
    membership.save(update_fields=["ended_at"])
    record(
        group=membership.group,
        kind=Kind.MEMBER_ENDED,
        actor=by,
        subject=membership.user,
        before={"roles": _role_values(membership)},
    )


@transaction.atomic
def update_profile(
    *,
    user: User,
    full_name: str,
    phone: str,
    language: str,
    wants_announcements: bool | None = None,
    wants_reminders: bool | None = None,
) -> User:
    """Save what a person says about themselves; an e-mail preference left at None is unchanged."""
    user.full_name, user.phone, user.language = full_name, phone, language
    fields = ["full_name", "phone", "language"]
    for field, value in (("wants_announcements", wants_announcements), ("wants_reminders", wants_reminders)):
        if value is not None:
            setattr(user, field, value)
            fields.append(field)
    user.save(update_fields=fields)
    return user


@transaction.atomic
def delete_account(*, user: User, by: User | None = None) -> None:
    """Anonymise an account instead of deleting it.

    The row stays so that the groups' money history (orders, payments) keeps a
    valid owner, shown as "Former member". Personal data is wiped, memberships
    end, pending requests are withdrawn and the person can no longer log in.
    Used both when a person deletes their account (``by`` is them) and by the
    retention of inactive accounts (``by`` is ``None``: the site did it).
    """
    from allauth.account.models import EmailAddress

    for membership in Membership.objects.current().with_role(Role.COORDINATOR).filter(user=user):
        if not _other_coordinators(membership):
            raise MembershipError(
                _("You are the only coordinator of %(group)s: name another coordinator first.")
                % {"group": membership.group.name}
            )
    now = timezone.now()
    for group in BuyingGroup.objects.filter(memberships__user=user, memberships__ended_at__isnull=True):
        record(group=group, kind=Kind.ACCOUNT_ANONYMISED, actor=by, subject=user)
    Membership.objects.current().filter(user=user).update(ended_at=now)
    JoinRequest.objects.pending().filter(user=user).update(
        status=JoinRequest.Status.WITHDRAWN, decided_at=now
    )
    EmailAddress.objects.filter(user=user).delete()
    user.email = f"deleted-{user.pk}@deleted.invalid"
    user.full_name = ""
    user.phone = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.deleted_at = now
    user.set_unusable_password()
    user.save()
