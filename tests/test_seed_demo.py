"""The demo data command: the right people in the right groups, and safe to run again."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.db.models.functions import Lower

from cabas.accounts import services
from cabas.accounts.models import BuyingGroup, JoinRequest, Membership, Role, User
from cabas.catalog.models import Producer, Supply
from cabas.demo import data, seeding

pytestmark = pytest.mark.django_db

# Named people of Saint-Orens who are households too: coordination, tresorerie,
# membre and the two extra coordinators (producteur is a producer only).
NAMED_HOUSEHOLDS_A = 5
NAMED_HOUSEHOLDS_B = 2  # balma (coordinator) and membre.balma


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    """The command hashes its one password with whatever hasher is configured; keep tests fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def group(slug: str) -> BuyingGroup:
    return BuyingGroup.objects.get(slug=slug)


def households(slug: str) -> int:
    return Membership.objects.current().with_role(Role.MEMBER).filter(group__slug=slug).count()


def row_counts() -> dict[str, int]:
    models = (User, EmailAddress, BuyingGroup, Membership, JoinRequest, Producer, Supply)
    return {model.__name__: model.objects.count() for model in models}


def test_default_size_is_the_real_group_near_toulouse():
    output = run()

    saint_orens, balma = group("saint-orens"), group("balma")
    assert households("saint-orens") == 400 + NAMED_HOUSEHOLDS_A
    assert Producer.objects.supplying(saint_orens).count() == 25
    assert households("balma") == 20 + NAMED_HOUSEHOLDS_B
    assert Producer.objects.supplying(balma).count() == 3
    assert "405 foyers / households, 25 producteurs / producers" in output


def test_groups_are_described_in_french():
    run(households=3, producers=2)

    saint_orens, balma = group("saint-orens"), group("balma")
    assert saint_orens.name == "Cabas de Saint-Orens"
    assert saint_orens.requires_approval is True
    assert "samedi" in saint_orens.distribution_info
    assert saint_orens.description
    assert saint_orens.contact_email
    assert balma.name == "Panier de Balma"
    assert balma.requires_approval is False


def test_overrides_set_the_counts():
    run(households=30, producers=16)

    assert households("saint-orens") == 30 + NAMED_HOUSEHOLDS_A
    assert Producer.objects.supplying(group("saint-orens")).count() == 16


@pytest.mark.parametrize(
    ("email", "slug", "roles"),
    [
        ("coordination", "saint-orens", [Role.MEMBER, Role.COORDINATOR]),
        ("tresorerie", "saint-orens", [Role.MEMBER, Role.TREASURER]),
        ("membre", "saint-orens", [Role.MEMBER]),
        ("producteur", "saint-orens", [Role.PRODUCER]),
        ("balma", "balma", [Role.MEMBER, Role.COORDINATOR]),
        ("membre.balma", "balma", [Role.MEMBER]),
    ],
)
def test_fixed_logins_hold_their_roles(email, slug, roles):
    run(households=3, producers=2)

    user = User.objects.get(email=f"{email}@{data.DOMAIN}")
    memberships = list(Membership.objects.current().filter(user=user))
    assert [(m.group.slug, m.roles) for m in memberships] == [(slug, roles)]


def test_admin_and_visitor():
    run(households=3, producers=2)

    admin = User.objects.get(email=f"admin@{data.DOMAIN}")
    visitor = User.objects.get(email=f"visiteur@{data.DOMAIN}")
    assert admin.is_superuser
    assert admin.is_staff
    assert not visitor.is_superuser
    assert not visitor.memberships.exists()


def test_saint_orens_has_three_coordinators_and_a_treasurer():
    run(households=3, producers=2)

    current = Membership.objects.current().filter(group__slug="saint-orens")
    assert current.with_role(Role.COORDINATOR).count() == 3
    assert current.with_role(Role.TREASURER).count() == 1


@pytest.mark.parametrize("login", data.LOGINS, ids=lambda login: login.email.split("@")[0])
def test_every_fixed_login_can_log_in(client, login):
    run(households=3, producers=2)

    user = User.objects.get(email=login.email)
    assert user.full_name == login.full_name
    assert EmailAddress.objects.filter(user=user, email=login.email, primary=True, verified=True).exists()
    assert client.login(email=login.email, password=data.PASSWORD)


def test_generated_people_share_the_password_and_are_verified():
    run(households=10, producers=2)

    crowd = User.objects.filter(email__regex=r"\.\d+@")
    assert crowd.count() == 10
    assert all(user.check_password(data.PASSWORD) for user in crowd)
    assert EmailAddress.objects.filter(user__in=crowd, verified=True, primary=True).count() == 10


def test_generated_people_look_real_and_unique():
    run(households=400, producers=2)

    crowd = User.objects.filter(memberships__group__slug="saint-orens", email__regex=r"\.\d+@")
    names = list(crowd.values_list("full_name", flat=True))
    assert len(names) == 400
    assert len(set(names)) == 400
    assert all(" " in name for name in names)
    emails = crowd.values_list("email", flat=True)
    assert all(re.fullmatch(r"[a-z-]+\.[a-z-]+\.\d+@demo\.cabas\.localhost", email) for email in emails)
    phones = [phone for phone in crowd.values_list("phone", flat=True) if phone]
    assert 100 < len(phones) < 400
    assert all(phone[:2] in {"06", "07"} and len(phone) == 14 for phone in phones)


def test_emails_are_unique_case_insensitively():
    run(households=50, producers=2)

    duplicates = User.objects.values(low=Lower("email")).annotate(n=Count("id")).filter(n__gt=1)
    assert not duplicates.exists()
    assert User.objects.filter(email__endswith=f"@{data.DOMAIN}").count() == User.objects.count()


def test_the_two_groups_share_no_membership():
    run(households=30, producers=3)

    in_a = set(Membership.objects.filter(group__slug="saint-orens").values_list("user_id", flat=True))
    in_b = set(Membership.objects.filter(group__slug="balma").values_list("user_id", flat=True))
    assert in_a
    assert in_b
    assert not in_a & in_b


def test_every_producer_supplies_a_group():
    run(households=3, producers=30)

    assert Producer.objects.count() == 30 + 3
    assert not Producer.objects.filter(supplies__isnull=True).exists()
    assert Supply.objects.filter(ended_at__isnull=True).count() == 33
    balma_producers = set(Producer.objects.supplying(group("balma")))
    assert not balma_producers & set(Producer.objects.supplying(group("saint-orens")))


def test_producers_cycle_through_the_product_ranges():
    specs = seeding.producer_specs(28)

    assert len({spec.slug for spec in specs}) == 28
    assert len({spec.name for spec in specs}) == 28
    ranges = data.PRODUCT_RANGES
    for index, spec in enumerate(specs):
        assert spec.speciality in ranges[index % len(ranges)].specialities
        assert spec.town in data.TOWNS


def test_pending_join_requests_wait_for_a_coordinator():
    run(households=3, producers=2)

    pending = JoinRequest.objects.pending().filter(group__slug="saint-orens")
    assert pending.count() == seeding.Sizes().join_requests
    assert pending.exclude(message="").exists()
    members = Membership.objects.current().filter(group__slug="saint-orens").values("user_id")
    assert not pending.filter(user_id__in=members).exists()


def test_running_twice_changes_nothing():
    run(households=30, producers=16)
    before = row_counts()

    run(households=30, producers=16)

    assert row_counts() == before


def test_a_larger_run_adds_only_what_is_missing():
    run(households=10, producers=5)
    first_emails = set(User.objects.values_list("email", flat=True))

    run(households=25, producers=20)

    assert households("saint-orens") == 25 + NAMED_HOUSEHOLDS_A
    assert Producer.objects.supplying(group("saint-orens")).count() == 20
    assert first_emails <= set(User.objects.values_list("email", flat=True))


def test_a_decided_request_is_not_asked_again():
    run(households=3, producers=2)
    coordinator = User.objects.get(email=f"coordination@{data.DOMAIN}")
    request = JoinRequest.objects.pending().filter(group__slug="saint-orens").first()
    services.approve_join_request(join_request=request, by=coordinator)

    run(households=3, producers=2)

    assert not JoinRequest.objects.pending().filter(user=request.user).exists()
    assert Membership.objects.current().filter(user=request.user).count() == 1


def test_existing_rows_are_left_as_they_are():
    run(households=3, producers=2)
    membre = User.objects.get(email=f"membre@{data.DOMAIN}")
    services.update_profile(user=membre, full_name="Marie D.", phone="", language="en")

    run(households=3, producers=2)

    membre.refresh_from_db()
    assert membre.full_name == "Marie D."


def test_output_lists_the_logins_and_the_password():
    output = run(households=3, producers=2)

    for login in data.LOGINS:
        assert login.email in output
    assert data.PASSWORD in output
    assert len(output.splitlines()) < 20


def test_quiet_with_verbosity_zero():
    assert run(households=3, producers=2, verbosity=0) == ""


@pytest.mark.parametrize("options", [{"size": 0}, {"households": -1}, {"producers": -2}])
def test_refuses_nonsense_sizes(options):
    with pytest.raises(CommandError):
        run(**options)
    assert not BuyingGroup.objects.exists()


def test_elision():
    assert seeding.elide("Huilerie de Encastel") == "Huilerie d'Encastel"
    assert seeding.elide("Les Pains de Auterive") == "Les Pains d'Auterive"
    assert seeding.elide("Moulin de Montbrun") == "Moulin de Montbrun"
