"""A bulk action over many customers through the API (SPEC §10, issue 22: 100,000 in at most 60 s while
ingestion continues): `POST /api/v1/bulk` with a list query, followed to its end, then undone the same way.
With --ingest, bench/ingest.py posts orders the whole time. Standard library only.

    python3 bench/bulk.py --url http://127.0.0.1:3500 --key cv_… --query "tov_max=100" [--ingest 20000]
"""
import argparse
import json
import time

from api_client import report_ingestion, request, start_ingestion


def call(url, key, method="GET", body=None):
    return json.loads(request(url, key, method, body, timeout=300)[1])


def follow(url, key, job):
    while job["status"] in ("queued", "running"):
        time.sleep(0.2)
        job = call(f"{url}/api/v1/bulk/{job['id']}", key)
    return job


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--query", required=True, help="the list query whose customers it changes")
    parser.add_argument("--ingest", type=int, default=0, help="orders posted meanwhile (0: none)")
    args = parser.parse_args()
    ingest = start_ingestion(args.url, args.key, args.ingest)
    started = time.monotonic()
    job = follow(args.url, args.key, call(f"{args.url}/api/v1/bulk", args.key, "POST",
                                          {"query": args.query, "action": "set_mark", "value": "vip"}))
    applied = time.monotonic() - started
    assert job["status"] == "done", job
    started = time.monotonic()
    undone = follow(args.url, args.key, call(f"{args.url}/api/v1/bulk/{job['id']}/undo", args.key, "POST", {}))
    undo = time.monotonic() - started
    assert undone["undone"], undone
    print(f"bulk set_mark vip over {job['rows_total']:,} customers (query {args.query!r}): {applied:.1f} s; "
          f"undone in {undo:.1f} s")
    report_ingestion(ingest)


if __name__ == "__main__":
    main()
