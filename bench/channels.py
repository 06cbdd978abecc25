"""Connected shops, measured (issue 23). Standard library only.

    channels.py first-sync --url U --key K [--orders 10000] [--batch 1000]
        A marketplace history into a new workspace, nearly every customer new, through
        POST /api/v1/orders/batch one batch at a time: orders/s overall and per batch.
    channels.py hooks --url U --hook /hooks/… --secret S [--rate 200] [--seconds 30]
        Signed Shopify orders/create deliveries at a steady rate from several senders: acknowledgement
        latency p50/p95/max.
    channels.py backlog --out FILE [--orders 10000]
        Shopify orders as rows for `copy channel_delivery (topic, dedupe_key, body) from FILE`.
    channels.py shopify-csv --out FILE [--customers 100000]
        A Shopify customer export (today's layout).
"""
import argparse
import base64
import concurrent.futures
import hashlib
import hmac
import json
import random
import statistics
import threading
import time
import urllib.request

FIRST = ["Ann", "Bob", "Chen", "Dana", "Emil", "Fatima", "Goran", "Hana", "Ivan", "Jia", "Karin", "Luis", "Mona",
         "Nils", "Olga", "Pedro", "Qi", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wen", "Xavi", "Yara", "Zoe",
         "Aisha", "Bruno", "Clara", "Diego", "Elif", "Felix", "Greta", "Hugo", "Ines", "Jonas", "Kenji", "Lea",
         "Mateo", "Nadia", "Oskar", "Priya", "Rafael", "Sofia", "Theo", "Uma", "Viktor", "Wanda", "Yusuf", "Zara",
         "Amara", "Boris", "Cyra", "Dmitri", "Eva", "Farid", "Gwen", "Hiro", "Isla", "Jamal"]
LAST = ["Smith", "Müller", "García", "Rossi", "Dubois", "Nowak", "Kim", "Silva", "Jensen", "Novák", "Ivanova",
        "Haddad", "Tanaka", "O'Brien", "van Dijk", "Andersson", "Kowalski", "Papadopoulos", "Yilmaz", "Costa"]
PRODUCTS = [("TEA-POT", "Tea pot"), ("CUP-2", "Cup, set of 2"), ("KETTLE", "Kettle"), ("MUG", "Mug"),
            ("INFUSER", "Infuser"), ("SENCHA-100", "Sencha 100 g"), ("TRAY", "Tray")]


# surnames made of two syllables: some 1,200 of them, so that (as in a real customer base) most people
# share their name with few others, and the duplicate finder's background comparisons cost what they would
SYLLABLES_START = ["Ab", "Bel", "Car", "Dor", "El", "Fer", "Gal", "Har", "Ives", "Jor", "Kal", "Lin", "Mar", "Nor",
                   "Ol", "Pen", "Quin", "Ros", "Sal", "Tor", "Ul", "Var", "Wal", "Yor", "Zan", "Bran", "Cor", "Dal",
                   "Ever", "Fitz", "Gold", "Hol", "Kirk", "Lang", "Mont"]
SYLLABLES_END = ["son", "ton", "berg", "ley", "man", "ford", "wood", "ini", "escu", "ova", "ez", "stein", "ard",
                 "well", "more", "sen", "ski", "elli", "quist", "dale", "mann", "ovic", "ier", "worth", "bury",
                 "field", "ham", "ridge", "ston", "ek", "ago", "ani", "off", "ius"]


def person(rng, n):
    first = rng.choice(FIRST)
    last = rng.choice(LAST) if rng.random() < 0.2 else rng.choice(SYLLABLES_START) + rng.choice(SYLLABLES_END)
    return first, last, f"{first.lower()}.{n}@shop.example"


def marketplace_order(rng, n):
    """An order of the batch API as a marketplace history has it: one buyer each, nearly all new."""
    first, last, email = person(rng, n)
    lines = [{"sku": sku, "name": name, "quantity": rng.randint(1, 3), "unit_price": f"{rng.randint(300, 9000) / 100:.2f}"}
             for sku, name in rng.sample(PRODUCTS, rng.randint(1, 3))]
    total = f"{sum(l['quantity'] * float(l['unit_price']) for l in lines):.2f}"
    status = rng.choices(["delivered", "in_transit", "paid", "canceled", "returned"], [70, 10, 10, 5, 5])[0]
    buyer = n if rng.random() < 0.97 else rng.randrange(max(1, n))
    return {"channel": "amazon-us", "channel_kind": "amazon", "external_id": f"113-{n:07d}-{rng.randrange(10**7):07d}",
            "number": f"113-{n:07d}", "placed_at": f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z",
            "status": status, "currency": "USD", "total": total, "paid": "0" if status == "canceled" else total,
            "refunded": total if status == "returned" else "0",
            "customer": {"external_id": f"buyer-{buyer}", "email": f"buyer{buyer}@marketplace.example",
                         "first_name": first, "last_name": last},
            "shipping_address": {"name": f"{first} {last}", "line1": f"{rng.randint(1, 999)} Main St", "city": "Seattle",
                                 "region": "WA", "postal_code": f"98{rng.randint(100, 199)}", "country": "US"},
            "lines": lines}


def shopify_order(rng, n):
    """A Shopify order as its webhooks send it (the fields the mapping reads, and a few it does not)."""
    first, last, email = person(rng, n)
    items = [{"id": n * 10 + i, "variant_id": 39072856 + i, "product_id": 632910392, "sku": sku, "title": name,
              "quantity": rng.randint(1, 3), "price": f"{rng.randint(300, 9000) / 100:.2f}", "taxable": True,
              "requires_shipping": True, "fulfillable_quantity": 1}
             for i, (sku, name) in enumerate(rng.sample(PRODUCTS, rng.randint(1, 3)))]
    total = f"{sum(i['quantity'] * float(i['price']) for i in items):.2f}"
    customer_id = 7000000000000 + (n if rng.random() < 0.8 else rng.randrange(max(1, n)))
    address = {"first_name": first, "last_name": last, "name": f"{first} {last}", "address1": f"{rng.randint(1, 999)} Queen St",
               "address2": "", "city": "Toronto", "province_code": "ON", "country_code": "CA", "zip": "M5H 2N2",
               "phone": None, "company": None}
    stamp = f"2026-10-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00-04:00"
    return {"id": 5000000000000 + n, "admin_graphql_api_id": f"gid://shopify/Order/{5000000000000 + n}",
            "name": f"#{1000 + n}", "order_number": 1000 + n, "email": email, "phone": None, "currency": "CAD",
            "presentment_currency": "CAD", "created_at": stamp, "processed_at": stamp, "updated_at": stamp,
            "financial_status": "paid", "fulfillment_status": None, "cancelled_at": None, "test": False,
            "total_price": total, "current_total_price": total, "subtotal_price": total, "total_outstanding": "0.00",
            "customer": {"id": customer_id, "email": email, "first_name": first, "last_name": last, "phone": None},
            "billing_address": address, "shipping_address": address, "line_items": items, "refunds": [],
            "fulfillments": [], "shipping_lines": []}


def post(url, body, headers):
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        if response.status not in (200, 201, 202):
            raise SystemExit(f"answered {response.status}")
    return time.perf_counter() - started


def first_sync(args):
    rng = random.Random(7)
    orders = [marketplace_order(rng, n) for n in range(args.orders)]
    batches = [orders[i:i + args.batch] for i in range(0, len(orders), args.batch)]
    headers = {"Authorization": f"Bearer {args.key}", "Content-Type": "application/json"}
    times = []
    started = time.perf_counter()
    for batch in batches:
        times.append(post(f"{args.url}/api/v1/orders/batch", json.dumps({"orders": batch}).encode(), headers))
    elapsed = time.perf_counter() - started
    per_batch = ", ".join(f"{t:.2f}" for t in times)
    print(f"first sync: {args.orders} orders in {len(batches)} batches of {args.batch}: {elapsed:.1f} s, "
          f"{args.orders / elapsed:,.0f} orders/s; first batch {args.batch / times[0]:,.0f} orders/s; "
          f"seconds per batch: {per_batch}")


def hooks(args):
    rng = random.Random(11)
    total = args.rate * args.seconds
    bodies = [json.dumps(shopify_order(rng, 900000 + n)).encode() for n in range(total)]
    secret = args.secret.encode()
    url = f"{args.url}{args.hook}"
    latencies, lock = [], threading.Lock()

    def send(n):
        # each delivery leaves at its time on the schedule, whatever the ones before it took
        delay = started + n / args.rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        body = bodies[n]
        signature = base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()
        took = post(url, body, {"Content-Type": "application/json", "X-Shopify-Topic": "orders/create",
                                "X-Shopify-Hmac-Sha256": signature, "X-Shopify-Webhook-Id": f"bench-{n}"})
        with lock:
            latencies.append(took)

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(args.senders) as pool:
        list(pool.map(send, range(total)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(f"webhooks: {total} signed deliveries at {args.rate}/s for {args.seconds} s ({total / elapsed:,.0f}/s achieved): "
          f"acknowledged p50 {statistics.median(latencies) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
          f"max {latencies[-1] * 1000:.1f} ms")


def backlog(args):
    rng = random.Random(13)
    with open(args.out, "w", encoding="utf-8") as out:
        for n in range(args.orders):
            body = json.dumps(shopify_order(rng, n), ensure_ascii=False).replace("\\", "\\\\")
            out.write(f"orders/create\tbacklog-{n}\t{body}\n")


def shopify_csv(args):
    import csv
    rng = random.Random(17)
    header = ["Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing", "Default Address Company",
              "Default Address Address1", "Default Address Address2", "Default Address City",
              "Default Address Province Code", "Default Address Country Code", "Default Address Zip",
              "Default Address Phone", "Phone", "Accepts SMS Marketing", "Total Spent", "Total Orders", "Note",
              "Tax Exempt", "Tags"]
    with open(args.out, "w", encoding="utf-8", newline="") as out:
        w = csv.writer(out)
        w.writerow(header)
        for n in range(args.customers):
            first, last, email = person(rng, n)
            phone = f"'+1613555{n % 10000:04d}" if rng.random() < 0.5 else ""
            w.writerow([f"'{8000000000000 + n}", first, last, email, rng.choice(["yes", "no"]), "",
                        f"{rng.randint(1, 999)} King St", "", "Toronto", "ON", "CA", "'M5H 2N2", "", phone, "no",
                        f"{rng.randint(0, 50000) / 100:.2f}", str(rng.randint(0, 9)), "", "no", ""])


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("first-sync")
    s.add_argument("--url", required=True)
    s.add_argument("--key", required=True)
    s.add_argument("--orders", type=int, default=10000)
    s.add_argument("--batch", type=int, default=1000)
    s = sub.add_parser("hooks")
    s.add_argument("--url", required=True)
    s.add_argument("--hook", required=True)
    s.add_argument("--secret", required=True)
    s.add_argument("--rate", type=int, default=200)
    s.add_argument("--seconds", type=int, default=30)
    s.add_argument("--senders", type=int, default=32)
    s = sub.add_parser("backlog")
    s.add_argument("--out", required=True)
    s.add_argument("--orders", type=int, default=10000)
    s = sub.add_parser("shopify-csv")
    s.add_argument("--out", required=True)
    s.add_argument("--customers", type=int, default=100000)
    args = p.parse_args()
    {"first-sync": first_sync, "hooks": hooks, "backlog": backlog, "shopify-csv": shopify_csv}[args.command](args)


if __name__ == "__main__":
    main()
