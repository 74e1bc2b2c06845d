"""Who sees the association's bank: the group's treasurers (and the site admin); a member sees
only their own prepaid account. Lines and imports are looked up inside the group (404 otherwise)."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from cabas.accounts.models import Role
from cabas.accounts.permissions import GroupAccess, group_access
from cabas.bank.models import StatementImport, StatementLine


def treasurer_access(request: HttpRequest, slug: str) -> GroupAccess:
    return group_access(request, slug, roles=(Role.TREASURER,))


def get_import(access: GroupAccess, pk: int) -> StatementImport:
    return get_object_or_404(
        StatementImport.objects.select_related("created_by", "confirmed_by"), pk=pk, group=access.group
    )


def get_line(access: GroupAccess, pk: int) -> StatementLine:
    return get_object_or_404(StatementLine, pk=pk, group=access.group, kept=True)
