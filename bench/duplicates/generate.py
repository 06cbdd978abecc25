"""Synthetic customers for measuring the duplicate-customer finder: people as a seller meets them on several
sales channels (shops, marketplaces, a point of sale, customers added by hand), some of them several times
with the variations real duplicates show, next to hard negatives (family members at one address, people who
share a common name, colleagues at one company) that must not be reported. Standard library only.

    python3 bench/duplicates/generate.py --seed 7 --people 2000 --out DIR

writes
    DIR/records.jsonl  one record a line: {"key", "person", "variation", "kind": "customer"|"order", "body"},
                       `body` being the JSON body to POST to /api/v1/customers or /api/v1/orders;
    DIR/truth.json     {"people", "records", "variations": {label: records carrying it}, ...}.

A person's first record is its base (variation "base", or "hard_negative_<kind>" for a hard negative); each
further record is a duplicate whose `variation` names what differs, labels joined by "+" when several
(e.g. "typo+phone_format"). Every duplicate keeps enough in common with each other record of its person for a
careful human to say "same person": a shared email or phone, two shared identifiers, or the address with the
name spelled the same. The same seed gives the same files. `evaluate.py` in this folder loads and scores them.
"""
import argparse
import collections
import datetime
import json
import os
import random
import unicodedata

# ---------------------------------------------------------------------------------------------------------
# Embedded data
# ---------------------------------------------------------------------------------------------------------

FIRST_NAMES = {
    "german": ["Anna", "Lena", "Katharina", "Sophie", "Marie", "Laura", "Julia", "Hannah", "Franziska", "Stefanie",
               "Christine", "Sabine", "Ursula", "Monika", "Bärbel", "Dörte", "Elisabeth", "Jürgen", "Günter",
               "Jörg", "Uwe", "Klaus", "Stefan", "Andreas", "Thomas", "Michael", "Matthias", "Johannes",
               "Wolfgang", "Josef", "Lukas", "Felix", "Jonas", "Maximilian", "Tobias", "Sebastian", "Alexander",
               "Björn", "Sören", "Jan", "Heike", "Gisela", "Ralf", "Dieter", "Fritz"],
    "english": ["James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas", "Charles",
                "Christopher", "Daniel", "Matthew", "Anthony", "Steven", "Edward", "Benjamin", "Jonathan",
                "Timothy", "Nicholas", "Samuel", "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Susan",
                "Margaret", "Deborah", "Katherine", "Rebecca", "Victoria", "Samantha", "Emily", "Olivia", "Chloe",
                "Zoë", "Sarah", "Jessica", "Emma", "Siobhán", "Seán", "Niamh", "Gareth", "Rhys"],
    "french": ["Jean", "Pierre", "Louis", "Nicolas", "Frédéric", "François", "Jérôme", "Stéphane", "Sébastien",
               "Théo", "Hugo", "Léo", "Benoît", "Gaël", "Noël", "Amélie", "Hélène", "Cécile", "Céline", "Élodie",
               "Chloé", "Léa", "Manon", "Camille", "Margaux", "Inès", "Maëlle", "Anaïs", "Noémie", "Béatrice",
               "Dominique", "Jean-Baptiste", "Marie-Claire", "Marie", "Julien", "Mathieu", "Éric"],
    "polish": ["Łukasz", "Paweł", "Michał", "Piotr", "Krzysztof", "Wojciech", "Tomasz", "Mateusz", "Grzegorz",
               "Jakub", "Kamil", "Marcin", "Aleksander", "Zbigniew", "Przemysław", "Jarosław", "Jan", "Katarzyna",
               "Małgorzata", "Agnieszka", "Aleksandra", "Magdalena", "Joanna", "Monika", "Ewa", "Zofia", "Żaneta",
               "Beata", "Dorota", "Jolanta", "Urszula", "Bożena", "Weronika", "Anna", "Kinga"],
    "spanish": ["José", "María", "Juan", "Carlos", "Francisco", "Antonio", "Manuel", "Javier", "Jesús", "Ángel",
                "Raúl", "Andrés", "Sofía", "Lucía", "Valentina", "Camila", "Guadalupe", "Dolores", "Ana", "Carmen",
                "Rocío", "Begoña", "Martín", "Sergio", "Alejandro", "Iñigo", "Pilar"],
    "turkish": ["Mehmet", "Mustafa", "Ahmet", "Ali", "Hüseyin", "Hasan", "İbrahim", "Murat", "Emre", "Burak",
                "Özlem", "Ayşe", "Fatma", "Emine", "Hatice", "Zeynep", "Elif", "Büşra", "Gülşen", "Şükrü", "Çağla",
                "Ömer"],
    "vietnamese": ["Anh", "Minh", "Linh", "Thảo", "Hương", "Trang", "Dũng", "Tuấn", "Hùng", "Quang", "Phương",
                   "Ngọc", "Hạnh", "Long", "Huy"],
    "indian": ["Priya", "Anjali", "Deepika", "Sunita", "Rahul", "Amit", "Arjun", "Vikram", "Sanjay", "Rohan",
               "Aarav", "Neha", "Pooja", "Rajesh", "Kavita"],
    "arabic": ["Mohamed", "Karim", "Youssef", "Rachid", "Mehdi", "Nadia", "Fatima", "Samira", "Leïla", "Yasmine",
               "Amine", "Sofiane"],
    "italian": ["Giuseppe", "Giovanni", "Francesco", "Alessandro", "Matteo", "Lorenzo", "Giulia", "Chiara",
                "Francesca", "Federica", "Niccolò", "Elena"],
    "nordic": ["Sven", "Lars", "Jens", "Søren", "Åsa", "Ingrid", "Astrid", "Maarten", "Joost", "Sanne", "Femke",
               "Bjørn"],
    "chinese": ["Wei", "Jing", "Li", "Xiaoming", "Yan", "Hui", "Jun", "Mei"],
    "greek": ["Giorgos", "Dimitris", "Nikos", "Eleni", "Katerina", "Sofia"],
}

SURNAMES = {
    "german": ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
               "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz",
               "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Schmitz",
               "Krause", "Meier", "Lehmann", "Köhler", "Maier", "Günther", "Jäger", "Böhm", "Weiß", "Groß", "Fuchs",
               "Vogel"],
    "english": ["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
                "Moore", "Jackson", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young",
                "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell",
                "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner", "O'Brien", "O'Connor", "McDonald",
                "Hughes", "Edwards"],
    "french": ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
               "Simon", "Laurent", "Lefèvre", "Michel", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel",
               "Girard", "André", "Lefebvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Lévêque",
               "Chevalier", "Gauthier", "Faure"],
    "polish": ["Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński",
               "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur", "Kwiatkowski", "Krawczyk",
               "Piotrowski", "Grabowski", "Nowakowski", "Pawłowski", "Michalski", "Król", "Wieczorek", "Jabłoński",
               "Wróbel", "Majewski", "Olszewski", "Stępień", "Jaworski", "Malinowski"],
    "spanish": ["García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez", "Sánchez", "Ramírez",
                "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Cruz", "Morales", "Ortiz", "Gutiérrez", "Chávez",
                "Ramos", "Jiménez", "Ruiz", "Álvarez", "Muñoz", "Castillo", "Núñez", "Peña"],
    "turkish": ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın", "Özdemir",
                "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt", "Özkan", "Şimşek"],
    "vietnamese": ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
                   "Ngô", "Dương"],
    "indian": ["Patel", "Sharma", "Singh", "Kumar", "Gupta", "Shah", "Mehta", "Reddy", "Iyer", "Nair", "Chopra",
               "Kapoor", "Joshi"],
    "arabic": ["Benali", "Haddad", "Mansour", "Bouzid", "Cherif", "Belkacem", "El Amrani", "Benmoussa", "Saïdi",
               "Boukhari"],
    "italian": ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
                "Bruno", "Gallo", "Conti", "De Luca", "Mancini"],
    "nordic": ["de Vries", "van Dijk", "Jansen", "de Jong", "Bakker", "Visser", "Smit", "van den Berg", "Hansen",
               "Johansson", "Andersson", "Nielsen", "Lindqvist", "Bergström", "Søndergaard"],
    "chinese": ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou"],
    "greek": ["Papadopoulos", "Papadakis", "Georgiou", "Nikolaidis", "Konstantinidis", "Pappas"],
}

# Which cultures' names live in which country (weights).
CULTURES = {
    "DE": {"german": 60, "turkish": 12, "polish": 6, "italian": 5, "greek": 3, "vietnamese": 3, "english": 3,
           "arabic": 3, "spanish": 2, "nordic": 3},
    "US": {"english": 55, "spanish": 20, "chinese": 6, "vietnamese": 5, "indian": 5, "italian": 4, "german": 3,
           "polish": 2},
    "GB": {"english": 65, "indian": 12, "polish": 6, "arabic": 3, "chinese": 4, "italian": 3, "greek": 2,
           "nordic": 2, "french": 3},
    "FR": {"french": 65, "arabic": 14, "spanish": 5, "italian": 5, "vietnamese": 4, "english": 2, "german": 2,
           "polish": 3},
    "PL": {"polish": 88, "german": 4, "english": 3, "vietnamese": 3, "spanish": 2},
}
COUNTRIES = {"DE": 40, "GB": 15, "FR": 15, "PL": 15, "US": 15}

# Formal name -> the short forms people also use (the `nickname` variation).
NICKNAMES = {
    "Robert": ["Bob", "Rob", "Bobby"], "William": ["Bill", "Will", "Billy"], "Elizabeth": ["Liz", "Beth", "Lizzie"],
    "Katharina": ["Kathi", "Kati"], "Aleksander": ["Olek"], "Margaret": ["Peggy", "Maggie", "Meg"],
    "Richard": ["Rick", "Dick"], "James": ["Jim", "Jimmy"], "Michael": ["Mike", "Micha"], "Thomas": ["Tom", "Tommy"],
    "Christopher": ["Chris"], "Jennifer": ["Jenny", "Jen"], "Katherine": ["Kate", "Kathy"],
    "Alexander": ["Alex", "Sascha"], "Johannes": ["Hannes"], "Wolfgang": ["Wolfi"], "Franziska": ["Franzi"],
    "Stefanie": ["Steffi"], "Andreas": ["Andi"], "Josef": ["Sepp", "Joe"], "Małgorzata": ["Gosia", "Małgosia"],
    "Katarzyna": ["Kasia"], "Aleksandra": ["Ola"], "Wojciech": ["Wojtek"], "Agnieszka": ["Aga"],
    "Krzysztof": ["Krzysiek"], "Francisco": ["Paco", "Pancho"], "José": ["Pepe"], "Guadalupe": ["Lupe"],
    "Dolores": ["Lola"], "Frédéric": ["Fred"], "Benjamin": ["Ben"], "Daniel": ["Dan", "Danny"],
    "Joseph": ["Joe", "Joey"], "Patricia": ["Pat", "Patty"], "Susan": ["Sue", "Susie"], "Deborah": ["Debbie", "Deb"],
    "Anthony": ["Tony"], "Edward": ["Ed", "Ted", "Eddie"], "Charles": ["Charlie", "Chuck"], "Nicholas": ["Nick"],
    "Samantha": ["Sam"], "Jonathan": ["Jon"], "Matthew": ["Matt"], "Timothy": ["Tim"], "Steven": ["Steve"],
    "Rebecca": ["Becky"], "Victoria": ["Vicky", "Tori"], "Sebastian": ["Basti"], "Maximilian": ["Max"],
    "Tobias": ["Tobi"], "Matthias": ["Matze"], "Jean-Baptiste": ["JB"], "Nicolas": ["Nico"], "Giuseppe": ["Beppe"],
    "Samuel": ["Sam"], "Alejandro": ["Alex"], "Lukas": ["Luke"], "Jakub": ["Kuba"], "Mateusz": ["Mati"],
    "Magdalena": ["Magda"], "Dimitris": ["Mitsos"], "Christine": ["Tine"],
}

# Pairs of full names common enough that two different people share them (hard negatives).
COMMON_NAMES = [("John", "Smith", ["US", "GB"]), ("María", "García", ["US", "FR", "DE"]), ("Anna", "Müller", ["DE"]),
                ("Thomas", "Müller", ["DE"]), ("Michael", "Schmidt", ["DE"]), ("David", "Jones", ["GB", "US"]),
                ("Anna", "Nowak", ["PL"]), ("Piotr", "Kowalski", ["PL"]), ("Katarzyna", "Kowalska", ["PL"]),
                ("Marie", "Martin", ["FR"]), ("Jean", "Martin", ["FR"]), ("Nicolas", "Dubois", ["FR"]),
                ("James", "Brown", ["GB", "US"]), ("Sarah", "Wilson", ["GB", "US"]), ("Mehmet", "Yılmaz", ["DE"]),
                ("Linh", "Nguyễn", ["DE", "FR", "PL", "US"]), ("Wei", "Wang", ["US", "GB", "DE"]),
                ("Priya", "Patel", ["GB", "US"]), ("David", "Smith", ["GB", "US"]), ("Julia", "Fischer", ["DE"]),
                ("José", "García", ["US", "FR"]), ("Robert", "Johnson", ["US"]), ("Emma", "Taylor", ["GB"]),
                ("Mohamed", "Benali", ["FR"]), ("Stefan", "Schneider", ["DE"]), ("Michał", "Wiśniewski", ["PL"])]

# country -> [(city, postal codes (GB: outward codes), phone area code, region)]
CITIES = {
    "DE": [("Berlin", ["10115", "10437", "10961", "12043", "13347"], "30", None),
           ("Hamburg", ["20095", "22765", "20357"], "40", None), ("München", ["80331", "80469", "81667"], "89", None),
           ("Köln", ["50667", "50733", "51103"], "221", None),
           ("Frankfurt am Main", ["60311", "60316", "60594"], "69", None),
           ("Stuttgart", ["70173", "70176", "70372"], "711", None),
           ("Düsseldorf", ["40210", "40213", "40477"], "211", None),
           ("Leipzig", ["04109", "04177", "04275"], "341", None), ("Dresden", ["01067", "01099", "01277"], "351", None),
           ("Nürnberg", ["90402", "90429", "90478"], "911", None), ("Bremen", ["28195", "28203"], "421", None),
           ("Hannover", ["30159", "30161"], "511", None), ("Freiburg im Breisgau", ["79098", "79102"], "761", None),
           ("Münster", ["48143", "48145"], "251", None)],
    "US": [("New York", ["10001", "10011", "10025"], "212", "NY"), ("San Francisco", ["94103", "94110", "94117"], "415", "CA"),
           ("Boston", ["02108", "02116", "02130"], "617", "MA"), ("Chicago", ["60601", "60614", "60622"], "312", "IL"),
           ("Seattle", ["98101", "98103", "98122"], "206", "WA"), ("Austin", ["78701", "78704"], "512", "TX"),
           ("Denver", ["80202", "80205"], "303", "CO"), ("Miami", ["33101", "33130"], "305", "FL"),
           ("Portland", ["97205", "97214"], "503", "OR"), ("Louisville", ["40202", "40204"], "502", "KY")],
    "GB": [("London", ["SW1A", "EC1V", "N1", "SE15", "E8", "W2", "NW5"], "20", None),
           ("Manchester", ["M1", "M4", "M14", "M20"], "161", None), ("Birmingham", ["B1", "B5", "B13"], "121", None),
           ("Leeds", ["LS1", "LS6"], "113", None), ("Glasgow", ["G1", "G12"], "141", None),
           ("Bristol", ["BS1", "BS6"], "117", None), ("Edinburgh", ["EH1", "EH8"], "131", None),
           ("Liverpool", ["L1", "L8"], "151", None)],
    "FR": [("Paris", ["75002", "75011", "75015", "75018", "75020"], "1", None), ("Lyon", ["69001", "69003", "69007"], "4", None),
           ("Marseille", ["13001", "13006", "13008"], "4", None), ("Toulouse", ["31000", "31400"], "5", None),
           ("Bordeaux", ["33000", "33800"], "5", None), ("Lille", ["59000", "59800"], "3", None),
           ("Nantes", ["44000", "44100"], "2", None), ("Strasbourg", ["67000", "67100"], "3", None),
           ("Nice", ["06000", "06300"], "4", None), ("Montpellier", ["34000", "34070"], "4", None)],
    "PL": [("Warszawa", ["00-001", "00-950", "02-495", "03-982"], "22", None), ("Kraków", ["30-001", "31-042", "31-503"], "12", None),
           ("Wrocław", ["50-001", "50-304", "53-611"], "71", None), ("Poznań", ["60-001", "61-806"], "61", None),
           ("Gdańsk", ["80-001", "80-831"], "58", None), ("Łódź", ["90-001", "91-408"], "42", None),
           ("Szczecin", ["70-001", "71-410"], "91", None), ("Lublin", ["20-001", "20-400"], "81", None)],
}

DE_STREETS = [("Haupt", "straße"), ("Bahnhof", "straße"), ("Goethe", "straße"), ("Schiller", "straße"),
              ("Linden", "straße"), ("Berliner", "Straße"), ("Garten", "straße"), ("Kirch", "gasse"),
              ("Mozart", "straße"), ("Friedrich", "straße"), ("Schul", "weg"), ("Wald", "weg"), ("Kastanien", "allee"),
              ("Markt", "platz"), ("Rosen", "weg"), ("Kaiser-Wilhelm-", "Straße"), ("Münchner", "Straße"),
              ("Dorf", "straße"), ("Ahorn", "weg"), ("Am Mühlbach", ""), ("Tal", "straße"), ("Kant", "straße")]
EN_STREET_NAMES = {"US": ["Main", "Oak", "Maple", "Cedar", "Pine", "Elm", "Washington", "Lake", "Hill", "Sunset",
                          "Park", "Lincoln", "Jefferson", "Madison", "Highland", "Spring", "River", "Ridge", "Mill"],
                   "GB": ["High", "Station", "Church", "Victoria", "Park", "London", "Mill", "Green", "Manor", "Kings",
                          "Queens", "York", "Albert", "Grange", "Windsor", "Chapel", "Orchard"]}
EN_STREET_TYPES = {"US": ["Street", "Avenue", "Road", "Boulevard", "Drive", "Lane", "Court", "Place"],
                   "GB": ["Street", "Road", "Lane", "Avenue", "Close", "Gardens", "Crescent", "Terrace", "Way"]}
EN_ABBREV = {"Street": "St", "Avenue": "Ave", "Road": "Rd", "Boulevard": "Blvd", "Drive": "Dr", "Lane": "Ln",
             "Court": "Ct", "Place": "Pl", "Gardens": "Gdns", "Crescent": "Cres", "Terrace": "Terr"}
FR_STREETS = [("rue", "de la Paix"), ("avenue", "Victor Hugo"), ("rue", "Jean Jaurès"), ("boulevard", "Saint-Michel"),
              ("place", "Bellecour"), ("rue", "de la République"), ("allée", "des Lilas"), ("rue", "Pasteur"),
              ("avenue", "Gambetta"), ("boulevard", "du Général de Gaulle"), ("rue", "de la Gare"),
              ("chemin", "des Vignes"), ("rue", "Voltaire"), ("impasse", "des Écoles"), ("avenue", "des Châtaigniers")]
FR_ABBREV = {"avenue": "av.", "boulevard": "bd", "place": "pl.", "chemin": "ch.", "impasse": "imp.", "allée": "all."}
PL_STREETS = [("ul.", "Marszałkowska"), ("ul.", "Długa"), ("ul.", "Polna"), ("ul.", "Lipowa"), ("ul.", "Słowackiego"),
              ("ul.", "Mickiewicza"), ("ul.", "Kościuszki"), ("ul.", "Piłsudskiego"), ("al.", "Jerozolimskie"),
              ("ul.", "Grunwaldzka"), ("ul.", "Ogrodowa"), ("ul.", "Kwiatowa"), ("ul.", "Leśna"), ("ul.", "Krakowska"),
              ("ul.", "Szkolna"), ("os.", "Tysiąclecia"), ("pl.", "Wolności")]

# Mobile prefixes (national significant number starts) that libphonenumber takes as valid.
MOBILE = {"DE": (["151", "152", "160", "170", "171", "172", "175", "176", "177", "178", "179"], 8),
          "US": None,
          "GB": (["71", "72", "73"], 8),
          "FR": (["60", "61", "62", "64", "65", "66", "67", "68", "73", "75", "76", "77", "78"], 7),
          "PL": (["50", "51", "53", "60", "66", "69", "72", "73", "78", "79", "88"], 7)}
COUNTRY_CODE = {"DE": "49", "US": "1", "GB": "44", "FR": "33", "PL": "48"}

PROVIDERS = {
    "DE": {"gmail.com": 25, "gmx.de": 20, "web.de": 20, "t-online.de": 10, "outlook.com": 8, "yahoo.de": 5,
           "posteo.de": 4, "icloud.com": 8},
    "US": {"gmail.com": 45, "yahoo.com": 15, "outlook.com": 12, "hotmail.com": 8, "icloud.com": 12, "aol.com": 5,
           "proton.me": 3},
    "GB": {"gmail.com": 35, "hotmail.co.uk": 15, "outlook.com": 12, "yahoo.co.uk": 12, "btinternet.com": 10,
           "icloud.com": 10, "sky.com": 6},
    "FR": {"gmail.com": 35, "orange.fr": 18, "free.fr": 14, "laposte.net": 10, "hotmail.fr": 12, "sfr.fr": 6,
           "yahoo.fr": 5},
    "PL": {"gmail.com": 35, "wp.pl": 20, "onet.pl": 15, "o2.pl": 12, "interia.pl": 12, "outlook.com": 6},
}
PLUS_TAGS = {"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk", "hotmail.fr",
             "icloud.com", "proton.me", "posteo.de"}

COMPANY_STEMS = ["Nordlicht", "Blauwal", "Sonnenschein", "Acme", "Brightside", "Kestrel", "Atlas", "Lumen",
                 "Papillon", "Horizon", "Zielony Las", "Wisła", "Bergmann", "Falke", "Orion", "Greenfield", "Oakridge",
                 "Riverbend", "Maison Dorée", "Atelier Rive", "Polmark", "Techbud", "Vistula", "Harbor", "Pinecrest",
                 "Silverline", "Edelweiss", "Kranich", "Apfelbaum", "Le Petit Four", "Sonnenhof", "Morgenrot",
                 "Bluebell", "Ironbridge", "Lighthouse", "Quercus", "Bursztyn", "Sokół", "Étoile", "Mistral",
                 "Alpenblick", "Hafenkante", "Thistle", "Redwood", "Copperfield", "Granit", "Cedrus", "Lazur"]
COMPANY_KINDS = ["Consulting", "Design", "Logistik", "Systems", "Trading", "Studio", "Media", "Bau", "Handel",
                 "Software", "Architekten", "Catering", "Events", "Solutions", "Partners", "Immobilien", "Print"]
COMPANY_SUFFIX = {"DE": ["GmbH", "GmbH", "AG", "UG", "e.K.", "GmbH & Co. KG"], "US": ["Inc.", "LLC", "Corp."],
                  "GB": ["Ltd", "Ltd", "LLP", "PLC"], "FR": ["SARL", "SAS", "SA"], "PL": ["sp. z o.o.", "S.A.", "s.c."]}
COMPANY_TLD = {"DE": "de", "US": "com", "GB": "co.uk", "FR": "fr", "PL": "pl"}

PRODUCTS = [("MUG-01", "Ceramic mug", "Home & Kitchen", "12.90"), ("TEA-07", "Green tea 100 g", "Food", "8.50"),
            ("TSH-22", "Organic T-shirt", "Apparel", "24.95"), ("HD-330", "Wireless headphones", "Electronics", "89.00"),
            ("BK-104", "Cookbook", "Books", "29.99"), ("CND-5", "Scented candle", "Home & Kitchen", "16.00"),
            ("YG-MAT", "Yoga mat", "Sports", "39.90"), ("SRM-2", "Face serum", "Beauty", "32.50"),
            ("CBL-USB", "USB-C cable", "Electronics", "9.99"), ("SCK-3", "Wool socks (3 pairs)", "Apparel", "19.90"),
            ("BTL-750", "Steel water bottle", "Sports", "22.00"), ("PZL-1000", "Puzzle 1000 pieces", "Toys", "18.99")]

# Channels: key -> (channel kind, what a record there is).
#   "customer": a registered channel customer (POST /customers with external_id)
#   "manual":   a customer added by hand (POST /customers, channel "manual", no external_id)
#   "order":    a marketplace order of a registered buyer (POST /orders, customer.external_id set)
CHANNELS = {"shopify-eu": ("shopify", "customer"), "woocommerce-shop": ("woocommerce", "customer"),
            "pos-store": ("pos", "customer"), "amazon-de": ("amazon", "order"), "ebay-de": ("ebay", "order"),
            "manual": (None, "manual")}
BASE_CHANNELS = {"shopify-eu": 35, "woocommerce-shop": 15, "amazon-de": 15, "ebay-de": 10, "pos-store": 10,
                 "manual": 15}
GUEST_CHANNELS = ["shopify-eu", "woocommerce-shop"]  # shops that take guest checkouts

# Variation labels and how often a duplicate draws each (before applicability).
WEIGHTS = {"typo": 12, "transposition": 7, "swapped_names": 5, "nickname": 7, "accents_case": 8,
           "missing_fields": 12, "phone_format": 15, "address_format": 11, "other_email": 9, "email_variant": 9,
           "guest_order": 9}
# At most one label of each group on one record.
EXCLUSIVE = [{"typo", "transposition", "nickname"}, {"other_email", "email_variant"},
             {"guest_order", "missing_fields", "phone_format"}]
SPELLING = {"typo", "transposition", "nickname"}  # labels that change how a name is spelled
# The order variations are applied in (a nickname replaces the first name before the names swap places).
APPLY_ORDER = ["nickname", "typo", "transposition", "accents_case", "swapped_names", "other_email", "email_variant",
               "phone_format", "address_format", "guest_order", "missing_fields"]

KEYBOARD = {"q": "wa", "w": "qes", "e": "wrd", "r": "etf", "t": "ryg", "y": "tuh", "u": "yij", "i": "uok",
            "o": "ipl", "p": "ol", "a": "qsz", "s": "adwx", "d": "sfec", "f": "dgrv", "g": "fhtb", "h": "gjyn",
            "j": "hkum", "k": "jlim", "l": "kop", "z": "asx", "x": "zsc", "c": "xdv", "v": "cfb", "b": "vgn",
            "n": "bhm", "m": "njk"}

# ---------------------------------------------------------------------------------------------------------
# Text helpers
# ---------------------------------------------------------------------------------------------------------

SPECIAL = str.maketrans({"ß": "ss", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "æ": "ae",
                         "Æ": "AE", "ı": "i", "İ": "I", "œ": "oe", "Œ": "OE"})
GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def plain(text):
    """The text without diacritics: José -> Jose, Łódź -> Lodz, Nguyễn -> Nguyen."""
    decomposed = unicodedata.normalize("NFKD", text.translate(SPECIAL))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def german_plain(text):
    """Umlauts written out as German does without them: Müller -> Mueller."""
    return plain(text.translate(GERMAN))


def slug(text, fold=plain):
    return "".join(c for c in fold(text).lower() if c.isalnum())


def levenshtein(a, b):
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def weighted(rng, table):
    keys = list(table)
    return rng.choices(keys, [table[k] for k in keys])[0]


def canonical_email(email):
    """The mailbox an address reaches: lower case, without a +tag, gmail without dots."""
    local, domain = email.lower().split("@")
    local = local.split("+")[0]
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


# ---------------------------------------------------------------------------------------------------------
# Phones and addresses
# ---------------------------------------------------------------------------------------------------------

class Phone:
    """A phone number: country, area code (or mobile prefix) and subscriber number; `e164` is its identity."""

    def __init__(self, country, area, subscriber):
        self.country, self.area, self.subscriber = country, area, subscriber
        self.e164 = f"+{COUNTRY_CODE[country]}{area}{subscriber}"

    def formats(self):
        """Other ways people and channels write this number: national forms first, then international."""
        cc, a, s = COUNTRY_CODE[self.country], self.area, self.subscriber
        if self.country == "US":
            local = f"{s[:3]}-{s[3:]}"
            return [f"({a}) {local}", f"{a}-{local}", f"{a}.{s[:3]}.{s[3:]}", f"+1 ({a}) {local}", f"1-{a}-{local}",
                    f"+1 {a} {s[:3]} {s[3:]}", f"001 {a} {s[:3]} {s[3:]}"]
        if self.country == "DE":
            h = len(s) // 2
            return [f"0{a} {s}", f"(0{a}) {s[:h]}-{s[h:]}", f"0{a}/{s}", f"0{a}-{s[:h]} {s[h:]}",
                    f"+49 {a} {s}", f"+49 (0){a} {s}", f"0049 {a} {s}"]
        if self.country == "GB":
            if len(a) == 2 and a.startswith("7"):  # mobile: 07xxx xxxxxx
                n = a + s
                return [f"0{n[:4]} {n[4:]}", f"0{n}", f"+44 {n[:4]} {n[4:]}", f"+44 (0){n[:4]} {n[4:]}",
                        f"0044 {n[:4]} {n[4:]}"]
            g = f"{s[:4]} {s[4:]}" if len(a) == 2 else f"{s[:3]} {s[3:]}"
            return [f"0{a} {g}", f"(0{a}) {g}", f"0{a}{s}", f"+44 {a} {g}", f"+44 (0){a} {g}", f"0044 {a} {g}"]
        if self.country == "FR":
            n = a + s
            pairs = " ".join(n[i:i + 2] for i in range(1, 9, 2))
            dots = ".".join(n[i:i + 2] for i in range(1, 9, 2))
            return [f"0{n[0]} {pairs}", f"0{n[0]}.{dots}", f"0{n}", f"+33 {n[0]} {pairs}", f"+33 (0){n[0]} {pairs}",
                    f"0033 {n[0]} {pairs}"]
        # PL: no trunk prefix
        n = a + s
        if len(a) == 2 and self.area in CITY_AREAS["PL"]:
            return [f"{a} {s[:3]} {s[3:5]} {s[5:]}", f"({a}) {s[:3]}-{s[3:5]}-{s[5:]}", n,
                    f"+48 {a} {s[:3]} {s[3:5]} {s[5:]}", f"0048 {a} {s[:3]} {s[3:5]} {s[5:]}"]
        return [f"{n[:3]} {n[3:6]} {n[6:]}", f"{n[:3]}-{n[3:6]}-{n[6:]}", n, f"+48 {n[:3]} {n[3:6]} {n[6:]}",
                f"+48 {n[:3]}-{n[3:6]}-{n[6:]}", f"0048 {n[:3]} {n[3:6]} {n[6:]}"]


CITY_AREAS = {country: {city[2] for city in cities} for country, cities in CITIES.items()}


NUMBERED = ("ascii", "postal_compact", "unit_alt")  # address style switches with several forms


class Address:
    """A place, rendered in a canonical style or another style of writing the same place."""

    def __init__(self, ident, country, street, number, unit, city, postal_code, region):
        self.id, self.country, self.street, self.number = ident, country, street, number
        self.unit, self.city, self.postal_code, self.region = unit, city, postal_code, region

    def styles(self):
        """The style switches that change how this address reads."""
        c, s = self.country, self.street
        options = ["upper", "lower"]
        if c == "DE":
            if "traße" in s[1]:
                options += ["abbrev", "ss"]
            if self.number[-1].isalpha():
                options.append("number_space")
        elif c in ("US", "GB"):
            if s[1] in EN_ABBREV:
                options += ["abbrev", "abbrev_dot"]
            options.append("number_last")
            if c == "GB":
                options.append("postal_compact")
        elif c == "FR":
            if s[0] in FR_ABBREV:
                options.append("abbrev")
            options.append("comma")
        elif c == "PL":
            options += ["no_prefix", "prefix_long"]
        if self.unit:
            options += ["unit_alt"] if c == "PL" else ["unit_inline", "unit_alt"]
        if any(ord(ch) > 127 for text in self.line_texts({}) + [self.city] for ch in text):
            options.append("ascii")
        return options

    def line_texts(self, style):
        line1, line2 = self._lines(style)
        return [line1] + ([line2] if line2 else [])

    def _lines(self, style):
        c, (a, b), number = self.country, self.street, self.number
        if c == "DE" and style.get("number_space"):
            number = f"{number[:-1]} {number[-1].upper()}"
        unit = self._unit(style.get("unit_alt"))
        if c == "DE":
            # Hauptstraße, Kaiser-Wilhelm-Straße, Am Mühlbach: one word; Berliner Straße: two
            name = f"{a} {b}" if b[:1].isupper() and not a.endswith("-") else f"{a}{b}"
            if style.get("abbrev"):
                name = name.replace("straße", "str.").replace("Straße", "Str.")
            if style.get("ss"):
                name = name.replace("ß", "ss")
            street = f"{name} {number}"
        elif c in ("US", "GB"):
            kind = b
            if style.get("abbrev") or style.get("abbrev_dot"):
                kind = EN_ABBREV[b] + ("." if style.get("abbrev_dot") else "")
            street = f"{a} {kind} {number}" if style.get("number_last") else f"{number} {a} {kind}"
        elif c == "FR":
            kind = FR_ABBREV[a] if style.get("abbrev") else a
            street = f"{number}{',' if style.get('comma') else ''} {kind} {b}"
        else:  # PL: the flat goes after the house number on the same line
            if style.get("no_prefix"):
                prefix = ""
            elif style.get("prefix_long"):
                prefix = {"ul.": "ulica ", "al.": "Aleje ", "os.": "osiedle ", "pl.": "plac "}[a]
            else:
                prefix = a + " "
            street = f"{prefix}{b} {number}"
            if unit:
                street += unit if unit.startswith("/") else f" {unit}"
            unit = None
        line1, line2 = street, unit
        if unit and style.get("unit_inline"):
            line1, line2 = (f"{unit}, {street}" if c == "GB" else f"{street}, {unit}"), None
        return line1, line2

    def _unit(self, alternative):
        if not self.unit:
            return None
        kind, value = self.unit
        forms = {"whg": [f"Whg. {value}", f"Wohnung {value}"], "og": [f"{value}. OG", f"{value}. Stock"],
                 "apt": [f"Apt {value}", f"#{value}", f"Apt. {value}", f"Unit {value}"],
                 "suite": [f"Suite {value}", f"Ste {value}", f"#{value}"],
                 "flat": [f"Flat {value}", f"Apartment {value}"],
                 "appt": [f"Appartement {value}", f"Appt {value}", f"Apt {value}"],
                 "bat": [f"Bâtiment {value}", f"Bât. {value}", f"Bat {value}"],
                 "m": [f"m. {value}", f"/{value}", f"lok. {value}"]}[kind]
        return forms[1 + (alternative - 1) % (len(forms) - 1)] if alternative else forms[0]

    def render(self, style, name, company):
        """The address object the API takes."""
        line1, line2 = self._lines(style)
        city, postal = self.city, self.postal_code
        if style.get("postal_compact"):
            postal = postal.replace(" ", "").lower() if style["postal_compact"] == 2 else postal.replace(" ", "")
        if style.get("ascii"):
            fold = german_plain if self.country == "DE" and style["ascii"] == 1 else plain
            line1, line2, city = fold(line1), line2 and fold(line2), fold(city)
        if style.get("upper"):
            line1, line2, city = line1.upper(), line2 and line2.upper(), city.upper()
        elif style.get("lower"):
            line1, line2 = line1.lower(), line2 and line2.lower()
        return {"name": name, "company": company, "line1": line1, "line2": line2, "city": city,
                "region": self.region, "postal_code": postal, "country": self.country}


# ---------------------------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------------------------

class Person:
    def __init__(self, number):
        self.number = number
        self.label = "base"
        self.first = self.last = self.culture = self.country = None
        self.email = self.alt_email = None
        self.phone = None
        self.extra_phone = None
        self.company = self.company_domain = None
        self.address = None


class View:
    """One record of a person as a channel has it, before it becomes a request body."""

    def __init__(self, person):
        self.person = person
        self.first, self.last = person.first, person.last
        self.email = person.email
        self.phone = person.phone.e164 if person.phone else None
        self.phone_id = person.phone.e164 if person.phone else None
        self.extra_phones = []
        self.company = person.company
        self.address = person.address
        self.style = {}
        self.labels = []
        self.channel = None
        self.guest = False

    # what a careful human would compare
    def email_id(self):
        return canonical_email(self.email) if self.email else None

    def phone_ids(self):
        return {p for p in [self.phone_id] + [e for _, e in self.extra_phones] if p}

    def spelled_differently(self):
        return bool(SPELLING & set(self.labels))


def linked(a, b):
    """Whether two records of one person keep enough in common to be told the same person: a shared email or
    phone, two shared identifiers, or the address with the name spelled the same way."""
    shared = []
    if a.email_id() and a.email_id() == b.email_id():
        shared.append("email")
    if a.phone_ids() & b.phone_ids():
        shared.append("phone")
    if a.address and b.address and a.address.id == b.address.id:
        shared.append("address")
    if len(shared) >= 2 or (len(shared) == 1 and shared[0] != "address"):
        return True
    return shared == ["address"] and not a.spelled_differently() and not b.spelled_differently()


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.people = []
        self.emails = set()  # canonical mailboxes in use
        self.phones = set()
        self.domains = set()
        self.companies = set()
        self.externals = collections.defaultdict(set)  # channel -> customer ids used
        self.orders = collections.defaultdict(set)  # channel -> order ids used
        self.order_numbers = collections.Counter()
        self.address_ids = 0

    # --- building blocks --------------------------------------------------------------------------------

    def pick_name(self, country, culture=None):
        rng = self.rng
        culture = culture or weighted(rng, CULTURES[country])
        first = rng.choice(FIRST_NAMES[culture])
        last = rng.choice(SURNAMES[culture])
        return culture, first, self.gendered(culture, first, last)

    @staticmethod
    def gendered(culture, first, last):
        """Polish surnames in -ski/-cki take -ska/-cka for women (first names ending in -a)."""
        if culture == "polish" and first.endswith("a") and last.endswith(("ski", "cki", "dzki")):
            return last[:-1] + "a"
        return last

    def new_phone(self, country, city_area, mobile=None):
        rng = self.rng
        mobile = rng.random() < 0.6 if mobile is None else mobile
        while True:
            if country == "US":
                area = city_area
                exchange = str(rng.randint(2, 9)) + f"{rng.randrange(100):02d}"
                if exchange == "555" or exchange[1:] == "11":
                    continue
                subscriber = exchange + f"{rng.randrange(10000):04d}"
            elif mobile:
                prefixes, length = MOBILE[country]
                area = rng.choice(prefixes)
                subscriber = str(rng.randint(1, 9)) + "".join(str(rng.randrange(10)) for _ in range(length - 1))
            else:
                area = city_area
                length = {"DE": 10, "GB": 10, "FR": 9, "PL": 9}[country] - len(area)
                subscriber = str(rng.randint(2, 9)) + "".join(str(rng.randrange(10)) for _ in range(length - 1))
            phone = Phone(country, area, subscriber)
            if phone.e164 not in self.phones:
                self.phones.add(phone.e164)
                return phone

    def new_email(self, first, last, country, domain=None):
        """A fresh mailbox nobody else uses, written the way people pick them."""
        rng = self.rng
        fold = german_plain if rng.random() < 0.5 else plain  # Bärbel: baerbel or barbel
        f, l = slug(first, fold), slug(last, fold)
        year = str(rng.randint(1950, 2005))
        for attempt in range(100):
            pattern = rng.choice([f"{f}.{l}", f"{f}{l}", f"{f[0]}{l}", f"{f}_{l}", f"{f}.{l}{year[2:]}",
                                  f"{l}.{f}", f"{f}{year}", f"{f[0]}.{l}", f"{f}.{l[0]}"] if domain is None else
                                 [f"{f}.{l}", f"{f[0]}.{l}", f"{f[0]}{l}", f"{f}"])
            if attempt > 5:
                pattern += str(rng.randint(1, 999))
            email = f"{pattern}@{domain or weighted(rng, PROVIDERS[country])}"
            if canonical_email(email) not in self.emails:
                self.emails.add(canonical_email(email))
                return email
        raise RuntimeError("no free email address")

    def new_address(self, country, city=None):
        rng = self.rng
        city = city or rng.choice(CITIES[country])
        name, postals, _, region = city
        postal = rng.choice(postals)
        if country == "GB":
            postal = f"{postal} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        number = str(rng.randint(1, 180 if country != "US" else 9800))
        unit = None
        if country == "DE":
            street = rng.choice(DE_STREETS)
            if rng.random() < 0.15:
                number += rng.choice("abc")
            if rng.random() < 0.3:
                unit = rng.choice([("whg", str(rng.randint(1, 24))), ("og", str(rng.randint(1, 5)))])
        elif country in ("US", "GB"):
            street = (rng.choice(EN_STREET_NAMES[country]), rng.choice(EN_STREET_TYPES[country]))
            if rng.random() < 0.35:
                unit = (("apt", f"{rng.randint(1, 12)}{rng.choice('ABCD')}") if rng.random() < 0.8 else
                        ("suite", str(rng.randint(100, 900)))) if country == "US" else ("flat", str(rng.randint(1, 30)))
        elif country == "FR":
            street = rng.choice(FR_STREETS)
            if rng.random() < 0.08:
                number += rng.choice([" bis", " ter"])
            if rng.random() < 0.3:
                unit = rng.choice([("appt", str(rng.randint(1, 60))), ("bat", rng.choice("ABCD"))])
        else:
            street = rng.choice(PL_STREETS)
            if rng.random() < 0.6:
                unit = ("m", str(rng.randint(1, 80)))
        self.address_ids += 1
        return Address(self.address_ids, country, street, number, unit, name, postal, region)

    def new_company(self, country):
        rng = self.rng
        while True:
            stem = rng.choice(COMPANY_STEMS)
            name = f"{stem} {rng.choice(COMPANY_KINDS)} {rng.choice(COMPANY_SUFFIX[country])}"
            domain = f"{slug(stem)}-{slug(name.split()[-2] if len(name.split()) > 2 else 'co')}.{COMPANY_TLD[country]}"
            if name not in self.companies and domain not in self.domains:
                self.companies.add(name)
                self.domains.add(domain)
                return name, domain

    # --- people -----------------------------------------------------------------------------------------

    def fill(self, p, first=None, last=None, culture=None, country=None, city=None, address=None):
        """Gives a person contacts (and a name, place, company unless given)."""
        rng = self.rng
        p.country = country or weighted(rng, COUNTRIES)
        if first is None:
            p.culture, p.first, p.last = self.pick_name(p.country)
        else:
            p.culture, p.first, p.last = culture, first, last
        p.address = address or self.new_address(p.country, city)
        area = next(c[2] for c in CITIES[p.address.country] if c[0] == p.address.city)
        if p.company is None and rng.random() < 0.22:
            p.company, p.company_domain = self.new_company(p.country)
        work = p.company_domain and rng.random() < 0.4
        p.email = self.new_email(p.first, p.last, p.country, p.company_domain if work else None)
        if rng.random() < 0.7:
            p.phone = self.new_phone(p.address.country, area)
            if rng.random() < 0.12:
                p.extra_phone = self.new_phone(p.address.country, area, mobile=not p.phone.area == area)
        return p

    def regular(self):
        return self.fill(Person(len(self.people) + 1))

    def family_member(self, anchor):
        """Same last name and home, another first name, own email and phone."""
        rng = self.rng
        p = Person(len(self.people) + 1)
        p.label = "hard_negative_family"
        nick_of_anchor = set(NICKNAMES.get(anchor.first, []))
        for _ in range(100):
            first = rng.choice(FIRST_NAMES[anchor.culture])
            if (levenshtein(slug(first), slug(anchor.first)) >= 3 and first not in nick_of_anchor
                    and anchor.first not in NICKNAMES.get(first, [])):
                break
        else:
            return None
        base_last = anchor.last
        if anchor.culture == "polish" and base_last.endswith("a") and base_last[:-1].endswith(("sk", "ck", "dzk")):
            base_last = base_last[:-1] + "i"
        last = self.gendered(anchor.culture, first, base_last)
        p.company = None
        p.company_domain = None
        self.fill(p, first, last, anchor.culture, anchor.address.country, address=anchor.address)
        return p

    def common_name_pair(self):
        """Two people with one common full name in different cities, with their own contacts."""
        rng = self.rng
        first, last, countries = rng.choice(COMMON_NAMES)
        culture = next((c for c, names in SURNAMES.items() if last in names or last[:-1] + "i" in names), "english")
        anchor = self.fill(Person(len(self.people) + 1), first, last, culture, rng.choice(countries))
        self.people.append(anchor)
        other = Person(len(self.people) + 1)
        other.label = "hard_negative_common_name"
        country = rng.choice(countries)
        city = rng.choice([c for c in CITIES[country] if c[0] != anchor.address.city])
        self.fill(other, first, last, culture, country, city=city)
        return other

    def colleague(self, anchor):
        """Same company and office, another name, own email (often on the company's domain) and phone."""
        rng = self.rng
        p = Person(len(self.people) + 1)
        p.label = "hard_negative_colleague"
        for _ in range(100):
            culture, first, last = self.pick_name(anchor.address.country)
            if slug(first) != slug(anchor.first) and slug(last) != slug(anchor.last):
                break
        p.company, p.company_domain = anchor.company, anchor.company_domain
        self.fill(p, first, last, culture, anchor.address.country, address=anchor.address)
        if not p.email.endswith("@" + p.company_domain) and rng.random() < 0.6:
            self.emails.discard(canonical_email(p.email))
            p.email = self.new_email(p.first, p.last, p.country, p.company_domain)
        return p

    def make_people(self, count):
        rng = self.rng
        while len(self.people) < count:
            r = rng.random()
            person = None
            if r < 0.05:
                homes = [p for p in self.people if p.company is None and p.label != "hard_negative_colleague"]
                person = self.family_member(rng.choice(homes)) if homes else None
            elif r < 0.10 and len(self.people) <= count - 2:
                person = self.common_name_pair()
            elif r < 0.13:
                firms = [p for p in self.people if p.company]
                person = self.colleague(rng.choice(firms)) if firms else None
            self.people.append(person or self.regular())

    # --- records ----------------------------------------------------------------------------------------

    def base_view(self, p):
        v = View(p)
        v.channel = weighted(self.rng, BASE_CHANNELS)
        if p.extra_phone:
            v.extra_phones = [(p.extra_phone.e164, p.extra_phone.e164)]
        return v

    def allowed(self, p, label, chosen):
        if any(label in group and group & set(chosen) for group in EXCLUSIVE):
            return False
        return {"nickname": p.first in NICKNAMES, "phone_format": p.phone is not None}.get(label, True)

    def draw_labels(self, p, views):
        rng = self.rng
        count = rng.choices([1, 2, 3], [60, 30, 10])[0]
        weights = dict(WEIGHTS)
        if plain(p.first + p.last) != p.first + p.last:
            weights["accents_case"] *= 2.5  # accented names lose their accents often
        if p.first in NICKNAMES:
            weights["nickname"] *= 4  # people who have a short form use it
        if any(v.guest for v in views):
            weights["guest_order"] /= 2  # one guest checkout is common, several less so
        chosen = []
        while len(chosen) < count:
            options = {k: w for k, w in weights.items() if k not in chosen and self.allowed(p, k, chosen)}
            if not options:
                break
            chosen.append(weighted(rng, options))
        return [k for k in WEIGHTS if k in chosen]  # a stable order

    def duplicate(self, p, views):
        """A further record of `p` on another channel, or None when no variation keeps it recognisable."""
        for _ in range(40):
            labels = self.draw_labels(p, views)
            v = self.apply(p, labels, views)
            if v is not None and all(linked(v, other) for other in views):
                return v
        return None

    def apply(self, p, labels, views):
        rng = self.rng
        v = View(p)
        v.labels = labels
        used = {w.channel for w in views}
        if "guest_order" in labels:
            v.guest = True
            v.channel = rng.choice(GUEST_CHANNELS)
            v.phone = v.phone_id = None
            v.company = None
        else:
            free = [c for c in CHANNELS if c not in used]
            if not free:
                return None
            v.channel = rng.choice(free)
        for label in [k for k in APPLY_ORDER if k in labels]:
            if label in ("typo", "transposition"):
                which = "last" if rng.random() < 0.45 else "first"
                name = getattr(v, which)
                changed = typo(rng, name) if label == "typo" else transpose(rng, name)
                if changed is None or changed == name:
                    return None
                setattr(v, which, changed)
            elif label == "swapped_names":
                v.first, v.last = v.last, v.first
            elif label == "nickname":
                v.first = rng.choice(NICKNAMES[p.first])
            elif label == "accents_case":
                v.first, v.last = accents_case(rng, v.first, v.last)
            elif label == "other_email":
                if p.alt_email is None:
                    work = p.company_domain and not p.email.endswith("@" + p.company_domain) and rng.random() < 0.6
                    p.alt_email = self.new_email(p.first, p.last, p.country, p.company_domain if work else None)
                v.email = p.alt_email
            elif label == "email_variant":
                v.email = email_variant(rng, v.email)
            elif label == "phone_format":
                forms = p.phone.formats()
                national = [f for f in forms if not f.startswith(("+", "00"))]
                v.phone = rng.choice(national if rng.random() < 0.65 else forms)
            elif label == "address_format":
                options = p.address.styles()
                for _ in range(10):
                    keys = rng.sample(options, min(len(options), rng.choice([1, 1, 2])))
                    if {"upper", "lower"} <= set(keys) or {"abbrev", "abbrev_dot"} <= set(keys):
                        continue
                    # numbered switches pick one of their forms (ascii: 1 = Mueller, 2 = Muller)
                    style = {k: rng.randint(1, 3 if k == "unit_alt" else 2) if k in NUMBERED else True
                             for k in keys}
                    if p.address.render(style, "", None) != p.address.render({}, "", None):
                        v.style = style
                        break
                else:
                    return None
        if "missing_fields" in labels:
            present = [f for f, there in (("phone", v.phone), ("email", v.email), ("address", v.address)) if there]
            # a customer added by hand is found again by email or phone: keep one of them
            if v.channel == "manual" and "address" in present and len(present) == 2:
                present = ["address"]
            if "address_format" in labels:
                present = [f for f in present if f != "address"]
            if "email_variant" in labels or "other_email" in labels:
                present = [f for f in present if f != "email"]
            if not present:
                return None
            drop = rng.choice(present)
            if drop == "phone":
                v.phone = v.phone_id = None
            elif drop == "email":
                v.email = None
            else:
                v.address = None
        if v.channel == "manual" and not v.email and not v.phone:
            return None
        if p.company and not v.guest and rng.random() < 0.3:
            v.company = None  # many channels never ask for a company
        return v

    def views(self):
        """Every person's records: a base record and 0-3 duplicates."""
        rng = self.rng
        out = []
        for p in self.people:
            views = [self.base_view(p)]
            for _ in range(rng.choices([0, 1, 2, 3], [60, 27, 9, 4])[0]):
                v = self.duplicate(p, views)
                if v is not None:
                    views.append(v)
            out.append(views)
        return out

    # --- request bodies ---------------------------------------------------------------------------------

    def external_id(self, channel, v):
        rng = self.rng
        while True:
            if channel == "shopify-eu":
                ext = str(rng.randrange(6_000_000_000_000, 8_000_000_000_000))
            elif channel == "woocommerce-shop":
                ext = str(rng.randrange(1000, 99999))
            elif channel == "pos-store":
                ext = f"L{rng.randrange(10 ** 7, 10 ** 8)}"
            elif channel == "amazon-de":
                ext = "A" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(13))
            else:  # ebay: a user name
                ext = f"{slug(v.first)[:6]}{slug(v.last)[:4]}{rng.randrange(10, 9999)}"
            if ext not in self.externals[channel]:
                self.externals[channel].add(ext)
                return ext

    def order_id(self, channel):
        rng = self.rng
        while True:
            if channel == "amazon-de":
                oid = f"{rng.choice(['302', '303', '304', '305', '306', '028'])}-{rng.randrange(10 ** 7):07d}-{rng.randrange(10 ** 7):07d}"
            elif channel == "ebay-de":
                oid = f"{rng.randrange(10, 30)}-{rng.randrange(10 ** 5):05d}-{rng.randrange(10 ** 5):05d}"
            elif channel == "shopify-eu":
                oid = str(rng.randrange(5_000_000_000_000, 6_000_000_000_000))
            else:
                oid = str(rng.randrange(10_000, 999_999))
            if oid not in self.orders[channel]:
                self.orders[channel].add(oid)
                self.order_numbers[channel] += 1
                number = oid if channel in ("amazon-de", "ebay-de") else f"#{1000 + self.order_numbers[channel]}"
                return oid, number

    def body(self, v):
        """The request body of one record: (kind, body)."""
        rng = self.rng
        channel_kind, record = CHANNELS[v.channel]
        name = f"{v.first} {v.last}"
        address = v.address.render(v.style, name, v.company) if v.address else None
        if v.guest or record == "order":
            oid, number = self.order_id(v.channel)
            lines = []
            for sku, title, category, price in rng.sample(PRODUCTS, rng.choice([1, 1, 2, 3])):
                lines.append({"sku": sku, "name": title, "category": category, "quantity": rng.choice([1, 1, 1, 2]),
                              "unit_price": price})
            total = sum(round(float(l["unit_price"]) * 100) * l["quantity"] for l in lines)
            total = f"{total // 100}.{total % 100:02d}"
            placed = datetime.datetime(2025, 1, 1) + datetime.timedelta(minutes=rng.randrange(500 * 24 * 60))
            customer = {"external_id": None if v.guest else self.external_id(v.channel, v), "email": v.email,
                        "first_name": v.first, "last_name": v.last}
            if v.phone:
                customer["phone"] = v.phone
            return "order", {
                "channel": v.channel, "channel_kind": channel_kind, "external_id": oid, "number": number,
                "placed_at": placed.strftime("%Y-%m-%dT%H:%M:%SZ"), "status": rng.choice(["paid", "paid", "delivered"]),
                "currency": "EUR", "exchange_rate": "1", "total": total, "paid": total, "refunded": "0",
                "customer": {k: val for k, val in customer.items() if val is not None or k == "external_id"},
                "shipping_address": address, "billing_address": None, "lines": lines}
        body = {"channel": v.channel}
        if record == "customer":
            body["channel_kind"] = channel_kind
            body["external_id"] = self.external_id(v.channel, v)
        body.update({"first_name": v.first, "last_name": v.last})
        if v.email:
            body["email"] = v.email
        if v.phone:
            body["phone"] = v.phone
        if v.extra_phones:
            body["phones"] = [shown for shown, _ in v.extra_phones]
        if v.company:
            body["company"] = v.company
        if address:
            body["billing_address"] = address
            body["shipping_address"] = dict(address) if rng.random() < 0.85 else None
        return "customer", body


# ---------------------------------------------------------------------------------------------------------
# Name variations
# ---------------------------------------------------------------------------------------------------------

def typo(rng, name):
    """One or two slips of the finger: a letter doubled, dropped, or hit next to the right key."""
    chars = list(name)
    for _ in range(rng.choice([1, 1, 1, 2])):
        letters = [i for i, c in enumerate(chars) if c.isalpha() and i > 0] or [0]
        i = rng.choice(letters)
        low = plain(chars[i]).lower()
        op = rng.choice(["insert", "delete", "substitute"] if len(chars) > 3 else ["insert", "substitute"])
        if op == "insert":
            chars.insert(i, chars[i] if rng.random() < 0.5 else rng.choice(KEYBOARD.get(low, "e")))
        elif op == "delete":
            del chars[i]
        else:
            new = rng.choice(KEYBOARD.get(low, "aeiou"))
            chars[i] = new.upper() if chars[i].isupper() else new
    out = "".join(chars)
    return out if len(out) >= 2 and out != name else None


def transpose(rng, name):
    spots = [i for i in range(1, len(name) - 1) if name[i].isalpha() and name[i + 1].isalpha()
             and name[i].lower() != name[i + 1].lower()]
    if not spots:
        return None
    i = rng.choice(spots)
    return name[:i] + name[i + 1] + name[i] + name[i + 2:]


def accents_case(rng, first, last):
    """José -> JOSE, Müller -> Mueller or Muller, or names in one case."""
    options = []
    if plain(first + last) != first + last:
        options += ["plain", "german", "plain_upper"]
    options += ["upper", "lower", "upper_last"]
    for _ in range(10):
        kind = rng.choice(options)
        f, l = first, last
        if kind in ("plain", "plain_upper"):
            f, l = plain(f), plain(l)
        elif kind == "german":
            f, l = german_plain(f), german_plain(l)
        if kind in ("upper", "plain_upper"):
            f, l = f.upper(), l.upper()
        elif kind == "lower":
            f, l = f.lower(), l.lower()
        elif kind == "upper_last":
            l = l.upper()
        if (f, l) != (first, last):
            return f, l
    return first.upper(), last.upper()


def email_variant(rng, email):
    """The same mailbox written another way: case, gmail dots, a +tag, googlemail."""
    local, domain = email.split("@")
    options = ["case", "upper"]
    if domain in PLUS_TAGS:
        options.append("tag")
    if domain == "gmail.com":
        options += ["dots", "googlemail"]
    kind = rng.choice(options)
    if kind == "case":
        return ".".join(part[:1].upper() + part[1:] for part in local.split(".")) + "@" + domain.capitalize()
    if kind == "upper":
        return email.upper()
    if kind == "tag":
        return f"{local}+{rng.choice(['shop', 'amazon', 'orders', 'news', 'ebay'])}@{domain}"
    if kind == "googlemail":
        return f"{local}@googlemail.com"
    bare = local.replace(".", "")
    if "." in local:
        return f"{bare}@{domain}"
    cut = rng.randint(1, len(bare) - 1)
    return f"{bare[:cut]}.{bare[cut:]}@{domain}"


# ---------------------------------------------------------------------------------------------------------

def generate(seed, people):
    """Records (dicts as written to records.jsonl) and the truth summary."""
    g = Generator(seed)
    g.make_people(people)
    records = []
    for views in g.views():
        for i, v in enumerate(views):
            kind, body = g.body(v)
            label = "+".join(v.labels) if v.labels else v.person.label
            records.append({"key": f"p{v.person.number:05d}-{i}", "person": v.person.number, "variation": label,
                            "kind": kind, "body": body})
    # channels are synced in no particular order: interleave the records
    g.rng.shuffle(records)
    variations = collections.Counter(label for r in records for label in r["variation"].split("+"))
    per_person = collections.Counter(r["person"] for r in records)
    truth = {"people": len(g.people), "records": len(records), "variations": dict(sorted(variations.items())),
             "duplicate_records": len(records) - len(g.people),
             "people_with_duplicates": sum(1 for n in per_person.values() if n > 1),
             "seed": seed}
    return records, truth


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--out", required=True, help="directory to write records.jsonl and truth.json to")
    args = parser.parse_args()
    records, truth = generate(args.seed, args.people)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "records.jsonl"), "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(os.path.join(args.out, "truth.json"), "w", encoding="utf-8") as f:
        json.dump(truth, f, ensure_ascii=False, indent=2)
        f.write("\n")
    print(json.dumps(truth, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
