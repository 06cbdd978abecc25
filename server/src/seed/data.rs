//! Word lists the demo data is drawn from: names, products, and customer mail from delighted to angry.

pub const FIRST_NAMES: &[&str] = &[
    "Emma",
    "Liam",
    "Olivia",
    "Noah",
    "Ava",
    "Elijah",
    "Sophia",
    "James",
    "Isabella",
    "Lucas",
    "Mia",
    "Mateo",
    "Amelia",
    "Benjamin",
    "Harper",
    "Leo",
    "Evelyn",
    "Henry",
    "Charlotte",
    "Alexander",
    "Luna",
    "Jack",
    "Ella",
    "Daniel",
    "Chloe",
    "Samuel",
    "Aria",
    "Sebastian",
    "Hannah",
    "David",
    "Lena",
    "Jonas",
    "Marie",
    "Felix",
    "Sofia",
    "Paul",
    "Anna",
    "Max",
    "Laura",
    "Luis",
    "Lucia",
    "Pablo",
    "Carmen",
    "Javier",
    "Elena",
    "Hugo",
    "Chiara",
    "Marco",
    "Giulia",
    "Luca",
    "Camille",
    "Louis",
    "Chloé",
    "Jules",
    "Inès",
    "Arthur",
    "Yuki",
    "Hiro",
    "Mei",
    "Wei",
    "Priya",
    "Arjun",
    "Aisha",
    "Omar",
    "Fatima",
    "Yusuf",
    "Zoe",
    "Ethan",
    "Grace",
    "Owen",
    "Nora",
    "Ryan",
    "Leah",
    "Aaron",
    "Maya",
    "Adam",
    "Sara",
    "Erik",
    "Ingrid",
    "Lars",
    "Astrid",
    "Mikko",
    "Aino",
    "Tomasz",
    "Zofia",
    "Jan",
    "Eva",
    "Petr",
    "Katarina",
    "Ivan",
    "Olga",
    "Björn",
    "Sienna",
    "Kai",
    "Naomi",
    "Tariq",
    "Amara",
    "Kofi",
    "Ama",
    "Diego",
    "Valentina",
    "Bruno",
    "Beatriz",
    "Rafael",
    "Ana",
    "Sean",
    "Aoife",
];

pub const LAST_NAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Bianchi",
    "Dubois",
    "Durand",
    "Lefebvre",
    "Moreau",
    "Laurent",
    "Fernández",
    "González",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Nowak",
    "Kowalski",
    "Novák",
    "Svoboda",
    "Nielsen",
    "Jensen",
    "Hansen",
    "Johansson",
    "Andersson",
    "Virtanen",
    "Korhonen",
    "Tanaka",
    "Suzuki",
    "Sato",
    "Wang",
    "Li",
    "Zhang",
    "Chen",
    "Kim",
    "Park",
    "Nguyen",
    "Tran",
    "Patel",
    "Shah",
    "Khan",
    "Ali",
    "Ahmed",
    "Silva",
    "Santos",
    "Oliveira",
    "Costa",
    "O'Brien",
    "Murphy",
    "Kelly",
    "Walsh",
    "Okafor",
    "Mensah",
    "Van Dijk",
    "De Vries",
    "Jansen",
    "Novak",
    "Horvat",
    "Popescu",
    "Ionescu",
    "Papadopoulos",
    "Yilmaz",
    "Kaya",
];

pub const COMPANIES: &[&str] = &[
    "Northwind Traders",
    "Blue Harbor GmbH",
    "Acme Retail Ltd",
    "Lumen Studio",
    "Greenfield Farms",
    "Atlas Logistics",
    "Brightside Dental",
    "Copperleaf Café",
    "Fjord Outdoor AB",
    "Mosaic Interiors",
];

pub const EMAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "outlook.com",
    "yahoo.com",
    "icloud.com",
    "gmx.de",
    "web.de",
    "hotmail.co.uk",
    "proton.me",
    "orange.fr",
    "libero.it",
    "example.com",
    "mail.com",
];

pub struct Product {
    pub sku: &'static str,
    pub name: &'static str,
    pub category: &'static str,
    /// In cents of the channel's currency.
    pub price_cents: i64,
}

macro_rules! products {
    ($($sku:literal, $name:literal, $category:literal, $cents:literal;)*) => {
        &[$(Product { sku: $sku, name: $name, category: $category, price_cents: $cents }),*]
    };
}

pub const PRODUCTS: &[Product] = products![
    "EL-EAR-01", "Wireless Earbuds", "Electronics", 7999;
    "EL-SPK-02", "Bluetooth Speaker", "Electronics", 4950;
    "EL-CHG-03", "USB-C Charger 65W", "Electronics", 2999;
    "EL-CAB-04", "Braided USB-C Cable", "Electronics", 1299;
    "EL-WAT-05", "Fitness Watch", "Electronics", 14900;
    "EL-KBD-06", "Mechanical Keyboard", "Electronics", 11900;
    "EL-MSE-07", "Ergonomic Mouse", "Electronics", 5499;
    "HO-MUG-01", "Stoneware Mug", "Home & Kitchen", 1450;
    "HO-PAN-02", "Cast Iron Skillet", "Home & Kitchen", 3990;
    "HO-KNF-03", "Chef's Knife 20 cm", "Home & Kitchen", 6900;
    "HO-TWL-04", "Linen Tea Towels (3)", "Home & Kitchen", 1890;
    "HO-LMP-05", "Brass Desk Lamp", "Home & Kitchen", 8900;
    "HO-CUS-06", "Wool Cushion Cover", "Home & Kitchen", 3200;
    "AP-TEE-01", "Organic Cotton T-Shirt", "Apparel", 2499;
    "AP-HOD-02", "Heavyweight Hoodie", "Apparel", 5900;
    "AP-JKT-03", "Rain Jacket", "Apparel", 12900;
    "AP-SCK-04", "Merino Socks", "Apparel", 1590;
    "AP-CAP-05", "Canvas Cap", "Apparel", 1990;
    "AP-SNK-06", "Running Sneakers", "Apparel", 9900;
    "BE-SRM-01", "Vitamin C Serum", "Beauty", 2890;
    "BE-CRM-02", "Daily Moisturiser", "Beauty", 2250;
    "BE-SHP-03", "Solid Shampoo Bar", "Beauty", 990;
    "BE-LIP-04", "Tinted Lip Balm", "Beauty", 790;
    "SP-MAT-01", "Yoga Mat", "Sports", 3490;
    "SP-BTL-02", "Insulated Bottle 750 ml", "Sports", 2490;
    "SP-BND-03", "Resistance Bands Set", "Sports", 1990;
    "SP-TNT-04", "Two-Person Tent", "Sports", 18900;
    "TO-PZL-01", "1000-Piece Puzzle", "Toys & Games", 1990;
    "TO-BLD-02", "Wooden Building Blocks", "Toys & Games", 3490;
    "TO-GAM-03", "Strategy Board Game", "Toys & Games", 4490;
    "BK-CKB-01", "Seasonal Cookbook", "Books", 2990;
    "BK-NOV-02", "Paperback Novel", "Books", 1299;
    "BK-NTB-03", "Dotted Notebook A5", "Books", 1490;
    "GR-COF-01", "Single-Origin Coffee 1 kg", "Grocery", 2490;
    "GR-TEA-02", "Loose-Leaf Green Tea", "Grocery", 1290;
    "GR-OIL-03", "Extra Virgin Olive Oil 1 l", "Grocery", 1690;
    "GR-CHO-04", "Dark Chocolate Box", "Grocery", 1890;
    "PE-FOD-01", "Grain-Free Dog Food 5 kg", "Pets", 3990;
    "PE-TOY-02", "Rope Dog Toy", "Pets", 990;
    "PE-BED-03", "Cat Bed", "Pets", 4590;
];

pub const SUBJECTS: &[&str] = &[
    "Where is my parcel?",
    "Question about my order",
    "Wrong size delivered",
    "Refund request",
    "Item arrived damaged",
    "Change delivery address",
    "Thank you!",
    "Invoice needed",
    "Missing item",
    "Product question",
    "Cancel my order",
    "Discount code not working",
];

/// Sentences of customer mail by mood, from delighted (0) to angry (4); a message joins two or three.
pub const MOODS: [&[&str]; 5] = [
    &[
        "I absolutely love it, thank you so much!",
        "Fantastic service, the parcel arrived a day early and everything is perfect.",
        "You guys are amazing, best purchase I've made this year :)",
        "Great quality and beautiful packaging, I will definitely order again!",
        "Thanks a lot for the quick help, really appreciated!!",
        "Wow, exactly what I wanted. Highly recommend your shop.",
    ],
    &[
        "The order arrived fine, thanks.",
        "Good product overall, happy with it.",
        "Thanks for the update, that works for me.",
        "Nice fit, although the colour is slightly lighter than on the photo.",
        "All good now, thank you for sorting it out.",
    ],
    &[
        "Could you tell me when my order will ship?",
        "I would like to change the delivery address to my office.",
        "Please send me an invoice with our company details.",
        "Is this item available in a larger size?",
        "My order number is in the subject line.",
        "I ordered last week and have a question about the delivery date.",
    ],
    &[
        "The parcel is late and the tracking has not changed for five days.",
        "Unfortunately the item does not fit, I need to return it.",
        "I was charged twice for the same order, please check.",
        "The discount code did not work at checkout, which is disappointing.",
        "One item is missing from the box.",
        "This is the second time I have to ask about this.",
    ],
    &[
        "This is terrible service, nobody answers my emails!",
        "The product broke after two days. Completely useless and a waste of money.",
        "I am extremely angry, I want a full refund immediately.",
        "Worst shopping experience ever. I will never order from you again!!!",
        "Three weeks and still no parcel. This is unacceptable.",
        "Your support is awful and the item arrived damaged.",
    ],
];

/// Mail that is clearly not English: it gets no sentiment score (SPEC §3).
pub const FOREIGN: &[&str] = &[
    "Hallo, leider ist mein Paket immer noch nicht angekommen. Können Sie bitte nachsehen, wo es ist?",
    "Guten Tag, ich möchte meine Bestellung stornieren und das Geld zurückbekommen.",
    "Hola, el pedido llegó dañado y quisiera saber cómo puedo devolverlo, gracias.",
    "Bonjour, je n'ai toujours pas reçu ma commande, pouvez-vous vérifier le suivi s'il vous plaît ?",
    "Buongiorno, vorrei sapere quando verrà spedito il mio ordine. Grazie mille.",
];

pub const REPLIES: &[&str] = &[
    "Thanks for reaching out! I've checked your order and it left our warehouse yesterday.",
    "I'm sorry about the trouble. I've issued a replacement, which ships today.",
    "Thank you for your patience. Your refund has been processed and should arrive within 5 business days.",
    "Happy to help! I've updated the delivery address on your order.",
    "Sorry to hear that. Could you send us a photo of the damaged item?",
];

pub const NOTES: &[&str] = &[
    "Prefers contact by email, not phone.",
    "Wholesale enquiry — follow up about volume pricing.",
    "Asked for gift wrapping on future orders.",
    "Very loyal customer; offer early access to the next collection.",
    "Had a delivery problem in spring; be extra careful with the courier.",
];

pub const CITIES: &[(&str, &str, &str, &str)] = &[
    ("Berlin", "BE", "10115", "DE"),
    ("Munich", "BY", "80331", "DE"),
    ("Hamburg", "HH", "20095", "DE"),
    ("Louisville", "KY", "40202", "US"),
    ("Austin", "TX", "78701", "US"),
    ("Portland", "OR", "97201", "US"),
    ("New York", "NY", "10001", "US"),
    ("London", "", "EC1A 1BB", "GB"),
    ("Manchester", "", "M1 1AE", "GB"),
    ("Paris", "", "75001", "FR"),
    ("Madrid", "", "28001", "ES"),
    ("Milan", "MI", "20121", "IT"),
    ("Vienna", "", "1010", "AT"),
    ("Amsterdam", "", "1012", "NL"),
];

pub const STREETS: &[&str] = &[
    "Chestnut Street",
    "Main Street",
    "Hauptstraße",
    "Lindenallee",
    "High Street",
    "Rue de Rivoli",
    "Calle Mayor",
    "Via Roma",
    "Oak Avenue",
    "Market Square",
    "Kingsway",
    "Prinsengracht",
];
