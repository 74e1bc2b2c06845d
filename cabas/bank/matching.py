"""Which household (and which cycle) a credit line of a statement is from: by the reference Cabas gave.

Two references:

* ``CABAS-<cycle>-<number>``, shown to a member on the distribution day (the
  desk, the stand, their own day): the cycle's id and the basket's slip number
  (``baskets.slip_numbers``). It pays that household's basket of that cycle.
* ``CABAS-P<membership>``, shown to a member of a prepaid group on their
  account page: a top-up of their prepaid account.

Banks mangle what members type (upper case, spaces or dots instead of dashes),
so the separators are loose. ``propose`` reads every line of an import with a
fixed number of queries per cycle referenced, whatever the number of lines.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from cabas.accounts.models import BuyingGroup, Membership, User
from cabas.bank.models import StatementLine
from cabas.bank.statements import StatementLine as ReadLine
from cabas.cycles.baskets import slip_numbers
from cabas.cycles.models import Cycle, Order
from cabas.ledger import positions

_SEP = r"[\s._/-]*"
BASKET_REFERENCE = re.compile(rf"CABAS{_SEP}(\d{{1,9}}){_SEP[:-1]}+(\d{{1,6}})(?!\d)", re.IGNORECASE)
TOPUP_REFERENCE = re.compile(rf"CABAS{_SEP}P{_SEP}(\d{{1,9}})(?!\d)", re.IGNORECASE)


def topup_reference(membership: Membership) -> str:
    """The reference a member of a prepaid group gives their top-up transfers."""
    return f"CABAS-P{membership.pk}"


def fingerprints(lines: Sequence[ReadLine]) -> list[str]:
    """Each line's fingerprint: its date, amount, label and bank id, and its rank among identical
    lines of the file (two equal transfers on one day are two lines; the same file read again
    gives the same fingerprints)."""
    seen: Counter[str] = Counter()
    result = []
    for line in lines:
        label = " ".join(line.label.upper().split())
        key = f"{line.date.isoformat()}|{line.amount_cents}|{label}|{line.bank_id}"
        result.append(hashlib.sha256(f"{key}|{seen[key]}".encode()).hexdigest())
        seen[key] += 1
    return result


@dataclass
class Proposal:
    """What the preview proposes for one line."""

    line: StatementLine
    household: User | None = None
    cycle: Cycle | None = None
    topup: bool = False
    owed_cents: int | None = None  # what the household still owes on that cycle (None: no match)
    duplicate: bool = False
    why: str = ""  # a reference found that leads nowhere: say so

    @property
    def choice(self) -> str:
        """The « what » select's value this proposal preselects."""
        if self.line.status in ("ignored",):
            return "ignore"
        if self.topup:
            return "topup"
        return f"cycle-{self.cycle.pk}" if self.cycle else "later"


@dataclass
class _Found:
    basket_refs: dict[int, tuple[int, int]]  # line pk -> (cycle id, slip number)
    topup_refs: dict[int, int]  # line pk -> membership id


def _references(lines: Iterable[StatementLine]) -> _Found:
    found = _Found({}, {})
    for line in lines:
        if line.amount_cents <= 0:
            continue
        if match := TOPUP_REFERENCE.search(line.label):
            found.topup_refs[line.pk] = int(match.group(1))
        elif match := BASKET_REFERENCE.search(line.label):
            found.basket_refs[line.pk] = (int(match.group(1)), int(match.group(2)))
    return found


def propose(group: BuyingGroup, lines: Sequence[StatementLine]) -> list[Proposal]:
    """A proposal per line: the household and cycle (or top-up) its reference names, what that
    household still owes on the cycle, and whether the line was imported already."""
    found = _references(lines)
    cycles = Cycle.objects.filter(group=group).in_bulk({cycle for cycle, _n in found.basket_refs.values()})
    orders_by_number = {
        cycle_id: {n: o for o, n in slip_numbers(cycle).items()} for cycle_id, cycle in cycles.items()
    }
    wanted_orders = {
        order_id
        for c, n in found.basket_refs.values()
        if (order_id := orders_by_number.get(c, {}).get(n)) is not None
    }
    order_users = dict(Order.objects.filter(pk__in=wanted_orders).values_list("pk", "user_id"))
    members = dict(
        Membership.objects.filter(group=group, pk__in=set(found.topup_refs.values())).values_list(
            "pk", "user_id"
        )
    )
    users = User.objects.in_bulk(set(order_users.values()) | set(members.values()))
    owed = {cycle_id: positions.cycle_positions(cycle) for cycle_id, cycle in cycles.items()}
    kept = set(
        StatementLine.objects.filter(
            group=group, kept=True, fingerprint__in=[line.fingerprint for line in lines]
        ).values_list("fingerprint", flat=True)
    )
    result = []
    for line in lines:
        proposal = Proposal(line, duplicate=not line.kept and line.fingerprint in kept)
        if line.pk in found.topup_refs:
            user_id = members.get(found.topup_refs[line.pk])
            proposal.household, proposal.topup = users.get(user_id) if user_id else None, user_id is not None
            proposal.why = "" if user_id else _("The top-up reference names no member of this group.")
        elif line.pk in found.basket_refs:
            cycle_id, number = found.basket_refs[line.pk]
            order_id = orders_by_number.get(cycle_id, {}).get(number)
            if order_id is None:
                proposal.why = _("The reference names no basket of this group.")
            else:
                proposal.cycle, proposal.household = cycles[cycle_id], users[order_users[order_id]]
                proposal.owed_cents = owed[cycle_id].household(order_users[order_id]).owed_cents
        result.append(proposal)
    return result


def with_decisions(proposals: list[Proposal]) -> list[Proposal]:
    """Lines already decided (an import confirmed): show what was decided, not what is proposed."""
    for proposal in proposals:
        line = proposal.line
        if line.status in ("matched", "topup"):
            proposal.household, proposal.cycle = line.household, line.cycle
            proposal.topup = line.status == "topup"
    return proposals
