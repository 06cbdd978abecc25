"""What the job benchmarks (bench/export.py, bench/bulk.py) share: calls of the JSON API with a key, and
bench/ingest.py posting orders in the background meanwhile. Standard library only."""
import json
import subprocess
import sys
import time
import urllib.request


def request(url, key, method="GET", body=None, timeout=120):
    """The answer's status and body, for a call with the workspace's API key (and a JSON body, if any)."""
    data = json.dumps(body).encode() if body is not None else None
    call = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(call, timeout=timeout) as response:
        return response.status, response.read()


def start_ingestion(url, key, orders):
    """bench/ingest.py posting `orders` orders (over 50,000 customers, 2 workers), under way when this
    returns; None when `orders` is 0."""
    if not orders:
        return None
    ingest = subprocess.Popen([sys.executable, "bench/ingest.py", "--url", url, "--key", key,
                               "--orders", str(orders), "--workers", "2", "--customers", "50000"],
                              stdout=subprocess.PIPE, text=True)
    time.sleep(3)
    return ingest


def report_ingestion(ingest):
    """Waits for the ingestion started by `start_ingestion`, and prints its summary line."""
    if ingest:
        out, _ = ingest.communicate()
        print("ingestion meanwhile:", out.strip().splitlines()[-1] if out.strip() else "(no output)")
