"""The named cast every test plays with, built through the app's own services.

Group A (« Cabas de Saint-Orens ») needs approval to join; group B (« Panier
de Balma ») is separate and small. Everybody's password is ``PASSWORD``.
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress

from cabas.accounts import services
from cabas.accounts.models import BuyingGroup, Role, User
from cabas.catalog.models import Producer, Supply

PASSWORD = "Tomates-de-saison-2026"


def person(email: str, full_name: str, *, language: str = "fr", superuser: bool = False) -> User:
    """A person with a verified e-mail, as after sign-up and confirmation."""
    if superuser:
        user = User.objects.create_superuser(email=email, password=PASSWORD, full_name=full_name)
    else:
        user = services.create_user(email=email, full_name=full_name, language=language, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


@dataclass
class Cast:
    group_a: BuyingGroup
    group_b: BuyingGroup
    coordinator: User  # Claire, coordinator of A
    treasurer: User  # Théo, treasurer of A
    member: User  # Marie, member of A
    member2: User  # Mehdi, member of A (English speaker)
    beneficiary: User  # Bernadette, member of A (solidarity fund later)
    producer_user: User  # Paul, producer account in A
    producer_user2: User  # Pauline, producer account in A
    coordinator_b: User  # Camille, coordinator of B
    member_b: User  # Martin, member of B
    outsider: User  # Olivier, has an account, in no group
    site_admin: User
    bakery: Producer
    dairy: Producer

    def membership(self, user: User, group: BuyingGroup | None = None):
        return user.memberships.get(group=group or self.group_a, ended_at__isnull=True)


def build_cast() -> Cast:
    coordinator = person("claire@example.org", "Claire Coordinatrice")
    group_a = services.create_group(
        name="Cabas de Saint-Orens",
        slug="saint-orens",
        coordinator=coordinator,
        description="Groupement d'achats citoyen près de Toulouse.",
        place="Saint-Orens-de-Gameville",
        requires_approval=True,
        contact_email="contact@cabas-saint-orens.example",
    )
    coordinator_b = person("camille@example.org", "Camille Coordinatrice")
    group_b = services.create_group(
        name="Panier de Balma", slug="balma", coordinator=coordinator_b, requires_approval=False
    )
    cast_people = {
        "treasurer": (person("theo@example.org", "Théo Trésorier"), [Role.MEMBER, Role.TREASURER]),
        "member": (person("marie@example.org", "Marie Membre"), [Role.MEMBER]),
        "member2": (person("mehdi@example.org", "Mehdi Member", language="en"), [Role.MEMBER]),
        "beneficiary": (person("bernadette@example.org", "Bernadette Bénéficiaire"), [Role.MEMBER]),
        "producer_user": (person("paul@example.org", "Paul Boulanger"), [Role.PRODUCER]),
        "producer_user2": (person("pauline@example.org", "Pauline Fromagère"), [Role.PRODUCER]),
    }
    for user, roles in cast_people.values():
        services.add_member(group=group_a, user=user, roles=roles)
    member_b = person("martin@example.org", "Martin Membre")
    services.add_member(group=group_b, user=member_b)
    # Both created by A, which manages them while they have no account; B also buys bread.
    bakery = Producer.objects.create(
        name="Fournil du Lauragais", slug="fournil", speciality="Pain au levain", managing_group=group_a
    )
    dairy = Producer.objects.create(
        name="Ferme de la Bergerie", slug="bergerie", speciality="Fromages", managing_group=group_a
    )
    Supply.objects.create(producer=bakery, group=group_a)
    Supply.objects.create(producer=dairy, group=group_a)
    Supply.objects.create(producer=bakery, group=group_b)
    return Cast(
        group_a=group_a,
        group_b=group_b,
        coordinator=coordinator,
        coordinator_b=coordinator_b,
        member_b=member_b,
        outsider=person("olivier@example.org", "Olivier Extérieur"),
        site_admin=person("admin@example.org", "Ada Admin", superuser=True),
        bakery=bakery,
        dairy=dairy,
        **{name: user for name, (user, _roles) in cast_people.items()},
    )
