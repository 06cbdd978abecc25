"""Sustained ingestion through the batch API: posts N orders in batches from several workers at once and
reports orders per second and batch latencies. Standard library only.

    python3 bench/ingest.py --url http://127.0.0.1:3500 --key cv_… [--orders 20000] [--batch 1000] [--workers 4]
"""
import argparse
import concurrent.futures
import json
import random
import statistics
import time
import urllib.request

CATEGORIES = ["Electronics", "Home & Kitchen", "Apparel", "Beauty", "Sports", "Books"]


def order(rng, run, n, customers):
    customer = rng.randrange(customers)
    guest = rng.random() < 0.2
    lines = [
        {"sku": f"SKU-{rng.randrange(500)}", "name": f"Product {rng.randrange(500)}",
         "category": rng.choice(CATEGORIES), "quantity": rng.randint(1, 3),
         "unit_price": f"{rng.randint(100, 20000) / 100:.2f}"}
        for _ in range(rng.randint(1, 4))
    ]
    total = sum(int(l["quantity"]) * float(l["unit_price"]) for l in lines)
    status = rng.choices(["paid", "delivered", "pending", "canceled", "returned"], [30, 55, 5, 5, 5])[0]
    total_text = f"{total:.2f}"
    return {
        "channel": "bench-shop", "channel_kind": "shopify", "external_id": f"{run}-{n}", "number": f"#{n}",
        "placed_at": f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00Z",
        "status": status, "currency": "USD", "total": total_text,
        "paid": "0" if status == "pending" else total_text,
        "refunded": total_text if status == "returned" else "0",
        "customer": ({"email": f"guest{n}@bench.example"} if guest else
                     {"external_id": f"BC-{customer}", "email": f"c{customer}@bench.example",
                      "first_name": "Bench", "last_name": f"Customer {customer}"}),
        "lines": lines,
    }


def post(url, key, body):
    request = urllib.request.Request(
        f"{url}/api/v1/orders/batch", data=body, method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        results = json.load(response)["results"]
    errors = [r for r in results if r.get("result") == "error"]
    if errors:
        raise SystemExit(f"refused items: {errors[:3]}")
    return time.perf_counter() - started


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--orders", type=int, default=20000)
    p.add_argument("--batch", type=int, default=1000)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--customers", type=int, default=5000, help="registered customers the orders spread over")
    args = p.parse_args()
    rng = random.Random(42)
    run = f"r{int(time.time())}"
    bodies = [json.dumps({"orders": [order(rng, run, n, args.customers) for n in range(i, min(i + args.batch, args.orders))]}).encode()
              for i in range(0, args.orders, args.batch)]
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(args.workers) as pool:
        latencies = list(pool.map(lambda b: post(args.url, args.key, b), bodies))
    elapsed = time.perf_counter() - started
    latencies.sort()
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
    print(f"{args.orders} orders in {len(bodies)} batches of {args.batch}, {args.workers} workers: "
          f"{elapsed:.1f} s, {args.orders / elapsed:,.0f} orders/s; "
          f"batch latency p50 {statistics.median(latencies):.2f} s, p95 {p95:.2f} s")


if __name__ == "__main__":
    main()
