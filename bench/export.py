"""Export of a whole workspace through the API (SPEC §10, issue 22): starts `POST /api/v1/exports`, follows
it to the end, downloads the file, and reports the time from start to file, the rows, and the server's
memory growth while it ran (its RSS sampled every 50 ms). With --ingest, bench/ingest.py posts orders the
whole time. Standard library only.

    python3 bench/export.py --url http://127.0.0.1:3500 --key cv_… --pid 1234 [--query "sort=name"] [--ingest 20000]
"""
import argparse
import json
import threading
import time
import urllib.request

from api_client import report_ingestion, request as call, start_ingestion


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--pid", type=int, required=True, help="the server's process, for its memory")
    parser.add_argument("--query", default="")
    parser.add_argument("--ingest", type=int, default=0, help="orders posted meanwhile (0: none)")
    args = parser.parse_args()

    ingest = start_ingestion(args.url, args.key, args.ingest)  # under way before the export starts

    before = rss_kib(args.pid)
    peak = [before]
    running = [True]

    def sample():
        while running[0]:
            peak[0] = max(peak[0], rss_kib(args.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    status, body = call(f"{args.url}/api/v1/exports", args.key, "POST", {"query": args.query})
    assert status == 202, (status, body)
    export = json.loads(body)
    while export["status"] in ("queued", "running"):
        time.sleep(0.1)
        export = json.loads(call(f"{args.url}/api/v1/exports/{export['id']}", args.key)[1])
    written = time.monotonic() - started
    assert export["status"] == "done", export
    download_started = time.monotonic()
    request = urllib.request.Request(args.url + export["download"], headers={"Authorization": f"Bearer {args.key}"})
    size = 0
    lines = 0
    with urllib.request.urlopen(request, timeout=600) as response:
        while chunk := response.read(1 << 20):
            size += len(chunk)
            lines += chunk.count(b"\n")
    downloaded = time.monotonic() - download_started
    running[0] = False
    sampler.join()
    print(f"export of {export['rows_total']:,} customers (query {args.query!r}): file written in {written:.1f} s, "
          f"downloaded in {downloaded:.1f} s ({size / 1e6:.0f} MB, {lines:,} lines)")
    print(f"server RSS: {before / 1024:.0f} MB before, peak {peak[0] / 1024:.0f} MB "
          f"(growth {(peak[0] - before) / 1024:.0f} MB)")
    report_ingestion(ingest)


if __name__ == "__main__":
    main()
