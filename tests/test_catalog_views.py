"""Producers keep their catalogues; coordinators add producers; members browse."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cabas.accounts.models import Membership
from cabas.catalog.models import PriceChange, Producer, ProducerAccount, ProducerInvitation, Product, Supply
from tests.scene import Catalogue

PRODUCT = {
    "name": "Miche au levain",
    "category": "bread",
    "description": "Farine T80, levain naturel.",
    "labels": "AB",
    "unit": "piece",
    "content": "1000",
    "content_unit": "g",
    "price_cents": "6,80",
    "vat_rate": "550",
    "quantity_step": "1",
    "min_quantity": "1",
    "carton_size": "",
    "estimated_weight_grams": "",
}


class TestProducts:
    def test_create_with_french_numbers(self, catalogue: Catalogue, client_for) -> None:
        data = {
            **PRODUCT,
            "unit": "kg",
            "content": "",
            "content_unit": "",
            "quantity_step": "0,5",
            "min_quantity": "1,5",
            "carton_size": "10",
        }
        response = client_for(catalogue.producer_user).post(reverse("product_new", args=["fournil"]), data)
        assert response.status_code == 302
        product = Product.objects.get(name="Miche au levain")
        assert (product.price_cents, product.quantity_step, product.min_quantity, product.carton_size) == (
            680,
            500,
            1500,
            10_000,
        )
        assert product.producer == catalogue.bakery
        assert product.price_display() == "6,80\u00a0€ / kg"

    def test_jar_shows_price_per_kg(self, catalogue: Catalogue, client_for) -> None:
        data = {
            **PRODUCT,
            "name": "Miel de lavande",
            "category": "honey",
            "unit": "jar",
            "content": "500",
            "price_cents": "6,50",
        }
        client_for(catalogue.producer_user).post(reverse("product_new", args=["fournil"]), data)
        product = Product.objects.get(name="Miel de lavande")
        assert product.unit_label() == "pot de 500 g"
        assert product.reference_price_display() == "13,00\u00a0€/kg"

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"price_cents": "0"}, "Le prix doit être supérieur à zéro."),
            ({"price_cents": "-3"}, "Le prix doit être supérieur à zéro."),
            ({"price_cents": "abc"}, "Saisissez un montant en euros"),
            ({"price_cents": "20000"}, "Ce montant est trop élevé"),
            (
                {
                    "unit": "kg",
                    "content": "",
                    "content_unit": "",
                    "quantity_step": "0,5",
                    "min_quantity": "0,7",
                },
                "doit être un multiple du pas",
            ),
            (
                {"quantity_step": "2", "min_quantity": "2", "carton_size": "5"},
                "Le carton (5) doit être un multiple du pas (2).",
            ),
            (
                {"variable_weight": "on", "unit": "kg", "content": "", "content_unit": ""},
                "choisissez « pièce »",
            ),
            ({"variable_weight": "on", "content": "", "content_unit": ""}, "poids estimé"),
            ({"unit": "kg"}, "Laissez la contenance vide"),
            ({"content": "5000000"}, "trop grand"),
            ({"name": "pain COMPLET"}, "Vous avez déjà un produit nommé"),
            ({"name": " "}, "Ce champ est obligatoire."),
            ({"category": "caviar"}, "Sélectionnez un choix valide."),
        ],
    )
    def test_bad_input_changes_nothing(self, catalogue: Catalogue, client_for, changes, message) -> None:
        before = Product.objects.count()
        response = client_for(catalogue.producer_user).post(
            reverse("product_new", args=["fournil"]), {**PRODUCT, **changes}
        )
        assert response.status_code == 200
        assert message in response.text
        assert Product.objects.count() == before

    def test_edit_records_the_price_change(self, catalogue: Catalogue, client_for) -> None:
        data = {
            **PRODUCT,
            "name": "Pain complet",
            "unit": "kg",
            "content": "",
            "content_unit": "",
            "price_cents": "5,40",
            "quantity_step": "0,5",
            "min_quantity": "0,5",
        }
        client = client_for(catalogue.producer_user)
        response = client.post(reverse("product_edit", args=["fournil", catalogue.bread.pk]), data)
        assert response.status_code == 302
        (change,) = PriceChange.objects.filter(product=catalogue.bread)
        assert (change.old_price_cents, change.new_price_cents, change.changed_by) == (
            520,
            540,
            catalogue.producer_user,
        )
        client.post(
            reverse("product_edit", args=["fournil", catalogue.bread.pk]), {**data, "description": "Nouveau"}
        )
        assert PriceChange.objects.filter(product=catalogue.bread).count() == 1  # no price change, no row
        page = client.get(reverse("product_edit", args=["fournil", catalogue.bread.pk]))
        assert "5,20\u00a0€" in page.text
        assert "5,40\u00a0€" in page.text

    def test_quick_price_with_htmx_returns_the_row(self, catalogue: Catalogue, client_for) -> None:
        client = client_for(catalogue.producer_user)
        url = reverse("product_price", args=["fournil", catalogue.bread.pk])
        response = client.post(url, {"price_cents": "5,35"}, headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert response.text.lstrip().startswith(f'<tr id="product-{catalogue.bread.pk}"')
        assert 'value="5,35"' in response.text
        catalogue.bread.refresh_from_db()
        assert catalogue.bread.price_cents == 535
        response = client.post(url, {"price_cents": "cinq"}, headers={"HX-Request": "true"})
        assert 'value="cinq"' in response.text  # what was typed is kept
        assert "Saisissez un montant en euros" in response.text
        catalogue.bread.refresh_from_db()
        assert catalogue.bread.price_cents == 535

    def test_quick_price_without_javascript_redirects(self, catalogue: Catalogue, client_for) -> None:
        response = client_for(catalogue.producer_user).post(
            reverse("product_price", args=["fournil", catalogue.bread.pk]), {"price_cents": "5"}, follow=True
        )
        assert "Nouveau prix de « Pain complet » : 5,00\u00a0€ / kg." in response.text

    def test_archive_and_restore(self, catalogue: Catalogue, client_for) -> None:
        client = client_for(catalogue.producer_user)
        client.post(
            reverse("product_archive", args=["fournil", catalogue.bread.pk]), follow=True
        )  # shows the message
        catalogue.bread.refresh_from_db()
        assert not catalogue.bread.is_active
        assert catalogue.bread.archived_at is not None
        assert "Pain complet" not in client.get(reverse("group_catalogue", args=["saint-orens"])).text
        assert "Pain complet" not in client.get(reverse("producer_dashboard", args=["fournil"])).text
        assert (
            "Pain complet"
            in client.get(reverse("producer_dashboard", args=["fournil"]), {"status": "archived"}).text
        )
        client.post(reverse("product_restore", args=["fournil", catalogue.bread.pk]))
        catalogue.bread.refresh_from_db()
        assert catalogue.bread.is_active
        assert catalogue.bread.archived_at is None

    def test_another_producers_product_is_404(self, catalogue: Catalogue, client_for) -> None:
        client = client_for(catalogue.producer_user)
        assert client.get(reverse("product_edit", args=["fournil", catalogue.tomme.pk])).status_code == 404
        response = client.post(
            reverse("product_price", args=["fournil", catalogue.tomme.pk]), {"price_cents": "1"}
        )
        assert response.status_code == 404
        assert (
            client.post(reverse("product_archive", args=["fournil", catalogue.tomme.pk])).status_code == 404
        )
        catalogue.tomme.refresh_from_db()
        assert (catalogue.tomme.price_cents, catalogue.tomme.is_active) == (2400, True)

    def test_variable_weight_estimate(self, catalogue: Catalogue) -> None:
        assert catalogue.tomme.estimated_piece_price_cents() == 1800  # 24,00 €/kg x 0,750 kg
        assert catalogue.tomme.unit_label() == "pièce (environ 0,75 kg)"


class TestProducerProfile:
    DATA = {
        "name": "Fournil du Lauragais",
        "speciality": "Pain au levain",
        "accepts_cash": "on",
        "accepts_cheque": "on",
        "cheque_payable_to": "EARL Fournil",
        "accepts_transfer": "on",
        "iban": "fr76 3000 6000 0112 3456 7890 189",
    }

    def test_save_normalises_the_iban(self, catalogue: Catalogue, client_for) -> None:
        response = client_for(catalogue.producer_user).post(
            reverse("producer_edit", args=["fournil"]), self.DATA
        )
        assert response.status_code == 302
        catalogue.bakery.refresh_from_db()
        assert catalogue.bakery.iban == "FR7630006000011234567890189"
        assert catalogue.bakery.iban_display == "FR76 3000 6000 0112 3456 7890 189"

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"iban": "FR76 3000 6000 0112 3456 7890 188"}, "Cet IBAN n’est pas valide"),
            ({"iban": ""}, "Indiquez votre IBAN"),
            (
                {"accepts_cash": "", "accepts_cheque": "", "accepts_transfer": ""},
                "Acceptez au moins un moyen de paiement",
            ),
            ({"contact_phone": "bonjour"}, "06 12 34 56 78"),
            ({"name": "X"}, "au moins 2 caractères"),
        ],
    )
    def test_bad_input_changes_nothing(self, catalogue: Catalogue, client_for, changes, message) -> None:
        data = {k: v for k, v in {**self.DATA, **changes}.items() if v != ""}
        response = client_for(catalogue.producer_user).post(reverse("producer_edit", args=["fournil"]), data)
        assert response.status_code == 200
        assert message in response.text
        catalogue.bakery.refresh_from_db()
        assert (catalogue.bakery.name, catalogue.bakery.iban) == ("Fournil du Lauragais", "")


class TestWhoManages:
    def test_producer_accounts_and_coordinators(self, catalogue: Catalogue, client_for) -> None:
        url = reverse("producer_dashboard", args=["fournil"])
        assert client_for(catalogue.producer_user).get(url).status_code == 200
        assert client_for(catalogue.producer_user2).get(url).status_code == 403
        assert client_for(catalogue.member).get(url).status_code == 403
        # The bakery keeps its own catalogue: coordinators no longer edit it.
        assert client_for(catalogue.coordinator).get(url).status_code == 403
        assert client_for(catalogue.site_admin).get(url).status_code == 200
        assert client_for(None).get(url).status_code == 302
        assert client_for(catalogue.producer_user).get("/producers/nowhere/").status_code == 404

    def test_coordinator_keeps_a_catalogue_on_behalf(self, catalogue: Catalogue, client_for) -> None:
        farm = Producer.objects.create(
            name="Ferme sans internet", slug="ferme", managing_group=catalogue.group_a
        )
        Supply.objects.create(producer=farm, group=catalogue.group_a)
        url = reverse("producer_dashboard", args=["ferme"])
        assert client_for(catalogue.coordinator).get(url).status_code == 200
        assert client_for(catalogue.coordinator_b).get(url).status_code == 403  # does not supply B
        assert client_for(catalogue.member).get(url).status_code == 403
        ProducerAccount.objects.create(producer=farm, user=catalogue.outsider)
        assert client_for(catalogue.coordinator).get(url).status_code == 403

    def test_my_producers_goes_to_the_dashboard(self, catalogue: Catalogue, client_for) -> None:
        response = client_for(catalogue.producer_user).get(reverse("my_producers"))
        assert response.url == reverse("producer_dashboard", args=["fournil"])
        assert "Mon exploitation" in client_for(catalogue.producer_user).get("/").text
        assert "Mon exploitation" not in client_for(catalogue.member).get("/").text


class TestCoordinators:
    def test_create_a_producer_and_invite_it(
        self, catalogue: Catalogue, client_for, django_capture_on_commit_callbacks
    ) -> None:
        client = client_for(catalogue.coordinator)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("manage_producer_new", args=["saint-orens"]),
                {
                    "name": "Rucher des Coteaux",
                    "speciality": "Miel",
                    "town": "Lanta",
                    "invite_email": "Ruche@Example.org",
                },
            )
        assert response.status_code == 302
        producer = Producer.objects.get(name="Rucher des Coteaux")
        assert producer.slug == "rucher-des-coteaux"
        assert Supply.objects.filter(producer=producer, group=catalogue.group_a, ended_at=None).exists()
        invitation = ProducerInvitation.objects.get(producer=producer)
        assert invitation.email == "ruche@example.org"
        (message,) = mail.outbox
        assert message.to == ["ruche@example.org"]
        assert invitation.get_absolute_url() in message.body
        assert "Rucher des Coteaux" in message.subject

    def test_invitation_accepted_once(self, catalogue: Catalogue, client_for) -> None:
        ProducerAccount.objects.filter(producer=catalogue.dairy).delete()  # the dairy has no account yet
        client_for(catalogue.coordinator).post(
            reverse("manage_producer_invite", args=["saint-orens", "bergerie"]),
            {"email": "olivier@example.org"},
        )
        invitation = ProducerInvitation.objects.get(producer=catalogue.dairy)
        client = client_for(catalogue.outsider)
        assert "Bergerie" in client.get(invitation.get_absolute_url()).text
        response = client.post(invitation.get_absolute_url())
        assert response.url == reverse("producer_dashboard", args=["bergerie"])
        assert ProducerAccount.objects.filter(producer=catalogue.dairy, user=catalogue.outsider).exists()
        membership = Membership.objects.get(group=catalogue.group_a, user=catalogue.outsider, ended_at=None)
        assert membership.is_producer
        assert not membership.is_member
        # Second use, by someone else: refused, nothing changes.
        response = client_for(catalogue.member).post(invitation.get_absolute_url(), follow=True)
        assert "a expiré ou a déjà été utilisée" in response.text
        assert not ProducerAccount.objects.filter(user=catalogue.member).exists()

    def test_expired_invitation(self, catalogue: Catalogue, client_for) -> None:
        invitation = ProducerInvitation.objects.create(
            producer=catalogue.dairy,
            group=catalogue.group_a,
            email="x@example.org",
            invited_by=catalogue.coordinator,
            created_at=timezone.now() - timedelta(days=31),
        )
        client_for(catalogue.outsider).post(invitation.get_absolute_url())
        assert not ProducerAccount.objects.filter(user=catalogue.outsider).exists()

    def test_invite_with_bad_email(self, catalogue: Catalogue, client_for) -> None:
        ProducerAccount.objects.filter(producer=catalogue.dairy).delete()
        response = client_for(catalogue.coordinator).post(
            reverse("manage_producer_invite", args=["saint-orens", "bergerie"]),
            {"email": "nope"},
            follow=True,
        )
        assert "adresse e-mail valide" in response.text
        assert not ProducerInvitation.objects.exists()

    def test_link_an_existing_producer_and_end_the_supply(self, catalogue: Catalogue, client_for) -> None:
        client = client_for(catalogue.coordinator_b)
        page = client.get(reverse("manage_producer_new", args=["balma"]), {"q": "berg"})
        assert "Ferme de la Bergerie" in page.text
        client.post(reverse("manage_producer_link", args=["balma", "bergerie"]))
        assert Supply.objects.filter(
            producer=catalogue.dairy, group=catalogue.group_b, ended_at=None
        ).exists()
        response = client.post(reverse("manage_producer_link", args=["balma", "bergerie"]), follow=True)
        assert "fournit déjà le groupe" in response.text
        assert "Tomme" in client.get(reverse("group_catalogue", args=["balma"])).text
        client.post(reverse("manage_producer_end", args=["balma", "bergerie"]))
        assert "Tomme" not in client.get(reverse("group_catalogue", args=["balma"])).text
        assert client.get(reverse("group_producer", args=["balma", "bergerie"])).status_code == 404
        # Group A still works with the dairy.
        assert Supply.objects.filter(
            producer=catalogue.dairy, group=catalogue.group_a, ended_at=None
        ).exists()

    def test_create_with_bad_input(self, catalogue: Catalogue, client_for) -> None:
        response = client_for(catalogue.coordinator).post(
            reverse("manage_producer_new", args=["saint-orens"]), {"name": "", "invite_email": "x"}
        )
        assert response.status_code == 200
        assert "Ce champ est obligatoire." in response.text
        assert Producer.objects.count() == 2


class TestMembersBrowse:
    def test_catalogue_search_and_filter(self, catalogue: Catalogue, client_for) -> None:
        client = client_for(catalogue.member)
        page = client.get(reverse("group_catalogue", args=["saint-orens"])).text
        assert all(name in page for name in ("Pain complet", "Brioche", "Tomme"))
        page = client.get(reverse("group_catalogue", args=["saint-orens"]), {"q": "brio"}).text
        assert "Brioche" in page
        assert "Tomme" not in page
        page = client.get(reverse("group_catalogue", args=["saint-orens"]), {"category": "dairy"}).text
        assert "Tomme" in page
        assert "Brioche" not in page
        page = client.get(reverse("group_catalogue", args=["saint-orens"]), {"q": "bergerie"}).text
        assert "Tomme" in page  # by producer name
        assert "environ 18,00\u00a0€ la pièce" in page

    def test_groups_see_only_their_producers(self, catalogue: Catalogue, client_for) -> None:
        page = client_for(catalogue.member_b).get(reverse("group_catalogue", args=["balma"])).text
        assert "Pain complet" in page
        assert "Tomme" not in page

    def test_producer_page_shows_payment_to_members_only(self, catalogue: Catalogue, client_for) -> None:
        catalogue.bakery.cheque_payable_to = "EARL Fournil"
        catalogue.bakery.save()
        url = reverse("group_producer", args=["saint-orens", "fournil"])
        assert "EARL Fournil" in client_for(catalogue.member).get(url).text
        public = client_for(None).get(url).text
        assert "Pain complet" in public
        assert "EARL Fournil" not in public
        assert (
            client_for(catalogue.member)
            .get(reverse("group_producer", args=["balma", "bergerie"]))
            .status_code
            == 404
        )


class TestPhotos:
    @pytest.fixture(autouse=True)
    def _media(self, settings, tmp_path) -> None:
        settings.MEDIA_ROOT = tmp_path

    @staticmethod
    def png(size: tuple[int, int] = (8, 8)) -> bytes:
        import io

        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", size, (200, 120, 40)).save(buffer, "PNG")
        return buffer.getvalue()

    def test_upload_and_show(self, catalogue: Catalogue, client_for) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        photo = SimpleUploadedFile("miche.png", self.png(), content_type="image/png")
        client_for(catalogue.producer_user).post(
            reverse("product_new", args=["fournil"]), {**PRODUCT, "photo": photo}
        )
        product = Product.objects.get(name="Miche au levain")
        assert product.photo.name.startswith("products/miche")
        page = client_for(catalogue.member).get(reverse("group_catalogue", args=["saint-orens"])).text
        assert product.photo.url in page

    def test_not_an_image_is_refused(self, catalogue: Catalogue, client_for) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        fake = SimpleUploadedFile("virus.png", b"MZ not an image", content_type="image/png")
        response = client_for(catalogue.producer_user).post(
            reverse("product_new", args=["fournil"]), {**PRODUCT, "photo": fake}
        )
        assert "Téléversez une image valide" in response.text
        assert not Product.objects.filter(name="Miche au levain").exists()

    def test_too_large_is_refused(self, catalogue: Catalogue, client_for, monkeypatch) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from cabas.catalog import forms

        monkeypatch.setattr(forms, "MAX_PHOTO_BYTES", 10)
        photo = SimpleUploadedFile("big.png", self.png(), content_type="image/png")
        response = client_for(catalogue.producer_user).post(
            reverse("producer_edit", args=["fournil"]),
            {**TestProducerProfile.DATA, "iban": "FR7630006000011234567890189", "photo": photo},
        )
        assert "La photo est trop lourde (5 Mo au plus)." in response.text
        catalogue.bakery.refresh_from_db()
        assert not catalogue.bakery.photo


def test_quick_price_without_javascript_keeps_a_bad_price(catalogue: Catalogue, client_for) -> None:
    response = client_for(catalogue.producer_user).post(
        reverse("product_price", args=["fournil", catalogue.bread.pk]), {"price_cents": "cinq"}
    )
    assert response.status_code == 200
    assert f'id="price-{catalogue.bread.pk}"' in response.text
    assert 'value="cinq"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert response.text.count('aria-invalid="true"') == 1  # only on that row
    catalogue.bread.refresh_from_db()
    assert catalogue.bread.price_cents == 520
