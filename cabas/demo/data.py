"""The raw material of the demo: French names, places, producers and the fixed logins.

Pure data, no database. It is kept apart from the code that writes rows so
that the lists can grow (more names, more towns) without touching any logic.
The demo is modelled on a real buying group near Toulouse, so the names mix
the surnames of the South-West (Occitan, Catalan, Spanish, Italian origins)
with those found anywhere in France today.
"""

from __future__ import annotations

from dataclasses import dataclass

from cabas.accounts.models import Role

DOMAIN = "demo.cabas.localhost"
PASSWORD = "cabas-demo"

# A fixed seed: the same command gives the same people everywhere, which keeps
# screenshots, bug reports and benchmarks comparable between machines.
SEED = 31650  # postcode of Saint-Orens-de-Gameville

FIRST_NAMES: tuple[str, ...] = (
    # Born in the 1940s-1960s.
    "Bernadette", "Jacqueline", "Monique", "Josette", "Colette", "Geneviève", "Danielle",
    "Françoise", "Martine", "Christiane", "Michèle", "Chantal", "Évelyne", "Annie",
    "Jean", "Michel", "Pierre", "Bernard", "Gérard", "Jacques", "Alain", "Guy", "Serge",
    "René", "Claude", "Roger", "Henri", "Marcel", "Jean-Pierre", "Jean-Claude",
    # Born in the 1960s-1980s.
    "Nathalie", "Isabelle", "Sylvie", "Catherine", "Valérie", "Sandrine", "Véronique",
    "Christine", "Corinne", "Florence", "Karine", "Stéphanie", "Céline", "Delphine",
    "Philippe", "Thierry", "Éric", "Christophe", "Pascal", "Patrick", "Frédéric",
    "Laurent", "Olivier", "Stéphane", "Didier", "Jean-Marc", "Franck", "Vincent",
    "Fatima", "Karim", "Rachid", "Nadia", "Carmen", "José", "Antonio", "Dolorès",
    # Born in the 1980s-2000s.
    "Julie", "Aurélie", "Émilie", "Camille", "Marion", "Pauline", "Laura", "Mathilde",
    "Élodie", "Charlotte", "Clémence", "Manon", "Chloé", "Léa", "Sarah", "Inès",
    "Nicolas", "Julien", "Sébastien", "Guillaume", "Romain", "Maxime", "Thomas",
    "Antoine", "Alexandre", "Mathieu", "Benjamin", "Clément", "Hugo", "Lucas",
    "Yasmine", "Mehdi", "Amina", "Samir", "Leïla", "Youssef", "Nour", "Ibrahima",
    "Aïssatou", "Mamadou", "Linh", "Minh", "Ana", "Pablo", "Lucia", "Giulia",
    "Marie", "Anne", "Louise", "Jeanne", "Paul", "Louis", "Arthur", "Gabriel",
    "Raphaël", "Jules", "Baptiste", "Adrien", "Agnès", "Hélène", "Sophie", "Lucie",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    # The South-West.
    "Fabre", "Marty", "Castex", "Barthe", "Dupuy", "Lafont", "Bousquet", "Delpech",
    "Mercadier", "Cazeneuve", "Soulié", "Gasc", "Pujol", "Carrère", "Roumiguières",
    "Lacombe", "Esquirol", "Bonnafous", "Cabanié", "Vidal", "Azéma", "Salvan",
    "Rouquette", "Cassagne", "Gouzy", "Péré", "Sabatier", "Massat", "Sicard",
    "Lapeyre", "Daffos", "Rieux", "Galinier", "Puntous", "Escande", "Baylac",
    "Ducos", "Labarthe", "Lasserre", "Ferran", "Andrieu", "Calvet", "Combes",
    "Estrade", "Fourcade", "Laborde", "Mauriès", "Pradère", "Roques", "Sarrat",
    "Teulière", "Vergnes", "Abadie", "Bergé", "Cazals", "Doumerc", "Gayraud",
    # Catalan, Spanish, Portuguese and Italian origins, common around Toulouse.
    "Garcia", "Martinez", "Lopez", "Sanchez", "Fernandez", "Ferrer", "Puig",
    "Gonzalez", "Navarro", "Ruiz", "Da Silva", "Pereira", "Rossi", "Bianchi",
    "Moretti", "Costa",
    # Everywhere in France.
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
    "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "David", "Bertrand",
    "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont",
    "Lambert", "Bonnet", "François", "Legrand", "Garnier", "Faure", "Rousseau",
    "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Mathieu",
    "Clément", "Gauthier", "Chevalier", "Brun", "Colin", "Benali", "Haddad",
    "Mansouri", "Diallo", "Traoré", "Nguyen", "Tran",
)  # fmt: skip

# Towns within an hour of Toulouse, where the producers work.
TOWNS: tuple[str, ...] = (
    "Saint-Orens-de-Gameville", "Labège", "Escalquens", "Quint-Fonsegrives", "Castanet-Tolosan",
    "Montgiscard", "Ayguesvives", "Baziège", "Villefranche-de-Lauragais", "Caraman", "Lanta",
    "Flourens", "Drémil-Lafage", "Verfeil", "Montastruc-la-Conseillère", "Villemur-sur-Tarn",
    "Fronton", "Grenade", "Cadours", "Léguevin", "Muret", "Auterive", "Carbonne",
    "Rieux-Volvestre", "Revel", "Nailloux", "Montesquieu-Lauragais", "Saint-Félix-Lauragais",
    "Lavaur", "Gaillac", "Rabastens", "Castelnaudary", "Cintegabelle", "Odars", "Aurin",
    "Préserville", "Lauzerville", "Sainte-Foy-d'Aigrefeuille", "L'Isle-Jourdain", "Samatan",
    "Lombez", "Saint-Sulpice-la-Pointe", "Bessières", "Villeneuve-Tolosane", "Belberaud",
)  # fmt: skip

# La Poste's postcodes of the towns above (31 Haute-Garonne, 81 Tarn, 11 Aude, 32 Gers),
# and of Balma's three villages.
TOWN_POSTCODES: dict[str, str] = {
    "Saint-Orens-de-Gameville": "31650", "Labège": "31670", "Escalquens": "31750",
    "Quint-Fonsegrives": "31130", "Castanet-Tolosan": "31320", "Montgiscard": "31450",
    "Ayguesvives": "31450", "Baziège": "31450", "Villefranche-de-Lauragais": "31290",
    "Caraman": "31460", "Lanta": "31570", "Flourens": "31130", "Drémil-Lafage": "31280",
    "Verfeil": "31590", "Montastruc-la-Conseillère": "31380", "Villemur-sur-Tarn": "31340",
    "Fronton": "31620", "Grenade": "31330", "Cadours": "31480", "Léguevin": "31490",
    "Muret": "31600", "Auterive": "31190", "Carbonne": "31390", "Rieux-Volvestre": "31310",
    "Revel": "31250", "Nailloux": "31560", "Montesquieu-Lauragais": "31450",
    "Saint-Félix-Lauragais": "31540", "Lavaur": "81500", "Gaillac": "81600", "Rabastens": "81800",
    "Castelnaudary": "11400", "Cintegabelle": "31550", "Odars": "31450", "Aurin": "31570",
    "Préserville": "31570", "Lauzerville": "31650", "Sainte-Foy-d'Aigrefeuille": "31570",
    "L'Isle-Jourdain": "32600", "Samatan": "32130", "Lombez": "32220",
    "Saint-Sulpice-la-Pointe": "81370", "Bessières": "31660", "Villeneuve-Tolosane": "31270",
    "Belberaud": "31450", "Balma": "31130", "Montrabé": "31850", "Beaupuy": "31850",
}  # fmt: skip

# Lieux-dits: farm names are often those of the place, used after « de ».
PLACES: tuple[str, ...] = (
    "Bordeneuve", "Encastel", "Lasserre", "Lacaze", "Peyrolles", "Lagarde", "Canteloup",
    "Montbrun", "Belvèze", "Cassagnol", "Pechauriol", "la Salvetat", "Mauremont",
    "Lasbordes", "Borde Blanche", "Roqueville", "Fontarèches", "Serres", "Gandalou",
    "Mirabel", "Ribaute", "Camp Grand", "Garrigue", "la Pradelle", "Pech David",
    "Tucaut", "Bourdette", "Lamothe", "Calmont", "Jacca", "Naudy", "Laurac",
)  # fmt: skip


@dataclass(frozen=True)
class ProductRange:
    """What a kind of producer sells, and how such farms are usually called.

    Name patterns take ``{place}`` (a lieu-dit), ``{family}`` (a surname) or
    ``{town}``; the seeder cycles through them so that names stay varied.
    """

    key: str
    name_patterns: tuple[str, ...]
    specialities: tuple[str, ...]
    description: str


PRODUCT_RANGES: tuple[ProductRange, ...] = (
    ProductRange(
        "bread",
        ("Fournil de {place}", "Boulangerie paysanne {family}", "Les Pains de {town}"),
        (
            "Pain au levain, farines bio de blés anciens, cuit au feu de bois",
            "Pains au levain, brioches et fougasses du Lauragais",
            "Pain complet, seigle et petit épeautre, pétri à la main",
        ),
        "Paysans-boulangers à {town} : nous cultivons nos blés, les moulons à la meule de pierre "
        "et cuisons deux fois par semaine.",
    ),
    ProductRange(
        "oil",
        ("Huilerie de {place}", "Ferme {family}", "Moulin à huile de {town}"),
        (
            "Huiles de tournesol, colza et cameline, pressées à froid",
            "Huile de tournesol oléique et huile de noix, première pression",
        ),
        "Graines cultivées et pressées à froid à la ferme, à {town}, sans raffinage.",
    ),
    ProductRange(
        "flour",
        ("Moulin de {place}", "Ferme céréalière {family}", "Farines de {town}"),
        (
            "Farines de blé, d'épeautre et de sarrasin moulues sur meule de pierre",
            "Farines, lentilles vertes et pois chiches du Lauragais",
        ),
        "Céréales et légumineuses en agriculture biologique, moulues à la demande à {town}.",
    ),
    ProductRange(
        "meat",
        ("Ferme de {place}", "GAEC {family}", "Élevage de {place}"),
        (
            "Colis de bœuf et de veau, race gasconne élevée à l'herbe",
            "Agneau fermier et colis de porc noir de Bigorre",
            "Porc plein air, saucisse de Toulouse et charcuterie maison",
        ),
        "Élevage en plein air à {town}, abattage à proximité, découpe à la ferme. "
        "Viande vendue en colis sous vide.",
    ),
    ProductRange(
        "poultry",
        ("Volailles de {place}", "Ferme avicole {family}", "Les Poulets de {town}"),
        (
            "Poulets fermiers, pintades et canards, élevés en plein air",
            "Poulets, œufs bio et foie gras de canard en saison",
        ),
        "Volailles élevées au moins 110 jours en plein air à {town}, nourries aux céréales de la ferme.",
    ),
    ProductRange(
        "beer",
        ("Brasserie de {place}", "Brasserie {family}", "Brasserie artisanale de {town}"),
        (
            "Bières blonde, ambrée et IPA, brassées au malt bio",
            "Bières de saison et bière blanche au houblon d'Occitanie",
        ),
        "Petite brasserie artisanale à {town} : bières non filtrées, refermentées en bouteille.",
    ),
    ProductRange(
        "wine",
        ("Domaine de {place}", "Château {place}", "Vignoble {family}"),
        (
            "Vins de Fronton (négrette) rouges et rosés",
            "Vins de Gaillac : braucol, mauzac et perlé",
            "Vins du Lauragais en biodynamie, rouge, blanc et rosé",
        ),
        "Vignerons à {town}, vendanges à la main, vinification naturelle avec peu de sulfites.",
    ),
    ProductRange(
        "juice",
        ("Vergers de {place}", "Les Vergers {family}", "Pressoir de {town}"),
        (
            "Jus de pomme, pomme-poire et nectar de pêche des vergers",
            "Jus de raisin, de pomme et compotes sans sucre ajouté",
        ),
        "Arboriculteurs à {town} : fruits cueillis à maturité et pressés dans la semaine.",
    ),
    ProductRange(
        "herbal_tea",
        ("Les Simples de {place}", "Herboristerie paysanne {family}", "Jardin de plantes de {town}"),
        (
            "Tisanes, plantes aromatiques et sirops de plantes",
            "Tisanes en mélange, verveine, tilleul et sels aux herbes",
        ),
        "Plantes cueillies et séchées à {town}, à la main, sans pesticides.",
    ),
    ProductRange(
        "cosmetics",
        ("Savonnerie de {place}", "Savons {family}", "Atelier cosmétique de {town}"),
        (
            "Savons saponifiés à froid, shampoings solides et baumes",
            "Savons au lait d'ânesse, crèmes et déodorants naturels",
        ),
        "Cosmétiques fabriqués à {town} avec des huiles locales et des plantes du jardin.",
    ),
    ProductRange(
        "honey",
        ("Rucher de {place}", "Miellerie {family}", "Les Abeilles de {town}"),
        (
            "Miels de tournesol, de châtaignier et toutes fleurs",
            "Miel, pollen, pain d'épices et bougies en cire d'abeille",
        ),
        "Apiculteurs à {town} : ruches sédentaires et transhumance dans les Pyrénées l'été.",
    ),
    ProductRange(
        "chocolate",
        ("Chocolaterie de {town}", "Chocolats {family}", "Atelier du cacao de {place}"),
        (
            "Tablettes et pâtes à tartiner, cacao bio et équitable",
            "Chocolats, pralinés et orangettes faits main",
        ),
        "Artisans chocolatiers à {town}, fèves achetées directement à des coopératives.",
    ),
    ProductRange(
        "biscuits",
        ("Biscuiterie de {place}", "Les Biscuits {family}", "Croquants de {town}"),
        (
            "Croquants aux amandes, sablés et biscuits apéritifs",
            "Navettes, madeleines et biscuits sans gluten",
        ),
        "Biscuits cuits à {town} avec les farines, le miel et les œufs de producteurs voisins.",
    ),
    ProductRange(
        "dried_fruit",
        ("Fruits secs de {place}", "Ferme {family}", "Séchoir de {town}"),
        (
            "Pruneaux, abricots secs, noix et noisettes",
            "Noix, amandes, pommes séchées et fruits au sirop",
        ),
        "Fruits séchés doucement à la ferme, à {town}, sans conservateurs.",
    ),
)


@dataclass(frozen=True)
class ProducerText:
    """A producer written out by hand (the small group's suppliers)."""

    name: str
    slug: str
    speciality: str
    town: str
    description: str
    range_key: str  # which catalogue of ``cabas.demo.catalogues`` it sells
    place: str  # its lieu-dit


BALMA_PRODUCERS: tuple[ProducerText, ...] = (
    ProducerText(
        "Maraîchage des Coteaux de Balma",
        "maraichage-coteaux-balma",
        "Légumes de saison en paniers, plants au printemps",
        "Balma",
        "Maraîchers en bio sur deux hectares au bord de l'Hers.",
        "vegetables",
        "Lalande",
    ),
    ProducerText(
        "Chèvrerie de Montrabé",
        "chevrerie-montrabe",
        "Fromages de chèvre frais et affinés, yaourts",
        "Montrabé",
        "Une trentaine de chèvres alpines, traite à la main, fromages au lait cru.",
        "goat_cheese",
        "Pech Bertou",
    ),
    ProducerText(
        "Les Œufs de Beaupuy",
        "oeufs-beaupuy",
        "Œufs bio de poules en plein air",
        "Beaupuy",
        "Poules pondeuses sur parcours herbeux, nourries aux céréales du Lauragais.",
        "eggs",
        "En Sarrat",
    ),
)


@dataclass(frozen=True)
class GroupText:
    name: str
    slug: str
    requires_approval: bool
    description: str
    place: str
    distribution_info: str
    contact_email: str


SAINT_ORENS = GroupText(
    name="Cabas de Saint-Orens",
    slug="saint-orens",
    requires_approval=True,
    description=(
        "Groupement d'achats citoyen de Saint-Orens-de-Gameville. Environ quatre cents foyers "
        "commandent ensemble, en direct, à vingt-cinq producteurs bio des environs de Toulouse, "
        "à un prix juste convenu avec eux. Pas d'intermédiaire : des bénévoles préparent chaque "
        "distribution, les producteurs remettent eux-mêmes leurs produits et sont payés sur place. "
        "Une caisse de solidarité permet à chacun de se nourrir de produits de qualité."
    ),
    place="Salle des fêtes, place Jean-Bellières, Saint-Orens-de-Gameville",
    distribution_info="Un samedi tous les deux mois, de 10 h à 12 h, salle des fêtes",
    contact_email=f"contact.saint-orens@{DOMAIN}",
)

BALMA = GroupText(
    name="Panier de Balma",
    slug="balma",
    requires_approval=False,
    description=(
        "Petit groupement de voisins à Balma : légumes, fromages et œufs commandés chaque mois "
        "à trois fermes proches. Tout le monde peut rejoindre le groupe."
    ),
    place="Préau de l'école, Balma",
    distribution_info="Le premier jeudi du mois, de 18 h à 19 h 30, sous le préau",
    contact_email=f"contact.balma@{DOMAIN}",
)


# The producer login manages the first Saint-Orens producer (a bakery).
PRODUCER_LOGIN_EMAIL = f"producteur@{DOMAIN}"
TREASURER_LOGIN_EMAIL = f"tresorerie@{DOMAIN}"
MEMBER_LOGIN_EMAIL = f"membre@{DOMAIN}"
BALMA_MEMBER_LOGIN_EMAIL = f"membre.balma@{DOMAIN}"


@dataclass(frozen=True)
class Login:
    """A fixed demo account, printed at the end so that anyone can try each role."""

    email: str
    full_name: str
    role_label: str  # French / English, for the printed table
    memberships: tuple[tuple[str, tuple[Role, ...]], ...] = ()  # (group slug, roles)
    superuser: bool = False
    phone: str = ""


LOGINS: tuple[Login, ...] = (
    Login(f"admin@{DOMAIN}", "Hélène Garrigues", "administratrice du site / site admin", superuser=True),
    Login(
        f"coordination@{DOMAIN}",
        "Claire Lacombe",
        "référente Saint-Orens / coordinator",
        ((SAINT_ORENS.slug, (Role.MEMBER, Role.COORDINATOR)),),
        phone="06 12 48 30 71",
    ),
    Login(
        TREASURER_LOGIN_EMAIL,
        "Théo Marty",
        "trésorier + adhérent / treasurer + member",
        ((SAINT_ORENS.slug, (Role.MEMBER, Role.TREASURER)),),
        phone="07 81 22 64 09",
    ),
    Login(
        MEMBER_LOGIN_EMAIL,
        "Marie Dupuy",
        "adhérente Saint-Orens / member",
        ((SAINT_ORENS.slug, (Role.MEMBER,)),),
    ),
    Login(
        PRODUCER_LOGIN_EMAIL,
        "Paul Fabre",
        "producteur Saint-Orens / producer",
        ((SAINT_ORENS.slug, (Role.PRODUCER,)),),
    ),
    Login(
        f"balma@{DOMAIN}",
        "Camille Bousquet",
        "référente Balma / coordinator",
        ((BALMA.slug, (Role.MEMBER, Role.COORDINATOR)),),
        phone="06 45 90 13 58",
    ),
    Login(
        BALMA_MEMBER_LOGIN_EMAIL,
        "Martin Roques",
        "adhérent Balma / member",
        ((BALMA.slug, (Role.MEMBER,)),),
    ),
    Login(f"visiteur@{DOMAIN}", "Olivier Mercier", "visiteur sans groupe / visitor, no group"),
)

# Two more coordinators of Saint-Orens: a real group shares the work among several.
EXTRA_COORDINATORS: tuple[Login, ...] = (
    Login(
        f"sylvie.barthe@{DOMAIN}",
        "Sylvie Barthe",
        "référente / coordinator",
        ((SAINT_ORENS.slug, (Role.MEMBER, Role.COORDINATOR)),),
        phone="06 33 17 85 42",
    ),
    Login(
        f"jean-marc.castex@{DOMAIN}",
        "Jean-Marc Castex",
        "référent / coordinator",
        ((SAINT_ORENS.slug, (Role.MEMBER, Role.COORDINATOR)),),
        phone="05 61 39 27 84",
    ),
)

JOIN_MESSAGES: tuple[str, ...] = (
    "Bonjour, nous venons d'emménager à Saint-Orens et aimerions commander avec vous.",
    "Une amie m'a parlé du Cabas, je voudrais rejoindre le groupe. Merci !",
    "Bonjour, je peux aider aux distributions le samedi matin si besoin.",
    "Nous sommes une famille de cinq, intéressés surtout par le pain et la viande.",
    "Bonjour, je suis à la retraite et cherche des produits locaux. Cordialement.",
    "",
)

# The demo's cycles are named after the month of their distribution, as the real group does.
MONTHS: tuple[str, ...] = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip

# What coordinators write to members with a cycle (one per cycle, in turn).
CYCLE_MESSAGES: tuple[str, ...] = (
    "Pensez à apporter vos sacs, vos boîtes à œufs et vos bocaux vides pour les producteurs "
    "qui les reprennent. Paiement sur place, directement à chaque producteur.",
    "Nous cherchons encore deux bénévoles pour l'installation à 9 h 30 : inscrivez-vous aux "
    "permanences ! Paiement sur place, directement à chaque producteur.",
    "Les poulets et les colis de viande sont en quantité limitée : ils seront partagés "
    "équitablement à la clôture si la demande dépasse ce qui est disponible.",
)
