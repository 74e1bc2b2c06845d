"""Reading the treasurer's choices for statement lines. Ids come from the form: each is looked
up among the group's own households and cycles, never trusted."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.translation import gettext as _

from cabas.accounts.models import BuyingGroup, User
from cabas.bank.models import StatementLine
from cabas.bank.services import LATER, Decision
from cabas.cycles.models import Cycle
from cabas.lib.inputs import parse_digits

CYCLES_OFFERED = 12


@dataclass
class Choices:
    """The households and cycles a line may be matched to."""

    households: dict[int, User]
    cycles: dict[int, Cycle]  # the recent ones, offered in the selects
    prepaid: bool
    group: BuyingGroup

    def cycle(self, pk: int) -> Cycle | None:
        """A cycle of the group: a recent one, or an older one a reference named (one query)."""
        if pk not in self.cycles:
            found = Cycle.objects.published().filter(group=self.group, pk=pk).first()
            if found is None:
                return None
            self.cycles[pk] = found
        return self.cycles[pk]

    @classmethod
    def of(cls, group: BuyingGroup, extra_cycles: Iterable[Cycle] = ()) -> Choices:
        households = (
            User.objects.filter(
                memberships__group=group, memberships__ended_at__isnull=True, memberships__is_member=True
            )
            .distinct()
            .order_by("full_name", "email")
        )
        cycles = {
            c.pk: c
            for c in Cycle.objects.published()
            .filter(group=group)
            .order_by("-distribution_date")[:CYCLES_OFFERED]
        }
        for cycle in extra_cycles:
            cycles.setdefault(cycle.pk, cycle)
        return cls({u.pk: u for u in households}, cycles, group.prepaid, group)


@dataclass
class Read:
    decisions: dict[int, Decision] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)  # line id -> message


def read_decision(data: QueryDict, line: StatementLine, choices: Choices) -> tuple[Decision, str]:
    """One line's decision from ``what-<id>`` and ``who-<id>``, or an error message."""
    what = (data.get(f"what-{line.pk}") or "later").strip()
    who = parse_digits(data.get(f"who-{line.pk}") or "")
    household = choices.households.get(who) if who is not None else None
    if what == "later":
        return LATER, ""
    if what == "ignore":
        return Decision("ignore"), ""
    if what == "gift":
        return Decision("gift", household), ""
    if household is None:
        return LATER, _("Choose a household of the group.")
    if what == "topup":
        if not choices.prepaid:
            return LATER, _("This group has no prepaid accounts.")
        return Decision("topup", household), ""
    cycle_id = parse_digits(what.removeprefix("cycle-")) if what.startswith("cycle-") else None
    cycle = choices.cycle(cycle_id) if cycle_id is not None else None
    if cycle is None:
        return LATER, _("Choose a cycle of the group.")
    return Decision("basket", household, cycle), ""


def read_decisions(data: QueryDict, lines: Iterable[StatementLine], choices: Choices) -> Read:
    read = Read()
    for line in lines:
        if line.amount_cents <= 0:
            continue
        decision, error = read_decision(data, line, choices)
        if error:
            read.errors[line.pk] = error
        else:
            read.decisions[line.pk] = decision
    return read
