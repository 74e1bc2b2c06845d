"""The demo catalogues: what each kind of producer sells, at what price, and how they work.

Pure data, no database, like ``cabas.demo.data``. One ``RangeCatalogue`` per
product range key of ``data.PRODUCT_RANGES`` (plus the three kinds of Balma
farms); each producer of that range gets a seeded selection of its items,
with prices nudged a little so that two bakeries do not charge the same.

Prices are integer cents per sale unit (per kg for a variable-weight item),
at 2025 prices of organic producers selling directly near Toulouse.
Quantities (step, minimum, carton) are integer thousandths of the sale
unit, as in ``cabas.catalog.models.Product``: ``carton=6000`` is 6 bottles,
``step=500`` is half a kilo. ``size`` is the content of one unit as a
French shopper reads it (« 500 g », « 75 cl », « 1 l »).

VAT follows French rules: 5.5 % for food and soft drinks, 20 % for alcohol,
cosmetics, white chocolate and confectionery (caramels, nougat), 10 % for
garden plants.
"""

from __future__ import annotations

from dataclasses import dataclass

from cabas.catalog.models import Category, SaleUnit, VatRate
from cabas.lib.quantities import ONE

PIECE, KG, LITRE, BOTTLE, JAR, BAG, PACK, BOX, BUNCH = (
    SaleUnit.PIECE,
    SaleUnit.KG,
    SaleUnit.LITRE,
    SaleUnit.BOTTLE,
    SaleUnit.JAR,
    SaleUnit.BAG,
    SaleUnit.PACK,
    SaleUnit.BOX,
    SaleUnit.BUNCH,
)
HALF = ONE // 2
FOOD, STANDARD, PLANTS = VatRate.REDUCED, VatRate.STANDARD, VatRate.INTERMEDIATE


@dataclass(frozen=True)
class ProductText:
    """One item a kind of producer sells. ``weight`` (grams) makes it variable-weight."""

    name: str
    unit: str
    price_cents: int
    size: str = ""
    step: int = ONE
    minimum: int | None = None  # the step when not given
    carton: int | None = None
    weight: int | None = None
    vat: int = FOOD
    category: str | None = None  # the range's category when not given
    description: str = ""


def item(
    name: str,
    unit: str,
    price_cents: int,
    size: str = "",
    text: str = "",
    *,
    step: int = ONE,
    minimum: int | None = None,
    carton: int | None = None,
    weight: int | None = None,
    vat: int = FOOD,
    category: str | None = None,
) -> ProductText:
    """Short form used in the tables below: ``item(name, unit, price, size, description, ...)``."""
    return ProductText(name, unit, price_cents, size, step, minimum, carton, weight, vat, category, text)


@dataclass(frozen=True)
class RangeCatalogue:
    category: str
    products: tuple[ProductText, ...]
    labels: tuple[str, ...]  # drawn per producer; repeated entries weigh more
    practices: tuple[str, ...]  # « farming practice » sentences
    legal_forms: tuple[str, ...]  # who cheques are made out to; "" is the farmer's own name
    staples: tuple[str, ...] = ()  # names every producer of the range sells, never archived


FARM_FORMS = ("EARL", "EARL", "GAEC", "SCEA", "")
CRAFT_FORMS = ("SARL", "SAS", "EURL", "")
ORGANIC = ("AB",) * 6 + ("AB, Nature & Progrès",) * 2 + ("Nature & Progrès",) * 2 + ("",)


BREAD = RangeCatalogue(
    Category.BREAD,
    (
        item(
            "Pain au levain 1 kg",
            PIECE,
            480,
            "1 kg",
            "Notre pain de tous les jours, farine T80 et levain naturel.",
        ),
        item("Pain au levain 500 g", PIECE, 280, "500 g"),
        item("Pain complet 1 kg", PIECE, 520, "1 kg", "Farine T110 de nos blés, mie dense et goûteuse."),
        item("Pain complet 500 g", PIECE, 290, "500 g"),
        item("Pain de seigle 750 g", PIECE, 560, "750 g", "Seigle du Lauragais, se garde une semaine."),
        item("Pain de petit épeautre 500 g", PIECE, 450, "500 g", "Pauvre en gluten, au goût de noisette."),
        item("Pain aux noix 500 g", PIECE, 490, "500 g"),
        item(
            "Pain aux graines 750 g", PIECE, 550, "750 g", "Lin, tournesol et courge dans une pâte au levain."
        ),
        item("Pain aux figues 400 g", PIECE, 480, "400 g"),
        item("Pain aux raisins et noisettes 500 g", PIECE, 520, "500 g"),
        item(
            "Pain de campagne à la coupe",
            KG,
            560,
            step=HALF,
            text="Coupé à la demande dans la grosse tourte.",
        ),
        item("Pain blanc T65 à la coupe", KG, 460, step=HALF),
        item("Tourte de seigle à la coupe", KG, 620, step=HALF),
        item("Baguette de tradition au levain", PIECE, 160, "250 g"),
        item("Pain au sarrasin 500 g", PIECE, 520, "500 g", "Sans blé, pour changer."),
        item("Pain au khorasan 500 g", PIECE, 460, "500 g"),
        item("Pain de mie complet 500 g", PIECE, 420, "500 g"),
        item("Brioche nature 400 g", PIECE, 650, "400 g", "Beurre et œufs de fermes voisines."),
        item("Brioche aux pépites de chocolat 400 g", PIECE, 720, "400 g"),
        item("Brioche tressée au sucre perlé 600 g", PIECE, 890, "600 g"),
        item("Fougasse aux olives", PIECE, 450, "350 g", "Olives noires et huile d'olive."),
        item("Fougasse aux lardons", PIECE, 480, "350 g"),
        item("Fougasse au romarin", PIECE, 400, "300 g"),
        item("Pain d'épices au miel 400 g", PIECE, 680, "400 g", category=Category.SWEETS),
        item("Gâteau à la broche (part)", PIECE, 590, "250 g", category=Category.SWEETS),
    ),
    ORGANIC,
    (
        "Paysans-boulangers : nous semons des blés de pays, les moulons à la meule de pierre "
        "et pétrissons à la main avec un levain naturel.",
        "Pain cuit au four à bois deux fois par semaine, farines bio du Lauragais, sans additif ni levure.",
        "Blés anciens en mélange de variétés, cultivés sans engrais chimique, "
        "en rotation avec la luzerne et la féverole.",
    ),
    FARM_FORMS,
    staples=(
        "Pain au levain 1 kg",
        "Pain complet 1 kg",
        "Pain de seigle 750 g",
        "Pain de campagne à la coupe",
        "Brioche nature 400 g",
        "Fougasse aux olives",
    ),
)

OIL = RangeCatalogue(
    Category.OIL,
    (
        item(
            "Huile de tournesol vierge 1 l",
            BOTTLE,
            690,
            "1 l",
            "Pressée à froid, pour la cuisson.",
            carton=6000,
        ),
        item("Huile de tournesol vierge 75 cl", BOTTLE, 560, "75 cl", carton=6000),
        item("Huile de tournesol vierge 50 cl", BOTTLE, 420, "50 cl", carton=12000),
        item("Huile de tournesol oléique 1 l", BOTTLE, 750, "1 l", "Supporte bien la chaleur.", carton=6000),
        item("Huile de tournesol oléique 50 cl", BOTTLE, 460, "50 cl", carton=12000),
        item(
            "Huile de colza vierge 1 l",
            BOTTLE,
            790,
            "1 l",
            "Riche en oméga 3, pour l'assaisonnement.",
            carton=6000,
        ),
        item("Huile de colza vierge 50 cl", BOTTLE, 490, "50 cl", carton=12000),
        item(
            "Huile d'olive vierge extra 75 cl",
            BOTTLE,
            1450,
            "75 cl",
            "D'un moulin coopératif ami.",
            carton=6000,
        ),
        item("Huile d'olive vierge extra 50 cl", BOTTLE, 1050, "50 cl", carton=12000),
        item("Huile d'olive vierge extra 1 l", BOTTLE, 1850, "1 l", carton=6000),
        item("Huile d'olive en bidon de 3 l", PIECE, 4900, "3 l"),
        item("Huile de cameline 50 cl", BOTTLE, 980, "50 cl", "Goût de petit pois frais, à ne pas chauffer."),
        item("Huile de lin vierge 50 cl", BOTTLE, 1150, "50 cl", "À garder au frais après ouverture."),
        item("Huile de noix 50 cl", BOTTLE, 1390, "50 cl", carton=6000),
        item("Huile de noix 25 cl", BOTTLE, 790, "25 cl", carton=12000),
        item("Huile de noisette 25 cl", BOTTLE, 950, "25 cl"),
        item("Huile de chanvre 50 cl", BOTTLE, 1290, "50 cl"),
        item("Huile de sésame 50 cl", BOTTLE, 990, "50 cl"),
        item(
            "Huile de tournesol en vrac", LITRE, 520, step=HALF, minimum=ONE, text="Apportez vos bouteilles."
        ),
        item("Huile de colza en vrac", LITRE, 580, step=HALF, minimum=ONE),
        item("Graines de tournesol décortiquées 500 g", BAG, 390, "500 g", category=Category.OTHER),
        item("Coffret de trois huiles", BOX, 1890, text="Tournesol, colza et cameline en 25 cl."),
        item("Vinaigrette à l'huile de noix 25 cl", BOTTLE, 590, "25 cl"),
    ),
    ORGANIC,
    (
        "Tournesol, colza et cameline cultivés en rotation longue, pressés à froid à la ferme "
        "et simplement décantés, sans raffinage ni solvant.",
        "Graines triées et pressées à la demande dans notre petit moulin, huiles filtrées sur papier.",
    ),
    FARM_FORMS,
    staples=(
        "Huile de tournesol vierge 1 l",
        "Huile de colza vierge 1 l",
        "Huile d'olive vierge extra 75 cl",
    ),
)

FLOUR = RangeCatalogue(
    Category.FLOUR,
    (
        item(
            "Farine de blé T65 1 kg", BAG, 230, "1 kg", "Pour la pâtisserie et le pain blanc.", carton=10000
        ),
        item("Farine de blé T65 5 kg", BAG, 980, "5 kg"),
        item("Farine de blé T80 1 kg", BAG, 250, "1 kg", "La farine bise des boulangers.", carton=10000),
        item("Farine de blé T80 5 kg", BAG, 1090, "5 kg"),
        item("Farine de blé T110 1 kg", BAG, 260, "1 kg", "Farine semi-complète, pour le pain maison."),
        item("Farine de blé T110 5 kg", BAG, 1150, "5 kg"),
        item("Farine de blé intégrale T150 1 kg", BAG, 280, "1 kg"),
        item("Farine de blé T65 en vrac", KG, 190, step=HALF, minimum=ONE),
        item(
            "Farine de petit épeautre T80 1 kg",
            BAG,
            590,
            "1 kg",
            "Petit épeautre de Haute-Provence, décortiqué ici.",
        ),
        item("Farine d'épeautre T70 1 kg", BAG, 420, "1 kg"),
        item("Farine de seigle T130 1 kg", BAG, 320, "1 kg"),
        item("Farine de sarrasin 1 kg", BAG, 480, "1 kg", "Pour les galettes et les crêpes."),
        item("Farine de maïs 1 kg", BAG, 310, "1 kg"),
        item("Farine de pois chiches 500 g", BAG, 390, "500 g"),
        item("Farine de blés anciens 1 kg", BAG, 450, "1 kg", "Mélange de variétés de pays semées ensemble."),
        item("Lentilles vertes 1 kg", BAG, 480, "1 kg", "Cuisson 25 minutes sans trempage.", carton=10000),
        item("Lentilles vertes 5 kg", BAG, 2150, "5 kg"),
        item("Lentilles vertes en vrac", KG, 440, step=HALF),
        item("Lentilles blondes 1 kg", BAG, 490, "1 kg"),
        item("Pois chiches 1 kg", BAG, 450, "1 kg", "Faire tremper une nuit avant cuisson."),
        item("Pois chiches 5 kg", BAG, 1990, "5 kg"),
        item("Haricots lingots 1 kg", BAG, 690, "1 kg"),
        item("Pois cassés 1 kg", BAG, 420, "1 kg"),
        item("Flocons d'avoine 1 kg", BAG, 380, "1 kg"),
        item("Petit épeautre décortiqué 1 kg", BAG, 650, "1 kg"),
        item("Boulgour de blé dur 1 kg", BAG, 420, "1 kg"),
    ),
    ORGANIC,
    (
        "Céréales et légumineuses en agriculture biologique, assolement sur huit ans, "
        "triées à la ferme et moulues sur meule de pierre à la demande.",
        "Nous cultivons une quinzaine d'espèces en rotation, sans irrigation, et moulons chaque semaine.",
    ),
    FARM_FORMS,
    staples=(
        "Farine de blé T65 1 kg",
        "Farine de blé T80 1 kg",
        "Farine de blé T110 1 kg",
        "Lentilles vertes 1 kg",
        "Pois chiches 1 kg",
    ),
)

MEAT = RangeCatalogue(
    Category.MEAT,
    (
        item("Colis de bœuf 5 kg", KG, 1750, "", "Steaks, rôti, bourguignon et pot-au-feu.", step=5000),
        item("Colis de bœuf 10 kg", KG, 1650, "", "Le colis famille, à congeler.", step=10000),
        item("Colis de veau 5 kg", KG, 1950, "", "Escalopes, rôti, côtes et blanquette.", step=5000),
        item("Colis de veau 3 kg", KG, 2050, step=3000),
        item("Steaks hachés (4 × 125 g)", PACK, 1050, "500 g", "Pur bœuf, 15 % de matière grasse."),
        item("Bœuf bourguignon", KG, 1690, step=HALF, minimum=ONE, text="Paleron et macreuse en cubes."),
        item("Pot-au-feu", KG, 1290, step=HALF, minimum=ONE),
        item("Blanquette de veau", KG, 1890, step=HALF),
        item("Saucisse de Toulouse", KG, 1490, step=HALF, text="Pur porc, hachée gros, sans colorant."),
        item("Chipolatas (barquette de 500 g)", PACK, 790, "500 g"),
        item("Merguez de bœuf", KG, 1690, step=HALF),
        item("Côtes de porc", KG, 1390, step=HALF),
        item("Poitrine de porc fraîche", KG, 1190, step=HALF),
        item("Rôti de bœuf", PIECE, 2990, weight=1000, text="Dans la tranche ou le rumsteck, ficelé."),
        item("Côte de bœuf", PIECE, 3890, weight=1200, text="Maturée trois semaines."),
        item("Entrecôte", PIECE, 3290, weight=350),
        item("Faux-filet", PIECE, 3190, weight=400),
        item("Bavette d'aloyau", PIECE, 2590, weight=300),
        item("Rôti de veau", PIECE, 2790, weight=900),
        item("Jarret de veau (osso buco)", PIECE, 1890, weight=600),
        item("Langue de bœuf", PIECE, 1290, weight=1300),
        item("Rôti de porc dans l'échine", PIECE, 1690, weight=1000),
        item("Saucisson sec", PIECE, 690, "250 g", "Séché trois mois dans notre cave."),
        item("Pâté de campagne 180 g", JAR, 490, "180 g"),
        item("Rillettes de porc 180 g", JAR, 520, "180 g"),
        item("Terrine de bœuf aux cèpes 180 g", JAR, 620, "180 g"),
    ),
    ("AB", "AB", "AB", "AB, Nature & Progrès", "Nature & Progrès", ""),
    (
        "Troupeau de race gasconne au pâturage huit mois par an, foin de la ferme l'hiver, "
        "abattage à l'abattoir de proximité et découpe dans notre atelier.",
        "Porcs élevés en plein air sur parcours boisé, nourris aux céréales de la ferme, "
        "charcuterie faite maison sans nitrite ajouté.",
        "Vaches allaitantes et veaux sous la mère, élevés à l'herbe sans maïs ensilage ni OGM.",
    ),
    FARM_FORMS,
    staples=(
        "Colis de bœuf 5 kg",
        "Colis de veau 5 kg",
        "Saucisse de Toulouse",
        "Rôti de bœuf",
        "Côte de bœuf",
    ),
)

POULTRY = RangeCatalogue(
    Category.POULTRY,
    (
        item("Poulet fermier entier", PIECE, 1490, weight=1800, text="Élevé 110 jours en plein air."),
        item("Gros poulet fermier", PIECE, 1450, weight=2400),
        item("Poulet découpé en 8 morceaux", PIECE, 1590, weight=1700),
        item("Pintade fermière", PIECE, 1690, weight=1400, text="Chair ferme au goût de gibier."),
        item("Canette", PIECE, 1590, weight=1800),
        item("Coquelet", PIECE, 1590, weight=700),
        item("Chapon de Noël", PIECE, 2290, weight=3500, text="Sur commande pour les fêtes."),
        item("Poule au pot", PIECE, 890, weight=2000),
        item("Magret de canard", PIECE, 2890, weight=400),
        item("Cuisses de poulet", KG, 1390, step=HALF),
        item("Filets de poulet", KG, 2490, step=HALF),
        item("Ailes de poulet", KG, 890, step=HALF),
        item("Suprêmes de pintade", KG, 2690, step=HALF),
        item("Saucisses de volaille", KG, 1590, step=HALF),
        item("Foies de volaille (barquette de 500 g)", PACK, 550, "500 g"),
        item("Cuisses de canard confites", JAR, 1690, "750 g", "Deux cuisses dans leur graisse."),
        item("Foie gras de canard entier 180 g", JAR, 3290, "180 g"),
        item("Rillettes de canard 180 g", JAR, 650, "180 g"),
        item("Gésiers de canard confits 350 g", JAR, 790, "350 g"),
        item("Bouillon de volaille 1 l", JAR, 590, "1 l"),
        item("Œufs frais (boîte de 6)", PACK, 250, "", "Pondus par nos poules en plein air.", carton=12000),
        item("Œufs frais (boîte de 12)", PACK, 480, carton=6000),
        item("Plateau de 30 œufs", PACK, 1150),
        item("Œufs de cane (boîte de 6)", PACK, 420),
    ),
    ("AB", "AB", "AB", "AB, Label Rouge", "Label Rouge", "Nature & Progrès"),
    (
        "Volailles de souches à croissance lente, élevées au moins 110 jours en plein air "
        "et nourries aux céréales de la ferme, abattues sur place.",
        "Petits bâtiments mobiles déplacés sur la prairie, parcours arborés, "
        "pas plus de 500 volailles par lot.",
    ),
    FARM_FORMS,
    staples=(
        "Poulet fermier entier",
        "Pintade fermière",
        "Œufs frais (boîte de 6)",
        "Œufs frais (boîte de 12)",
    ),
)

BEER = RangeCatalogue(
    Category.DRINKS,
    (
        item(
            "Bière blonde 33 cl",
            BOTTLE,
            290,
            "33 cl",
            "Légère et désaltérante, 5 %.",
            carton=24000,
            vat=STANDARD,
        ),
        item("Bière blonde 75 cl", BOTTLE, 650, "75 cl", carton=12000, vat=STANDARD),
        item(
            "Bière ambrée 33 cl", BOTTLE, 300, "33 cl", "Notes de caramel, 6 %.", carton=24000, vat=STANDARD
        ),
        item("Bière ambrée 75 cl", BOTTLE, 670, "75 cl", carton=12000, vat=STANDARD),
        item(
            "Bière blanche 33 cl",
            BOTTLE,
            290,
            "33 cl",
            "Blé, coriandre et zeste d'orange.",
            carton=24000,
            vat=STANDARD,
        ),
        item("Bière blanche 75 cl", BOTTLE, 650, "75 cl", carton=12000, vat=STANDARD),
        item("IPA 33 cl", BOTTLE, 330, "33 cl", "Houblonnée et amère, 6,5 %.", carton=12000, vat=STANDARD),
        item("IPA 75 cl", BOTTLE, 720, "75 cl", carton=12000, vat=STANDARD),
        item("Bière brune 33 cl", BOTTLE, 310, "33 cl", carton=24000, vat=STANDARD),
        item("Bière brune 75 cl", BOTTLE, 690, "75 cl", carton=12000, vat=STANDARD),
        item("Triple 33 cl", BOTTLE, 350, "33 cl", "Ronde et forte, 8,5 %.", carton=12000, vat=STANDARD),
        item("Bière de saison 75 cl", BOTTLE, 720, "75 cl", carton=12000, vat=STANDARD),
        item("Stout 33 cl", BOTTLE, 340, "33 cl", carton=24000, vat=STANDARD),
        item(
            "Bière au miel 33 cl",
            BOTTLE,
            330,
            "33 cl",
            "Avec le miel d'un rucher voisin.",
            carton=12000,
            vat=STANDARD,
        ),
        item("Bière aux fruits rouges 33 cl", BOTTLE, 340, "33 cl", carton=24000, vat=STANDARD),
        item("Bière de Noël 75 cl", BOTTLE, 790, "75 cl", carton=12000, vat=STANDARD),
        item("Bière au seigle 33 cl", BOTTLE, 320, "33 cl", carton=24000, vat=STANDARD),
        item("Bière sans alcool 33 cl", BOTTLE, 260, "33 cl", carton=24000),
        item("Limonade artisanale 33 cl", BOTTLE, 220, "33 cl", "Citron et sucre de canne.", carton=24000),
        item("Fût de bière blonde 5 l", PIECE, 2900, "5 l", "Consigne du fût : 10 €.", vat=STANDARD),
        item("Coffret découverte 6 bières", BOX, 1790, text="Six bières de 33 cl de la gamme.", vat=STANDARD),
        item("Verre à bière gravé", PIECE, 450, vat=STANDARD, category=Category.OTHER),
    ),
    ("AB", "AB", "AB", "AB, Nature & Progrès", ""),
    (
        "Bières brassées au malt d'orge bio et au houblon d'Occitanie, non filtrées, non pasteurisées "
        "et refermentées en bouteille.",
        "Drêches données aux éleveurs voisins, bouteilles consignées et lavées à la brasserie.",
    ),
    CRAFT_FORMS,
    staples=(
        "Bière blonde 33 cl",
        "Bière ambrée 33 cl",
        "Bière blonde 75 cl",
    ),
)

WINE = RangeCatalogue(
    Category.DRINKS,
    (
        item(
            "Rouge tradition 75 cl", BOTTLE, 750, "75 cl", "Fruité, à boire jeune.", carton=6000, vat=STANDARD
        ),
        item(
            "Rouge élevé en fût 75 cl",
            BOTTLE,
            1250,
            "75 cl",
            "Douze mois en barrique.",
            carton=6000,
            vat=STANDARD,
        ),
        item("Rouge cuvée prestige 75 cl", BOTTLE, 1650, "75 cl", carton=6000, vat=STANDARD),
        item("Rouge sans sulfites ajoutés 75 cl", BOTTLE, 1350, "75 cl", carton=6000, vat=STANDARD),
        item("Rouge tradition 37,5 cl", BOTTLE, 490, "375 ml", carton=12000, vat=STANDARD),
        item("Rouge magnum 1,5 l", BOTTLE, 1650, "1,5 l", vat=STANDARD),
        item(
            "Rosé 75 cl", BOTTLE, 690, "75 cl", "Rosé de saignée, vif et fruité.", carton=6000, vat=STANDARD
        ),
        item("Rosé de pressurage 75 cl", BOTTLE, 750, "75 cl", carton=6000, vat=STANDARD),
        item(
            "Blanc sec 75 cl",
            BOTTLE,
            790,
            "75 cl",
            "Pour l'apéritif et les fruits de mer.",
            carton=6000,
            vat=STANDARD,
        ),
        item("Blanc doux 75 cl", BOTTLE, 1190, "75 cl", "Vendanges tardives.", carton=6000, vat=STANDARD),
        item("Blanc perlé 75 cl", BOTTLE, 850, "75 cl", carton=6000, vat=STANDARD),
        item(
            "Pétillant naturel 75 cl",
            BOTTLE,
            1190,
            "75 cl",
            "Une seule fermentation, en bouteille.",
            carton=6000,
            vat=STANDARD,
        ),
        item("Méthode ancestrale 75 cl", BOTTLE, 1290, "75 cl", carton=6000, vat=STANDARD),
        item(
            "Cubi de rouge 5 l", BOX, 2400, "5 l", "Se conserve six semaines après ouverture.", vat=STANDARD
        ),
        item("Cubi de rosé 5 l", BOX, 2300, "5 l", vat=STANDARD),
        item("Cubi de blanc 3 l", BOX, 1790, "3 l", vat=STANDARD),
        item("Vin de noix 50 cl", BOTTLE, 1450, "50 cl", vat=STANDARD),
        item("Ratafia 50 cl", BOTTLE, 1390, "50 cl", vat=STANDARD),
        item("Jus de raisin 1 l", BOTTLE, 450, "1 l", "Pur jus de nos raisins, non fermenté.", carton=6000),
        item("Vinaigre de vin 50 cl", BOTTLE, 590, "50 cl", category=Category.OTHER),
        item("Coffret 3 bouteilles", BOX, 2490, text="Rouge, rosé et blanc, en caisse bois.", vat=STANDARD),
    ),
    ("AB", "AB", "AB, Demeter", "Demeter", "AB, Nature & Progrès", ""),
    (
        "Vignes enherbées, travail du sol au cheval, vendanges à la main et levures indigènes ; "
        "très peu de sulfites à la mise en bouteille.",
        "Domaine en biodynamie depuis 2010 : cépages du Sud-Ouest, rendements faibles, "
        "vinification en cuves béton.",
    ),
    FARM_FORMS,
    staples=(
        "Rouge tradition 75 cl",
        "Rosé 75 cl",
        "Blanc sec 75 cl",
    ),
)

JUICE = RangeCatalogue(
    Category.DRINKS,
    (
        item("Jus de pomme 1 l", BOTTLE, 320, "1 l", "Pur jus de pommes de variétés anciennes.", carton=6000),
        item("Jus de pomme 25 cl", BOTTLE, 150, "25 cl", carton=12000),
        item("Jus de pomme en cubi de 3 l", BOX, 990, "3 l", "Se garde un mois après ouverture."),
        item("Jus de pomme en cubi de 5 l", BOX, 1450, "5 l"),
        item("Jus de pomme-poire 1 l", BOTTLE, 350, "1 l", carton=6000),
        item("Jus de pomme-coing 1 l", BOTTLE, 360, "1 l", carton=6000),
        item("Jus de pomme-framboise 1 l", BOTTLE, 420, "1 l", carton=6000),
        item("Jus de pomme-cassis 1 l", BOTTLE, 420, "1 l", carton=6000),
        item("Jus de raisin 1 l", BOTTLE, 380, "1 l", carton=6000),
        item("Jus de poire 1 l", BOTTLE, 390, "1 l", "Poires Williams bien mûres.", carton=6000),
        item(
            "Nectar de pêche 1 l",
            BOTTLE,
            420,
            "1 l",
            "Pêches de vigne et un peu de sucre de canne.",
            carton=6000,
        ),
        item("Nectar d'abricot 75 cl", BOTTLE, 390, "75 cl", carton=6000),
        item("Nectar de prune 75 cl", BOTTLE, 390, "75 cl", carton=6000),
        item("Pétillant de pomme 75 cl", BOTTLE, 490, "75 cl", "Sans alcool, pour les fêtes."),
        item("Cidre brut 75 cl", BOTTLE, 450, "75 cl", carton=6000, vat=STANDARD),
        item("Cidre doux 75 cl", BOTTLE, 450, "75 cl", carton=6000, vat=STANDARD),
        item("Sirop de cassis 50 cl", BOTTLE, 690, "50 cl"),
        item("Vinaigre de cidre 50 cl", BOTTLE, 390, "50 cl", category=Category.OTHER),
        item("Compote de pommes 700 g", JAR, 480, "700 g", "Sans sucre ajouté.", category=Category.FRUIT),
        item("Compote pomme-abricot 350 g", JAR, 320, "350 g", category=Category.FRUIT),
        item("Gelée de pommes 250 g", JAR, 390, "250 g", category=Category.FRUIT),
        item("Pommes à croquer", KG, 280, step=ONE, minimum=2 * ONE, category=Category.FRUIT),
    ),
    ("AB", "AB", "AB", "AB, Nature & Progrès", "Nature & Progrès", ""),
    (
        "Vergers de plein vent et variétés anciennes, enherbement et haies, aucun traitement de synthèse ; "
        "fruits pressés dans la semaine et pasteurisés doucement.",
        "Nous taillons, cueillons et pressons nous-mêmes ; les fruits abîmés finissent en compote, "
        "pas à la poubelle.",
    ),
    FARM_FORMS,
    staples=(
        "Jus de pomme 1 l",
        "Nectar de pêche 1 l",
    ),
)

HERBAL_TEA = RangeCatalogue(
    Category.OTHER,
    (
        item("Tisane verveine citronnée 30 g", BAG, 450, "30 g", "Feuilles entières, pour l'après-repas."),
        item("Tisane tilleul 30 g", BAG, 450, "30 g", "Bractées et fleurs cueillies en juin."),
        item("Tisane menthe poivrée 30 g", BAG, 420, "30 g"),
        item("Tisane camomille romaine 30 g", BAG, 520, "30 g"),
        item("Tisane mélisse 30 g", BAG, 420, "30 g"),
        item("Tisane ortie 50 g", BAG, 420, "50 g"),
        item("Tisane sauge officinale 30 g", BAG, 420, "30 g"),
        item("Mélange digestion 50 g", BAG, 590, "50 g", "Menthe, fenouil et mélisse."),
        item("Mélange sommeil 50 g", BAG, 590, "50 g", "Tilleul, verveine et aubépine."),
        item("Mélange hiver 50 g", BAG, 590, "50 g", "Thym, sureau et cynorrhodon."),
        item("Mélange détente 50 g", BAG, 590, "50 g"),
        item("Mélange enfants 30 g", BAG, 480, "30 g"),
        item("Thym séché 30 g", BAG, 390, "30 g"),
        item("Herbes de Provence 50 g", BAG, 450, "50 g"),
        item("Sel aux herbes 200 g", JAR, 550, "200 g", "Sel de Camargue et herbes du jardin."),
        item("Sirop de sureau 50 cl", BOTTLE, 790, "50 cl", category=Category.DRINKS),
        item("Sirop de menthe 50 cl", BOTTLE, 790, "50 cl", category=Category.DRINKS),
        item("Sirop de thym 25 cl", BOTTLE, 550, "25 cl", category=Category.DRINKS),
        item("Coffret de quatre tisanes", BOX, 1690, text="Quatre sachets de 30 g à offrir."),
        item(
            "Eau florale de lavande 200 ml", BOTTLE, 890, "200 ml", vat=STANDARD, category=Category.COSMETICS
        ),
        item("Macérat de calendula 100 ml", BOTTLE, 990, "100 ml", vat=STANDARD, category=Category.COSMETICS),
    ),
    ("AB", "AB", "AB, Nature & Progrès", "Nature & Progrès", "Simples", ""),
    (
        "Plantes cultivées sur un demi-hectare sans pesticides ni engrais, cueillies à la main "
        "et séchées à l'ombre dans notre séchoir solaire.",
        "Cueillette sauvage raisonnée sur les coteaux et culture en buttes, "
        "tout est trié et conditionné à la main.",
    ),
    FARM_FORMS,
    staples=(
        "Tisane verveine citronnée 30 g",
        "Tisane tilleul 30 g",
        "Mélange digestion 50 g",
    ),
)

COSMETICS = RangeCatalogue(
    Category.COSMETICS,
    (
        item(
            "Savon au lait de chèvre 100 g",
            PIECE,
            550,
            "100 g",
            "Saponifié à froid, doux pour les peaux sèches.",
            vat=STANDARD,
        ),
        item("Savon à l'huile d'olive 100 g", PIECE, 500, "100 g", vat=STANDARD),
        item("Savon lavande 100 g", PIECE, 550, "100 g", "Huile essentielle de lavande fine.", vat=STANDARD),
        item("Savon calendula 100 g", PIECE, 550, "100 g", vat=STANDARD),
        item(
            "Savon à l'argile verte 100 g",
            PIECE,
            550,
            "100 g",
            "Pour les peaux mixtes à grasses.",
            vat=STANDARD,
        ),
        item("Savon surgras au karité 100 g", PIECE, 600, "100 g", vat=STANDARD),
        item("Savon au miel 100 g", PIECE, 580, "100 g", vat=STANDARD),
        item("Savon exfoliant au marc de café 100 g", PIECE, 550, "100 g", vat=STANDARD),
        item(
            "Shampoing solide cheveux normaux",
            PIECE,
            850,
            "70 g",
            "Dure autant que deux flacons.",
            vat=STANDARD,
        ),
        item("Shampoing solide cheveux gras", PIECE, 850, "70 g", vat=STANDARD),
        item("Shampoing solide à l'ortie", PIECE, 890, "70 g", vat=STANDARD),
        item("Après-shampoing solide", PIECE, 790, "50 g", vat=STANDARD),
        item("Baume à lèvres", PIECE, 450, "10 g", "Cire d'abeille et beurre de karité.", vat=STANDARD),
        item(
            "Baume réparateur au calendula",
            JAR,
            1150,
            "50 ml",
            "Pour les mains abîmées par le jardin.",
            vat=STANDARD,
        ),
        item("Baume à la cire d'abeille", JAR, 890, "30 g", vat=STANDARD),
        item("Crème hydratante visage", JAR, 1690, "50 ml", vat=STANDARD),
        item("Déodorant solide", JAR, 890, "50 g", "Sans sels d'aluminium.", vat=STANDARD),
        item("Dentifrice solide", JAR, 690, "30 g", vat=STANDARD),
        item("Huile de massage à l'arnica", BOTTLE, 1290, "100 ml", vat=STANDARD),
        item("Lessive au savon de Marseille 1 l", BOTTLE, 790, "1 l", vat=STANDARD),
        item("Liquide vaisselle 500 ml", BOTTLE, 490, "500 ml", vat=STANDARD),
        item("Savon noir 1 l", BOTTLE, 890, "1 l", "Pour toute la maison.", vat=STANDARD),
        item("Porte-savon en bois", PIECE, 450, vat=STANDARD),
        item(
            "Lot de trois savons",
            BOX,
            1490,
            text="Trois savons de 100 g au choix de la savonnière.",
            vat=STANDARD,
        ),
    ),
    ("Nature & Progrès", "Nature & Progrès", "Cosmébio", "Cosmébio, Slow Cosmétique", "Slow Cosmétique", ""),
    (
        "Savons saponifiés à froid en petites séries, huiles végétales bio et locales, "
        "plantes du jardin, ni huile de palme ni parfum de synthèse.",
        "Formules courtes, emballages en papier et bocaux consignés ; chaque lot est déclaré et testé.",
    ),
    CRAFT_FORMS,
    staples=(
        "Savon au lait de chèvre 100 g",
        "Shampoing solide cheveux normaux",
        "Baume à lèvres",
    ),
)

HONEY = RangeCatalogue(
    Category.HONEY,
    (
        item("Miel de tournesol 250 g", JAR, 490, "250 g"),
        item("Miel de tournesol 500 g", JAR, 850, "500 g", "Crémeux, doux et fruité.", carton=6000),
        item("Miel de tournesol 1 kg", JAR, 1550, "1 kg"),
        item("Miel toutes fleurs 250 g", JAR, 480, "250 g"),
        item(
            "Miel toutes fleurs 500 g", JAR, 850, "500 g", "Le miel de printemps de nos coteaux.", carton=6000
        ),
        item("Miel toutes fleurs 1 kg", JAR, 1550, "1 kg"),
        item("Miel de châtaignier 250 g", JAR, 550, "250 g"),
        item("Miel de châtaignier 500 g", JAR, 980, "500 g", "Corsé et un peu amer, récolté en Ariège."),
        item("Miel de châtaignier 1 kg", JAR, 1790, "1 kg"),
        item("Miel d'acacia 250 g", JAR, 590, "250 g"),
        item("Miel d'acacia 500 g", JAR, 1050, "500 g", "Reste liquide, idéal pour sucrer."),
        item("Miel de montagne 500 g", JAR, 1050, "500 g", "Transhumance d'été dans les Pyrénées."),
        item("Miel de bruyère 500 g", JAR, 1090, "500 g"),
        item("Miel de lavande 250 g", JAR, 650, "250 g"),
        item("Miel de tilleul 500 g", JAR, 990, "500 g"),
        item("Miel de sarrasin 500 g", JAR, 990, "500 g"),
        item("Pollen de fleurs séché 250 g", JAR, 1190, "250 g"),
        item("Teinture de propolis 15 ml", BOTTLE, 890, "15 ml"),
        item("Pain d'épices au miel", PIECE, 690, "400 g", category=Category.SWEETS),
        item("Nougat au miel 100 g", PIECE, 490, "100 g", vat=STANDARD, category=Category.SWEETS),
        item("Bonbons au miel 100 g", BAG, 390, "100 g", vat=STANDARD, category=Category.SWEETS),
        item("Bougie en cire d'abeille", PIECE, 750, vat=STANDARD, category=Category.OTHER),
        item("Pain de cire d'abeille 100 g", PIECE, 450, "100 g", vat=STANDARD, category=Category.OTHER),
    ),
    ("AB", "AB", "AB", "AB", "Nature & Progrès", ""),
    (
        "Trois cents ruches sédentaires sur les coteaux et en transhumance dans les Pyrénées l'été ; "
        "miel extrait à froid, jamais chauffé ni filtré finement.",
        "Reines élevées au rucher, nourrissement limité au sucre bio, cire renouvelée chaque année.",
    ),
    FARM_FORMS,
    staples=(
        "Miel de tournesol 500 g",
        "Miel toutes fleurs 500 g",
        "Miel de châtaignier 500 g",
    ),
)

CHOCOLATE = RangeCatalogue(
    Category.SWEETS,
    (
        item(
            "Tablette noir 70 % 100 g", PIECE, 390, "100 g", "Cacao du Pérou, corsé et fruité.", carton=10000
        ),
        item("Tablette noir 85 % 100 g", PIECE, 420, "100 g"),
        item("Tablette lait 40 % 100 g", PIECE, 390, "100 g", carton=10000),
        item("Tablette noir amandes 100 g", PIECE, 450, "100 g"),
        item("Tablette noir noisettes 100 g", PIECE, 450, "100 g"),
        item("Tablette lait noisettes entières 100 g", PIECE, 460, "100 g", "Noisettes du Lot-et-Garonne."),
        item("Tablette noir orange 100 g", PIECE, 440, "100 g"),
        item("Tablette noir piment d'Espelette 100 g", PIECE, 460, "100 g"),
        item("Tablette noir fleur de sel 100 g", PIECE, 440, "100 g"),
        item("Tablette chocolat blanc vanille 100 g", PIECE, 420, "100 g", vat=STANDARD),
        item("Pralinés assortis 200 g", BOX, 1590, "200 g", "Ballotin de seize chocolats."),
        item("Pralinés assortis 400 g", BOX, 2990, "400 g"),
        item("Truffes au cacao 200 g", BOX, 1290, "200 g"),
        item("Orangettes 150 g", BOX, 1090, "150 g", "Écorces d'orange confites enrobées de noir."),
        item("Mendiants 150 g", BAG, 990, "150 g"),
        item("Rochers praliné 150 g", BAG, 990, "150 g"),
        item("Pâte à tartiner noisettes 250 g", JAR, 790, "250 g", "Sans huile de palme, 40 % de noisettes."),
        item("Caramels au beurre salé 150 g", BAG, 690, "150 g", vat=STANDARD),
        item("Cacao en poudre 250 g", BAG, 790, "250 g"),
        item("Chocolat de couverture 500 g", BAG, 1350, "500 g", "Pistoles noir 64 % pour la pâtisserie."),
        item("Chocolat de couverture 1 kg", BAG, 2490, "1 kg"),
        item("Chocolat chaud à l'ancienne 250 g", BAG, 690, "250 g"),
        item("Fèves de cacao torréfiées 200 g", BAG, 650, "200 g"),
    ),
    ("AB, commerce équitable", "AB, commerce équitable", "AB", "AB", "Nature & Progrès", ""),
    (
        "Fèves bio achetées directement à des coopératives du Pérou et de Madagascar, "
        "torréfiées et conchées à l'atelier ; sucre de canne équitable, lait d'une ferme voisine.",
        "Petite fabrication à la main, sans lécithine ni arôme ajouté.",
    ),
    CRAFT_FORMS,
    staples=(
        "Tablette noir 70 % 100 g",
        "Tablette lait 40 % 100 g",
        "Pralinés assortis 200 g",
    ),
)

BISCUITS = RangeCatalogue(
    Category.SWEETS,
    (
        item("Sablés nature 200 g", BAG, 390, "200 g", "Farine T65, beurre et sucre blond.", carton=10000),
        item("Sablés nature 500 g", BAG, 850, "500 g"),
        item("Sablés au citron 200 g", BAG, 420, "200 g"),
        item("Sablés au chocolat 200 g", BAG, 430, "200 g"),
        item("Croquants aux amandes 200 g", BAG, 490, "200 g", "La recette du Tarn, bien croquante."),
        item("Croquants aux amandes 500 g", BAG, 1090, "500 g"),
        item("Croquants aux noisettes 200 g", BAG, 490, "200 g"),
        item("Navettes à la fleur d'oranger 200 g", BAG, 450, "200 g"),
        item("Madeleines au miel 250 g", BAG, 520, "250 g", "Huit madeleines moelleuses."),
        item("Cookies chocolat-noisettes 200 g", BAG, 450, "200 g"),
        item("Galettes pur beurre 200 g", BAG, 420, "200 g"),
        item("Biscuits apéritifs romarin 100 g", BAG, 390, "100 g"),
        item("Crackers aux graines 150 g", BAG, 390, "150 g"),
        item(
            "Biscuits au sarrasin sans gluten 200 g",
            BAG,
            520,
            "200 g",
            "Préparés dans un atelier sans gluten.",
        ),
        item("Meringues 100 g", BAG, 350, "100 g"),
        item("Tuiles aux amandes 150 g", BAG, 480, "150 g"),
        item("Gâteau basque", PIECE, 1190, "500 g", "Crème pâtissière ou cerise noire, selon la saison."),
        item("Cake au citron", PIECE, 790, "400 g"),
        item("Pain d'épices", PIECE, 650, "400 g"),
        item("Granola au miel 500 g", BAG, 790, "500 g"),
        item("Croquants aux amandes 1 kg", BAG, 2090, "1 kg"),
        item("Biscuits de Noël 300 g", BOX, 890, "300 g"),
    ),
    ("AB", "AB", "AB", "AB, Nature & Progrès", ""),
    (
        "Biscuits cuits chaque semaine avec les farines, le miel et les œufs de producteurs voisins, "
        "beurre de laiterie, sans conservateur.",
        "Atelier artisanal : pâtes façonnées à la main, cuisson lente, sachets kraft compostables.",
    ),
    CRAFT_FORMS,
    staples=(
        "Sablés nature 200 g",
        "Croquants aux amandes 200 g",
    ),
)

DRIED_FRUIT = RangeCatalogue(
    Category.FRUIT,
    (
        item(
            "Pruneaux d'Agen 500 g",
            BAG,
            650,
            "500 g",
            "Prune d'ente séchée au four à la ferme.",
            carton=10000,
        ),
        item("Pruneaux d'Agen 1 kg", BAG, 1150, "1 kg"),
        item("Pruneaux d'Agen en vrac", KG, 1090, step=HALF),
        item("Abricots secs 250 g", BAG, 590, "250 g"),
        item("Abricots secs 500 g", BAG, 1090, "500 g", "Séchés au soleil, sans soufre."),
        item("Noix entières en vrac", KG, 650, step=HALF, minimum=ONE, text="Noix de Grenoble de l'année."),
        item("Cerneaux de noix 250 g", BAG, 690, "250 g"),
        item("Cerneaux de noix 500 g", BAG, 1290, "500 g", "Cassés à la main, pour le pain et les salades."),
        item("Cerneaux de noix 1 kg", BAG, 2390, "1 kg"),
        item("Cerneaux de noix en vrac", KG, 2190, step=HALF),
        item("Noisettes décortiquées 250 g", BAG, 650, "250 g"),
        item("Amandes décortiquées 250 g", BAG, 790, "250 g"),
        item("Amandes décortiquées 500 g", BAG, 1490, "500 g"),
        item("Amandes grillées salées 200 g", BAG, 450, "200 g"),
        item("Pommes séchées 100 g", BAG, 390, "100 g"),
        item("Poires séchées 100 g", BAG, 420, "100 g"),
        item("Figues séchées 250 g", BAG, 690, "250 g"),
        item("Raisins secs 500 g", BAG, 590, "500 g"),
        item("Mélange montagnard 250 g", BAG, 620, "250 g", "Noix, noisettes, raisins et abricots."),
        item("Pruneaux fourrés 250 g", BOX, 790, "250 g"),
        item("Pêches au sirop 720 g", JAR, 720, "720 g"),
        item("Crème de pruneaux 220 g", JAR, 520, "220 g"),
        item("Purée d'amandes 250 g", JAR, 890, "250 g"),
        item("Huile de noix 25 cl", BOTTLE, 790, "25 cl", category=Category.OIL),
    ),
    ("AB", "AB", "AB", "AB, Nature & Progrès", "Nature & Progrès", ""),
    (
        "Vergers de pruniers d'ente et de noyers conduits en bio, fruits séchés doucement "
        "au séchoir de la ferme, sans conservateur ni sucre ajouté.",
        "Nous cassons les noix l'hiver, à la main, avec des voisins ; rien n'est traité après récolte.",
    ),
    FARM_FORMS,
    staples=(
        "Pruneaux d'Agen 500 g",
        "Pruneaux d'Agen en vrac",
        "Abricots secs 250 g",
        "Cerneaux de noix 250 g",
    ),
)

# --- Balma's three farms --------------------------------------------------------------

VEGETABLES = RangeCatalogue(
    Category.VEGETABLES,
    (
        item("Panier de légumes (petit)", BOX, 1200, "", "Environ 3 kg de légumes de la semaine."),
        item("Panier de légumes (grand)", BOX, 1800, "", "Environ 5 kg, pour une famille."),
        item("Pommes de terre", KG, 240, step=HALF, minimum=ONE),
        item("Carottes", KG, 280, step=HALF),
        item("Oignons jaunes", KG, 290, step=HALF),
        item("Échalotes", KG, 690, step=HALF),
        item("Ail", KG, 1490, step=250, text="Ail violet séché à la ferme."),
        item("Courgettes", KG, 320, step=HALF),
        item("Tomates anciennes", KG, 490, step=HALF, text="Cœur de bœuf, noire de Crimée, ananas."),
        item("Aubergines", KG, 450, step=HALF),
        item("Poivrons", KG, 590, step=HALF),
        item("Haricots verts", KG, 790, step=HALF),
        item("Épinards", KG, 690, step=HALF),
        item("Betteraves", KG, 350, step=HALF),
        item("Poireaux", KG, 350, step=HALF),
        item("Courge butternut", PIECE, 280, weight=1200),
        item("Potimarron", PIECE, 290, weight=1300, text="Se garde tout l'hiver."),
        item("Salade batavia", PIECE, 150),
        item("Laitue feuille de chêne", PIECE, 150),
        item("Chou vert", PIECE, 250),
        item("Concombre", PIECE, 150),
        item("Radis", BUNCH, 190),
        item("Blettes", BUNCH, 280),
        item("Persil", BUNCH, 150),
        item(
            "Plants de tomates",
            PIECE,
            250,
            "",
            "En godet, variétés anciennes.",
            vat=PLANTS,
            category=Category.OTHER,
        ),
    ),
    ("AB",),
    ("Maraîchage sur sol vivant : engrais verts, paillage, pas de travail profond ; semences paysannes.",),
    FARM_FORMS,
    staples=(
        "Panier de légumes (petit)",
        "Pommes de terre",
        "Carottes",
        "Courge butternut",
    ),
)

GOAT_CHEESE = RangeCatalogue(
    Category.DAIRY,
    (
        item("Crottin frais", PIECE, 250, "80 g", "Moulé à la louche le matin même."),
        item("Crottin affiné", PIECE, 280, "70 g"),
        item("Cabécous (par 6)", PACK, 650, "210 g"),
        item("Bûche cendrée", PIECE, 590, "200 g"),
        item("Pyramide cendrée", PIECE, 620, "200 g"),
        item("Chèvre frais nature 150 g", JAR, 290, "150 g"),
        item("Chèvre frais aux herbes 150 g", JAR, 320, "150 g"),
        item("Chèvre à l'huile et aux herbes 300 g", JAR, 890, "300 g"),
        item("Faisselle de chèvre 500 g", JAR, 390, "500 g"),
        item("Fromage blanc de chèvre 500 g", JAR, 450, "500 g"),
        item("Tomme de chèvre à la coupe", KG, 2490, step=250, text="Affinée trois mois en cave."),
        item("Tomme de chèvre entière", PIECE, 2290, weight=1500),
        item("Yaourts de chèvre nature (4 × 125 g)", PACK, 390, "500 g"),
        item("Yaourts de chèvre aux fruits (4 × 125 g)", PACK, 420, "500 g"),
        item("Lait de chèvre cru 1 l", BOTTLE, 220, "1 l", "À faire bouillir avant consommation."),
        item("Colis de chevreau 2 kg", KG, 1590, step=2000, category=Category.MEAT),
        item("Savon au lait de chèvre 100 g", PIECE, 550, "100 g", vat=STANDARD, category=Category.COSMETICS),
    ),
    ("AB", "AB, Nature & Progrès"),
    ("Chèvres alpines au pâturage, traite à la main, fromages au lait cru moulés à la louche.",),
    FARM_FORMS,
    staples=(
        "Crottin frais",
        "Tomme de chèvre entière",
    ),
)

EGGS = RangeCatalogue(
    Category.DAIRY,
    (
        item("Œufs frais (boîte de 6)", PACK, 250, "", "Ramassés le matin même.", carton=12000),
        item("Œufs frais (boîte de 12)", PACK, 470, carton=6000),
        item("Plateau de 30 œufs", PACK, 1150),
        item("Œufs extra-frais (boîte de 6)", PACK, 270),
        item("Œufs à l'unité", PIECE, 45, step=ONE, minimum=6 * ONE),
        item("Œufs de cane (boîte de 6)", PACK, 420),
        item("Œufs de caille (boîte de 12)", PACK, 380),
        item("Poulet fermier", PIECE, 1490, weight=1900, category=Category.POULTRY),
        item(
            "Poule de réforme",
            PIECE,
            690,
            weight=1800,
            text="Parfaite en poule au pot.",
            category=Category.POULTRY,
        ),
        item("Tagliatelles fraîches aux œufs 250 g", PACK, 320, "250 g", category=Category.OTHER),
        item("Coquillettes aux œufs 500 g", BAG, 420, "500 g", category=Category.OTHER),
        item("Mayonnaise maison 180 g", JAR, 390, "180 g", category=Category.OTHER),
        item("Crêpes (par 6)", PACK, 450, category=Category.SWEETS),
        item("Madeleines aux œufs 250 g", BAG, 450, "250 g", category=Category.SWEETS),
        item("Flan pâtissier", PIECE, 890, "600 g", category=Category.SWEETS),
        item("Quiche aux légumes", PIECE, 950, "", "Six parts.", category=Category.OTHER),
        item("Sablés aux œufs 200 g", BAG, 390, "200 g", category=Category.SWEETS),
    ),
    ("AB",),
    ("Poules pondeuses sur parcours herbeux et arboré, nourries aux céréales bio du Lauragais.",),
    FARM_FORMS,
    staples=(
        "Œufs frais (boîte de 6)",
        "Œufs frais (boîte de 12)",
        "Poulet fermier",
    ),
)

CATALOGUES: dict[str, RangeCatalogue] = {
    "bread": BREAD,
    "oil": OIL,
    "flour": FLOUR,
    "meat": MEAT,
    "poultry": POULTRY,
    "beer": BEER,
    "wine": WINE,
    "juice": JUICE,
    "herbal_tea": HERBAL_TEA,
    "cosmetics": COSMETICS,
    "honey": HONEY,
    "chocolate": CHOCOLATE,
    "biscuits": BISCUITS,
    "dried_fruit": DRIED_FRUIT,
    "vegetables": VEGETABLES,
    "goat_cheese": GOAT_CHEESE,
    "eggs": EGGS,
}

PAYMENT_NOTES: tuple[str, ...] = (
    "Merci de préparer l'appoint, nous avons peu de monnaie.",
    "Chèques encaissés la semaine suivant la distribution.",
    "Possibilité de payer en deux chèques pour les colis.",
    "Virement à faire avant la distribution, avec votre nom en référence.",
    "",
    "",
    "",
)
