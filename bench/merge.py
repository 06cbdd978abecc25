"""The merge and its undo at scale (SPEC §9, issue 21): two customers with N orders each (default 1,000)
in the 1,000,000-customer workspace, merged and the merge undone R times through the API; reports
p50/p95 of each. Standard library only.

    python3 bench/merge.py --url http://127.0.0.1:3500 --key cv_… [--orders 1000] [--runs 11]
"""
import argparse
import json
import statistics
import time
import urllib.request


def post(url, key, path, body):
    request = urllib.request.Request(
        url + path, data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as answer:
        return json.load(answer), time.perf_counter() - started


def order(run, who, n):
    total = f"{10 + n % 90}.00"
    return {
        "channel": "bench-merge", "channel_kind": "other", "external_id": f"{run}-{who}-{n}", "number": f"#{n}",
        "placed_at": f"2026-{1 + n % 10:02d}-{1 + n % 28:02d}T10:00:00Z", "status": "delivered",
        "currency": "USD", "total": total, "paid": total, "refunded": "0",
        "customer": {"external_id": f"M-{run}-{who}", "email": f"merge-{run}-{who}@bench.example",
                     "first_name": "Merge", "last_name": f"Bench {who}"},
        "lines": [{"sku": "M-1", "name": "Mug", "category": "Home", "quantity": 1, "unit_price": total}],
    }


def p95(times):
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    run = f"r{int(time.time())}"
    ids = {}
    for who in "ab":
        for start in range(0, args.orders, 500):
            batch = [order(run, who, n) for n in range(start, min(args.orders, start + 500))]
            answer, _ = post(args.url, args.key, "/api/v1/orders/batch", {"orders": batch})
            ids[who] = answer["results"][0]["customer_id"]
    merges, undos = [], []
    for _ in range(args.runs):
        merged, took = post(args.url, args.key, "/api/v1/customers/merge", {"survivor": ids["a"], "merged": [ids["b"]]})
        assert merged["customer"]["orders"] == 2 * args.orders, merged["customer"]
        merges.append(took)
        undone, took = post(args.url, args.key, f"/api/v1/merges/{merged['merge_id']}/undo", {})
        assert undone["customers"] == [ids["a"], ids["b"]], undone
        undos.append(took)
    for name, times in (("merge", merges), ("undo", undos)):
        print(f"| {name} of 2 × {args.orders:,} orders | {statistics.median(times) * 1000:.0f} | {p95(times) * 1000:.0f} |")
    for name, times in (("merge", merges), ("undo", undos)):
        print(f"\n{name}, in the order run (ms): {', '.join(f'{t * 1000:.0f}' for t in times)}")


if __name__ == "__main__":
    main()
