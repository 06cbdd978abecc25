"""Precision and recall of the app's duplicate-customer finder on the records `generate.py` wrote.
Standard library only.

    # post every record to the app; writes DIR/customers.json (record key -> customer id)
    python3 bench/duplicates/evaluate.py load  --url http://127.0.0.1:3600 --key cv_… --data DIR
    # read GET /api/v1/duplicates and print a Markdown report against the truth
    python3 bench/duplicates/evaluate.py score --url http://127.0.0.1:3600 --key cv_… --data DIR [--min-score 0]
    # check the scoring arithmetic on a tiny fake (no server)
    python3 bench/duplicates/evaluate.py selftest

Truth: a customer id holds the records the app's identity rules put on it (several records of one person may
share one, e.g. a guest's orders); its persons are those of its records. The true pairs are the unordered pairs
of distinct customer ids that share a person; a listed pair is correct when its two customers share a person.
Pairs naming customers the load did not create (other data in the workspace) are left out and counted.
Recall per variation: a true pair counts for every variation label of the duplicate records of the shared
person on either side. Load into an empty workspace: loading twice is harmless (every record is idempotent).
"""
import argparse
import collections
import concurrent.futures
import itertools
import json
import os
import random
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

BANDS = [(0.9, None, "≥ 0.9"), (0.7, 0.9, "0.7–0.9"), (0.5, 0.7, "0.5–0.7"), (None, 0.5, "< 0.5")]
THRESHOLDS = [0.5, 0.6, 0.7, 0.8, 0.9]
BASE_LABELS = ("base", "hard_negative_")  # what a person's first record is labelled


# ---------------------------------------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------------------------------------

class Refused(Exception):
    """The app answered a status that retrying will not change."""


def request(url, key, method="GET", body=None, attempts=8):
    """The decoded JSON answer; 409, 429 and 503 (and a dropped connection) are retried with back-off."""
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    for attempt in range(attempts):
        req = urllib.request.Request(url, data=data, method=method, headers={
            "Authorization": f"Bearer {key}", "Content-Type": "application/json", "Accept": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=120) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            text = error.read().decode(errors="replace")
            if error.code not in (409, 429, 503) or attempt == attempts - 1:
                raise Refused(f"{method} {url} -> {error.code}\n{text}\nrequest body: "
                              f"{json.dumps(body, ensure_ascii=False) if body is not None else '-'}") from None
            retry_after = error.headers.get("Retry-After")
            delay = float(retry_after) if retry_after and retry_after.isdigit() else 0.25 * 2 ** attempt
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            if attempt >= min(attempts, 4) - 1:  # a server that is down stays down: give up sooner
                raise Refused(f"{method} {url}: {error}") from None
            delay = 0.25 * 2 ** attempt
        time.sleep(min(delay, 10) * (1 + random.random() / 4))
    raise AssertionError("unreachable")


# ---------------------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------------------

def read_records(data):
    with open(os.path.join(data, "records.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_mapping(data):
    with open(os.path.join(data, "customers.json"), encoding="utf-8") as f:
        return {key: int(cid) for key, cid in json.load(f).items()}


def labels_of(record):
    """The variation labels of a duplicate record; none for a base record."""
    return [] if record["variation"].startswith(BASE_LABELS) else record["variation"].split("+")


def describe(record):
    """One line a developer can read: name, email, phone, address, channel, variation."""
    body = record["body"]
    who = body.get("customer") or body
    address = body.get("shipping_address") or body.get("billing_address")
    parts = [f"{who.get('first_name') or ''} {who.get('last_name') or ''}".strip() or "(no name)",
             who.get("email") or "(no email)", who.get("phone") or "(no phone)"]
    if address:
        parts.append(f"{address.get('line1')}, {address.get('postal_code')} {address.get('city')} {address.get('country')}")
    else:
        parts.append("(no address)")
    company = body.get("company") or (address or {}).get("company")
    if company:
        parts.append(company)
    return f"{' · '.join(parts)} — {body['channel']}, p{record['person']} {record['variation']}"


# ---------------------------------------------------------------------------------------------------------
# Scoring (pure: the selftest runs it on a fake)
# ---------------------------------------------------------------------------------------------------------

def ratio(numerator, denominator):
    return numerator / denominator if denominator else None


def evaluate(records, mapping, listed, min_score=0.0):
    """Measures `listed` [(customer a, customer b, score, reasons)] against the truth of `records` placed on
    customers by `mapping` (record key -> customer id). Returns a dict of figures (see `render`)."""
    persons = collections.defaultdict(set)  # customer id -> persons of its records
    held = collections.defaultdict(list)  # customer id -> its records
    unloaded = 0
    for record in records:
        cid = mapping.get(record["key"])
        if cid is None:
            unloaded += 1
            continue
        persons[cid].add(record["person"])
        held[cid].append(record)
    customers_of = collections.defaultdict(set)  # person -> customer ids holding their records
    for cid, ps in persons.items():
        for p in ps:
            customers_of[p].add(cid)
    true_pairs = set()
    for ids in customers_of.values():
        true_pairs.update(itertools.combinations(sorted(ids), 2))

    def pair_labels(a, b):
        shared = persons[a] & persons[b]
        return sorted({label for r in held[a] + held[b] if r["person"] in shared for label in labels_of(r)})

    # the finder's pairs, once each (the best score kept), only between customers of the benchmark
    found, outside = {}, 0
    for a, b, score, reasons in listed:
        if a == b:
            continue
        pair = (min(a, b), max(a, b))
        if a not in persons or b not in persons:
            outside += 1
            continue
        if pair not in found or score > found[pair][0]:
            found[pair] = (score, reasons)
    below = sum(1 for score, _ in found.values() if score < min_score)
    found = {pair: seen for pair, seen in found.items() if seen[0] >= min_score}
    correct = {pair for pair in found if pair in true_pairs}
    precision, recall = ratio(len(correct), len(found)), ratio(len(correct), len(true_pairs))
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else (0.0 if found else None)

    per_label = collections.defaultdict(lambda: [0, 0, 0, 0])  # label -> [pairs, found, alone, alone found]
    for pair in true_pairs:
        labels = pair_labels(*pair)
        for label in labels:
            counts = per_label[label]
            counts[0] += 1
            counts[1] += pair in correct
            if len(labels) == 1:
                counts[2] += 1
                counts[3] += pair in correct

    bands = []
    for low, high, name in BANDS:
        inside = [p for p, (s, _) in found.items() if (low is None or s >= low) and (high is None or s < high)]
        good = sum(p in correct for p in inside)
        bands.append((name, len(inside), good, ratio(good, len(inside))))
    at = []
    for t in THRESHOLDS:
        inside = [p for p, (s, _) in found.items() if s >= t]
        good = sum(p in correct for p in inside)
        at.append((t, len(inside), good, ratio(good, len(inside)), ratio(good, len(true_pairs))))

    # what the false positives are made of: the kind of hard negative among the persons involved
    kinds = {r["person"]: r["variation"] for r in records if labels_of(r) == []}
    fp_kinds = collections.Counter()
    for a, b in set(found) - correct:
        names = sorted({kinds.get(p, "?") for p in persons[a] | persons[b]} - {"base"})
        fp_kinds[" + ".join(names) or "base only"] += 1

    worst = sorted(set(found) - correct, key=lambda p: (-found[p][0], p))[:10]
    missed = sorted(true_pairs - correct, key=lambda p: (len(pair_labels(*p)), pair_labels(*p), p))[:10]
    return {
        "records": len(records), "unloaded": unloaded, "customers": len(persons),
        "united": sum(1 for rs in held.values() if len(rs) > 1),
        "mixed": sorted(cid for cid, ps in persons.items() if len(ps) > 1),
        "true_pairs": len(true_pairs), "listed": len(found), "correct": len(correct), "outside": outside,
        "below_min_score": below, "min_score": min_score,
        "precision": precision, "recall": recall, "f1": f1,
        "per_label": {k: tuple(v) for k, v in sorted(per_label.items())}, "bands": bands, "at": at,
        "fp_kinds": dict(fp_kinds.most_common()),
        "worst": [(p, found[p][0], found[p][1], held[p[0]], held[p[1]]) for p in worst],
        "missed": [(p, pair_labels(*p), held[p[0]], held[p[1]]) for p in missed],
    }


def pct(value):
    return "—" if value is None else f"{100 * value:.1f}%"


def render(r):
    """The report as Markdown."""
    out = ["## Duplicate finder: precision and recall", ""]
    out += ["| measure | value |", "|---|---|"]
    rows = [("records", r["records"]), ("customers (ids the records landed on)", r["customers"]),
            ("customers holding several records (united by identity rules)", r["united"]),
            ("true pairs", r["true_pairs"]),
            (f"listed pairs (score ≥ {r['min_score']:g})", r["listed"]), ("correct listed pairs", r["correct"]),
            ("**precision**", pct(r["precision"])), ("**recall**", pct(r["recall"])), ("**F1**", pct(r["f1"]))]
    if r["outside"]:
        rows.append(("listed pairs left out (a customer not from this data)", r["outside"]))
    if r["below_min_score"]:
        rows.append(("listed pairs below --min-score", r["below_min_score"]))
    if r["unloaded"]:
        rows.append(("records missing from customers.json", r["unloaded"]))
    out += [f"| {name} | {value} |" for name, value in rows]
    if r["mixed"]:
        out += ["", f"**Warning**: {len(r['mixed'])} customer ids hold records of different people (ingestion "
                    f"united them): {', '.join(map(str, r['mixed'][:20]))}"]
    out += ["", "### Precision at a score threshold", "", "| threshold | listed | correct | precision | recall |",
            "|---|---|---|---|---|"]
    out += [f"| precision@score>={t:g} | {n} | {good} | {pct(p)} | {pct(rec)} |" for t, n, good, p, rec in r["at"]]
    out += ["", "### Precision by score band", "", "| score | listed | correct | precision |", "|---|---|---|---|"]
    out += [f"| {name} | {n} | {good} | {pct(p)} |" for name, n, good, p in r["bands"]]
    out += ["", "### Recall by variation", "",
            "A pair counts for each label of the duplicate records involved; *alone*: pairs with that label only.",
            "", "| variation | true pairs | found | recall | alone | found | recall alone |",
            "|---|---|---|---|---|---|---|"]
    out += [f"| {label} | {n} | {good} | {pct(ratio(good, n))} | {alone} | {alone_good} | {pct(ratio(alone_good, alone))} |"
            for label, (n, good, alone, alone_good) in r["per_label"].items()]
    if r["fp_kinds"]:
        out += ["", "### False positives by the people involved", "", "| people (hard-negative kinds) | pairs |",
                "|---|---|"]
        out += [f"| {kind} | {n} |" for kind, n in r["fp_kinds"].items()]
    out += ["", "### Worst false positives (highest score)", ""]
    for (a, b), score, reasons, side_a, side_b in r["worst"]:
        out.append(f"- **{a} ↔ {b}**, score {score:.3f}, reasons: {', '.join(map(str, reasons)) or '—'}")
        out += [f"    - {a}: {describe(x)}" for x in side_a[:3]]
        out += [f"    - {b}: {describe(x)}" for x in side_b[:3]]
    if not r["worst"]:
        out.append("none")
    out += ["", "### Missed pairs (fewest variations first)", ""]
    for (a, b), labels, side_a, side_b in r["missed"]:
        out.append(f"- **{a} ↔ {b}**: {'+'.join(labels) or '—'}")
        out += [f"    - {a}: {describe(x)}" for x in side_a[:3]]
        out += [f"    - {b}: {describe(x)}" for x in side_b[:3]]
    if not r["missed"]:
        out.append("none")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------------------

def load(args):
    records = read_records(args.data)
    base = args.url.rstrip("/") + "/api/v1/"
    mapping, lock, stop = {}, threading.Lock(), threading.Event()
    started = time.monotonic()

    def post(record):
        if stop.is_set():
            return
        path = "customers" if record["kind"] == "customer" else "orders"
        answer = request(base + path, args.key, "POST", record["body"])
        if not isinstance(answer, dict) or answer.get("customer_id") is None:
            raise Refused(f"POST {path} for {record['key']}: no customer_id in the answer {answer!r}")
        with lock:
            mapping[record["key"]] = answer["customer_id"]
            done = len(mapping)
        if done % 500 == 0:
            print(f"{done}/{len(records)} records, {time.monotonic() - started:.0f} s", file=sys.stderr)

    failed = None
    with concurrent.futures.ThreadPoolExecutor(args.workers) as pool:
        futures = [pool.submit(post, record) for record in records]  # submitted in file order
        for future in concurrent.futures.as_completed(futures):
            try:
                future.result()
            except Refused as error:
                if failed is None:
                    failed = error
                    stop.set()
    ordered = {r["key"]: mapping[r["key"]] for r in records if r["key"] in mapping}
    with open(os.path.join(args.data, "customers.json"), "w", encoding="utf-8") as f:
        json.dump(ordered, f, indent=0)
    if failed is not None:
        sys.exit(f"load failed after {len(ordered)} of {len(records)} records:\n{failed}")
    print(f"loaded {len(records)} records onto {len(set(ordered.values()))} customers in "
          f"{time.monotonic() - started:.1f} s; wrote {os.path.join(args.data, 'customers.json')}")


def fetch_pairs(get):
    """Every listed pair: [(a, b, score, reasons)] from the pages `get(cursor)` answers."""
    listed, cursor, seen = [], None, set()
    while True:
        page = get(cursor)
        for item in page.get("items", []):
            ids = [int(c) for c in item["customers"]]
            score = float(item.get("score", 0))
            for a, b in itertools.combinations(ids, 2):  # a group of more than two: each pair of it
                listed.append((a, b, score, item.get("reasons") or []))
        cursor = page.get("next")
        if cursor is None:
            return listed
        if cursor in seen:
            raise Refused(f"the cursor {cursor!r} came back: the pages loop")
        seen.add(cursor)


def score(args):
    records, mapping = read_records(args.data), read_mapping(args.data)
    base = args.url.rstrip("/") + "/api/v1/duplicates?limit=500"

    def get(cursor):
        url = base if cursor is None else f"{base}&after={urllib.parse.quote(str(cursor), safe='')}"
        return request(url, args.key)

    print(render(evaluate(records, mapping, fetch_pairs(get), args.min_score)))


def selftest(_args=None):
    """The arithmetic on a fake: five people, customers by hand, pairs by hand."""
    def rec(key, person, variation):
        return {"key": key, "person": person, "variation": variation, "kind": "customer",
                "body": {"channel": "manual", "first_name": f"P{person}", "last_name": key, "email": f"{key}@x.test"}}

    records = [rec("a0", 1, "base"), rec("a1", 1, "typo"), rec("a2", 1, "guest_order+typo"),
               rec("b0", 2, "base"), rec("b1", 2, "nickname+phone_format"),
               rec("c0", 3, "hard_negative_family"),
               rec("d0", 4, "base"), rec("d1", 4, "other_email"),  # united by the app: no pair
               rec("e0", 5, "base"), rec("e1", 5, "missing_fields")]
    mapping = {"a0": 10, "a1": 11, "a2": 12, "b0": 20, "b1": 21, "c0": 30, "d0": 40, "d1": 40, "e0": 50, "e1": 51}
    listed = [(11, 10, 0.95, ["same email"]), (10, 11, 0.5, []),  # listed twice: once, best score
              (20, 21, 0.6, []), (30, 10, 0.8, ["same address"]), (40, 99, 0.99, []),  # 99: not ours
              (50, 51, 0.3, []), (50, 50, 1.0, [])]
    r = evaluate(records, mapping, listed)
    # true pairs: 10-11, 10-12, 11-12, 20-21, 50-51; listed: 10-11, 20-21, 10-30, 50-51
    assert (r["true_pairs"], r["listed"], r["correct"], r["outside"]) == (5, 4, 3, 1), r
    assert (r["customers"], r["united"], r["mixed"]) == (9, 1, []), r
    assert abs(r["precision"] - 3 / 4) < 1e-9 and abs(r["recall"] - 3 / 5) < 1e-9, r
    assert abs(r["f1"] - 2 * 0.75 * 0.6 / 1.35) < 1e-9, r
    # 10-11: typo; 10-12: guest_order+typo; 11-12: guest_order+typo (both sides' labels); 20-21; 50-51
    assert r["per_label"]["typo"] == (3, 1, 1, 1), r["per_label"]
    assert r["per_label"]["guest_order"] == (2, 0, 0, 0), r["per_label"]
    assert r["per_label"]["nickname"] == (1, 1, 0, 0) and r["per_label"]["missing_fields"] == (1, 1, 1, 1)
    assert [b[1:3] for b in r["bands"]] == [(1, 1), (1, 0), (1, 1), (1, 1)], r["bands"]
    assert [(t, n, good) for t, n, good, _, _ in r["at"]] == [(0.5, 3, 2), (0.6, 3, 2), (0.7, 2, 1), (0.8, 2, 1),
                                                              (0.9, 1, 1)], r["at"]
    assert r["fp_kinds"] == {"hard_negative_family": 1}, r["fp_kinds"]
    assert [w[0] for w in r["worst"]] == [(10, 30)] and [m[0] for m in r["missed"]] == [(10, 12), (11, 12)]
    # --min-score drops the low pairs from precision and recall alike
    r = evaluate(records, mapping, listed, min_score=0.55)
    assert (r["listed"], r["correct"], r["below_min_score"]) == (3, 2, 1), r
    # a customer the app wrongly filled with two people: its pairs follow either person
    mixed = evaluate(records + [rec("f0", 6, "base")], dict(mapping, f0=30), [(30, 10, 0.8, [])])
    assert mixed["mixed"] == [30] and mixed["correct"] == 0 and mixed["true_pairs"] == 5
    mixed = evaluate(records, dict(mapping, c0=12), [(12, 10, 0.8, [])])
    assert mixed["mixed"] == [12] and mixed["correct"] == 1
    # pages follow `next` until it is null; a group of three is three pairs
    pages = {None: {"items": [{"customers": [10, 11, 12], "score": 0.9, "reasons": ["x"]}], "next": "c1"},
             "c1": {"items": [{"customers": [20, 21], "score": "0.7"}], "next": None}}
    assert [p[:3] for p in fetch_pairs(pages.__getitem__)] == [(10, 11, 0.9), (10, 12, 0.9), (11, 12, 0.9),
                                                                (20, 21, 0.7)]
    assert "precision@score>=0.5" in render(evaluate(records, mapping, listed))
    print("selftest passed")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("load", "score"):
        command = commands.add_parser(name)
        command.add_argument("--url", required=True, help="the app, e.g. http://127.0.0.1:3600")
        command.add_argument("--key", required=True, help="an API key of the workspace")
        command.add_argument("--data", required=True, help="the directory generate.py wrote")
    commands.choices["load"].add_argument("--workers", type=int, default=4)
    commands.choices["score"].add_argument("--min-score", type=float, default=0.0,
                                           help="leave out listed pairs scored below this")
    commands.add_parser("selftest")
    args = parser.parse_args()
    try:
        {"load": load, "score": score, "selftest": selftest}[args.command](args)
    except Refused as error:
        sys.exit(str(error))


if __name__ == "__main__":
    main()
