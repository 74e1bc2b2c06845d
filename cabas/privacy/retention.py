"""Retention of inactive accounts: warned by e-mail, then anonymised like a deleted account.

Off unless the site sets ``CABAS_RETENTION_DAYS`` (README, « Personal data »).
An account's last activity is the latest of: when it was created, its last
login, the last change to one of its baskets, the start of one of its
memberships, and the last ledger entry concerning its household. Once that is
older than the retention period, the person is e-mailed (``RetentionWarning``
remembers when); if nothing happens for ``CABAS_RETENTION_GRACE_DAYS`` more,
the account is anonymised by ``accounts.services.delete_account``, the same
function a person uses to delete their own account, so the money history
stays (shown as “Former member”). Coming back in the meantime (a login is
enough) cancels the warning.

The clock (``cabas_clock``, through ``cycles.clock.ALSO``) runs ``tick`` every
minute; the first tick of each day claims that day (a unique row) and sweeps,
so several clocks sweep once. ``manage.py cabas_retention`` sweeps at once.
Site admins and staff are never swept; nor is the only coordinator of a group
(``delete_account`` refuses: the account stays, the warning too, logged).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from cabas.accounts.models import Membership, User
from cabas.accounts.services import MembershipError, delete_account
from cabas.cycles.models import Order
from cabas.ledger.models import Line
from cabas.privacy import tasks
from cabas.privacy.models import RetentionSweep, RetentionWarning

logger = logging.getLogger(__name__)


def _latest(queryset: QuerySet[Any], person: str, field: str) -> Coalesce:
    """The latest ``field`` of the rows of ``queryset`` whose ``person`` is the outer user (else creation)."""
    latest = queryset.filter(**{person: OuterRef("pk")}).order_by().values(person).annotate(latest=Max(field))
    return Coalesce(Subquery(latest.values("latest")[:1]), "date_joined", output_field=DateTimeField())


def with_last_activity(users: QuerySet[User]) -> QuerySet[User]:
    """``users`` annotated with ``last_activity`` (see the module's docstring)."""
    return users.annotate(
        last_activity=Greatest(
            "date_joined",
            Coalesce("last_login", "date_joined"),
            _latest(Order.objects.all(), "user", "updated_at"),
            _latest(Membership.objects.all(), "user", "started_at"),
            _latest(Line.objects.all(), "household", "entry__created_at"),
            output_field=DateTimeField(),
        )
    )


def _candidates() -> QuerySet[User]:
    return with_last_activity(
        User.objects.filter(is_active=True, deleted_at__isnull=True, is_staff=False, is_superuser=False)
    )


def sweep(now: datetime | None = None) -> dict[str, list[int]]:
    """Warn, forgive and anonymise as due at ``now``; return the ids acted on."""
    done: dict[str, list[int]] = {"warned": [], "forgiven": [], "anonymised": []}
    days = settings.CABAS_RETENTION_DAYS
    if days <= 0:
        return done
    now = now or timezone.now()
    warnings = dict(RetentionWarning.objects.values_list("user_id", "warned_at"))
    grace_ended = now - timedelta(days=settings.CABAS_RETENTION_GRACE_DAYS)
    for user in _candidates().filter(pk__in=warnings):
        warned_at = warnings[user.pk]
        if getattr(user, "last_activity") >= warned_at:  # noqa: B009  (an annotation)
            RetentionWarning.objects.filter(user=user).delete()
            done["forgiven"].append(user.pk)
        elif warned_at <= grace_ended and _anonymise(user):
            done["anonymised"].append(user.pk)
    inactive = _candidates().filter(Q(last_activity__lt=now - timedelta(days=days)))
    for user in inactive.exclude(pk__in=warnings).only("pk"):
        _warn(user, now)
        done["warned"].append(user.pk)
    return done


def _warn(user: User, now: datetime) -> None:
    with transaction.atomic():
        RetentionWarning.objects.create(user=user, warned_at=now)
        transaction.on_commit(lambda: tasks.send_retention_warning.enqueue(user.pk))


def _anonymise(user: User) -> bool:
    try:
        delete_account(user=user)
    except MembershipError:
        logger.warning("retention: account %s not anonymised (the only coordinator of a group)", user.pk)
        return False
    RetentionWarning.objects.filter(user=user).delete()
    return True


def tick(now: datetime) -> dict[str, list[int]]:
    """The clock's hook: the first tick of each day claims the day and sweeps."""
    if settings.CABAS_RETENTION_DAYS <= 0:
        return {}
    try:
        with transaction.atomic():
            RetentionSweep.objects.create(day=timezone.localdate(now), at=now)
    except IntegrityError:
        return {}
    return sweep(now)
