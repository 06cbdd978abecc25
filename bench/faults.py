"""Fault test of SPEC §15, driven by scripts/faults: ingests orders through POST /api/v1/orders/batch from
several workers at once while PostgreSQL goes away, then checks what was stored. Standard library only.

Scenario `kill`: SIGKILL to the postmaster mid-load, `pg_ctl start` (crash recovery) a few seconds later.
Every acknowledged order (HTTP 200, no item refused) must be in the database exactly once, before anything
is sent again; then every batch that was not acknowledged is sent again (and some that were, which must
change nothing) until all are, and every order must be stored exactly once and every customer's figures
(GET /api/v1/customers/{id}) must equal those computed here by the rules of SPEC §3.

Scenario `restart`: the same load and checks, with a fast shutdown of PostgreSQL (`pg_ctl stop -m fast`)
and a start a few seconds later instead of the kill; the pause (--outage, 7 s) is longer than the pool's
5 s acquire timeout, so that requests see PostgreSQL away rather than just wait for it. With --outage 0 it
is a plain `pg_ctl restart -m fast` (and a 503 is no longer required). --kill-all makes the kill SIGKILL
every process of the cluster, not only the postmaster (the backends then die mid-transaction too).

Both: while PostgreSQL is away the server answers 503 with Retry-After (at least one such answer is
expected, and every 503 must carry the header), never a 500, no request lasts past the server's request
timeout (60 s), the server process stays up, GET /health answers 200 again within 15 s of PostgreSQL
being back, and a batch posted then is acknowledged at the first try.

    python3 bench/faults.py --url http://127.0.0.1:3700 --key cv_… --db-url postgres://…/customer_view_faults \
        --pg-bin /usr/lib/postgresql/15/bin --pg-data DIR --pg-log FILE [--pg-user postgres] [--scenario kill]
"""
import argparse
import collections
import concurrent.futures
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from decimal import Decimal

CATEGORIES = ["Electronics", "Home & Kitchen", "Apparel", "Beauty", "Sports", "Books"]
STATUSES = ["paid", "delivered", "pending", "in_transit", "canceled", "returned", "draft"]
STATUS_WEIGHTS = [30, 45, 6, 4, 6, 6, 3]
RATES = {"EUR": [Decimal("1.0850"), Decimal("1.1"), Decimal("0.9275")], "GBP": [Decimal("1.2713")]}
CENT = Decimal("0.01")
SERVER_TIMEOUT = 60.0  # the server's REQUEST_TIMEOUT
CLIENT_TIMEOUT = 75.0  # ours: a request still unanswered past the server's timeout is a hang
HEALTH_BACK_WITHIN = 15.0
START = time.monotonic()


def now():
    return time.monotonic() - START


def say(text):
    print(f"[{now():6.1f}s] {text}", flush=True)


# --- orders -----------------------------------------------------------------------------------------------

def make_order(rng, channel, external_id, customers, guest_share):
    """One order as the API takes it, with what SPEC §3 makes of it for its customer."""
    guest = rng.random() < guest_share
    k = rng.randrange(customers)
    lines = [{"sku": f"SKU-{rng.randrange(300)}", "name": f"Product {rng.randrange(300)}",
              "category": rng.choice(CATEGORIES), "quantity": rng.randint(1, 3),
              "unit_price": f"{Decimal(rng.randint(50, 25000)) / 100:.2f}"}
             for _ in range(rng.randint(1, 3))]
    total = sum(Decimal(l["quantity"]) * Decimal(l["unit_price"]) for l in lines).quantize(CENT)
    status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
    if status in ("pending", "draft"):
        paid = Decimal(0)
    elif status == "paid" and rng.random() < 0.15:
        paid = (total / 2).quantize(CENT)  # partly paid: accounts receivable
    else:
        paid = total
    if status == "returned":
        refunded = total
    elif status == "delivered" and rng.random() < 0.1:
        refunded = (total / 4).quantize(CENT)
    else:
        refunded = Decimal(0)
    test = rng.random() < 0.04
    order = {
        "channel": channel, "channel_kind": "shopify", "external_id": external_id,
        "number": f"#{external_id.rsplit('-', 1)[-1]}",
        "placed_at": f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:"
                     f"{rng.randint(0, 59):02d}:00Z",
        "status": status, "test": test, "total": f"{total:.2f}", "paid": f"{paid:.2f}",
        "refunded": f"{refunded:.2f}", "lines": lines,
    }
    if rng.random() < 0.2:
        currency = rng.choice(sorted(RATES))
        rate = rng.choice(RATES[currency])
        order.update(currency=currency, exchange_rate=str(rate))
    else:
        currency, rate = "USD", Decimal(1)
        order["currency"] = "USD"
    if guest:
        order["customer"] = {"email": f"guest-{external_id}@faults.example", "first_name": "Guest",
                             "last_name": external_id}
        owner = ("guest", external_id)
    else:
        order["customer"] = {"external_id": f"FC-{k}", "email": f"c{k}@faults.example", "first_name": "Fault",
                             "last_name": f"Customer {k}"}
        owner = ("registered", f"FC-{k}")
    expected = {"owner": owner, "status": status, "test": test, "total": total, "paid": paid,
                "refunded": refunded, "rate": rate, "lines": len(lines)}
    return order, expected


def figures(expected_orders):
    """SPEC §3: counted orders are test = false and not draft or canceled; amounts times the exchange rate."""
    out = collections.defaultdict(lambda: {"total_order_value": Decimal(0), "orders": 0, "total_paid": Decimal(0),
                                           "accounts_receivable": Decimal(0)})
    for e in expected_orders:
        f = out[e["owner"]]
        if e["test"] or e["status"] in ("draft", "canceled"):
            continue
        f["total_order_value"] += (e["total"] - e["refunded"]) * e["rate"]
        f["orders"] += 1
        f["total_paid"] += e["paid"] * e["rate"]
        f["accounts_receivable"] += max(Decimal(0), e["total"] - e["refunded"] - e["paid"]) * e["rate"]
    return out


class Batch:
    def __init__(self, number, orders, expected):
        self.number = number
        self.orders = orders
        self.expected = expected
        self.body = json.dumps({"orders": orders}).encode()
        self.acked = False  # during the load, before anything is sent again
        self.sends = 0


# --- HTTP -------------------------------------------------------------------------------------------------

class Answer:
    """One request and what came of it."""

    def __init__(self, kind, label):
        self.kind = kind  # batch, read, health
        self.label = label
        self.started = now()
        self.duration = None
        self.status = None  # None: no HTTP answer (connection error, timeout)
        self.error = None
        self.retry_after = None
        self.body = b""
        self.json = None

    @property
    def ended(self):
        return self.started + (self.duration or 0)

    def describe(self):
        what = f"HTTP {self.status}" if self.status is not None else f"no answer ({self.error})"
        body = self.body[:400].decode("utf-8", "replace")
        retry = f", Retry-After {self.retry_after}" if self.retry_after is not None else ""
        return (f"{self.kind} {self.label} at {self.started:.1f}s took {self.duration:.2f}s: {what}{retry}"
                + (f"; body {body}" if body else ""))


def request(kind, label, url, key=None, body=None, timeout=CLIENT_TIMEOUT):
    answer = Answer(kind, label)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    req = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET", headers=headers)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            answer.status = response.status
            answer.retry_after = response.headers.get("Retry-After")
            answer.body = response.read()
    except urllib.error.HTTPError as e:
        answer.status = e.code
        answer.retry_after = e.headers.get("Retry-After") if e.headers else None
        try:
            answer.body = e.read()
        except (OSError, http.client.HTTPException) as inner:
            answer.error = f"reading the body: {inner!r}"
    except (urllib.error.URLError, OSError, http.client.HTTPException) as e:
        answer.error = repr(getattr(e, "reason", e))
    answer.duration = time.monotonic() - started
    if answer.body:
        try:
            answer.json = json.loads(answer.body)
        except ValueError:
            pass
    return answer


def acknowledged(answer, batch):
    """200, one result per order, none of them refused."""
    if answer.status != 200 or not isinstance(answer.json, dict):
        return False
    results = answer.json.get("results")
    return (isinstance(results, list) and len(results) == len(batch.orders)
            and all(r.get("result") not in (None, "error") for r in results))


# --- PostgreSQL ---------------------------------------------------------------------------------------------

class Postgres:
    def __init__(self, args):
        self.args = args
        prefix = ["runuser", "-u", args.pg_user, "--"] if args.pg_user else []
        self.pg_ctl = prefix + [os.path.join(args.pg_bin, "pg_ctl"), "-D", args.pg_data, "-l", args.pg_log]

    def postmaster_pid(self):
        with open(os.path.join(self.args.pg_data, "postmaster.pid")) as f:
            return int(f.readline())

    def kill(self, children=False):
        """SIGKILL to the postmaster; with `children`, to every process of the cluster at once (as when the
        machine loses power: transactions in flight die with their backends)."""
        pid = self.postmaster_pid()
        victims = [pid] + (self.children(pid) if children else [])
        for victim in victims:
            try:
                os.kill(victim, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return victims

    @staticmethod
    def children(parent):
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        stat = f.read()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                    found.append(int(entry))
        return found

    def restart_fast(self):
        run(self.pg_ctl + ["-m", "fast", "-w", "-t", "60", "restart"], "pg_ctl restart -m fast")

    def stop_fast(self):
        run(self.pg_ctl + ["-m", "fast", "-w", "-t", "60", "stop"], "pg_ctl stop -m fast")

    def start(self):
        # After a SIGKILL the old backends may still hold the shared memory for a moment: try again.
        deadline = time.monotonic() + 60
        while True:
            result = subprocess.run(self.pg_ctl + ["-w", "-t", "60", "start"], capture_output=True, text=True)
            if result.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise SystemExit(f"pg_ctl start failed: {result.stdout}{result.stderr}\n"
                                 f"see {self.args.pg_log}:\n{tail(self.args.pg_log, 20)}")
            time.sleep(0.5)

    def query(self, sql):
        result = subprocess.run(["psql", "-X", "-tA", "-F", "\t", "-v", "ON_ERROR_STOP=1", self.args.db_url,
                                 "-c", sql], capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"psql failed: {result.stderr.strip()}\n{sql}")
        return [line.split("\t") for line in result.stdout.splitlines() if line]


def run(command, what):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{what} failed: {result.stdout}{result.stderr}")


def tail(path, n, only_errors=False):
    try:
        with open(path, errors="replace") as f:
            lines = f.readlines()
    except OSError as e:
        return f"({path}: {e})"
    if only_errors:
        lines = [l for l in lines if any(w in l for w in ("ERROR", "WARN", "error", "panic"))]
    return "".join(lines[-n:])


# --- one scenario -------------------------------------------------------------------------------------------

class Scenario:
    def __init__(self, name, args, pg):
        self.name = name
        self.args = args
        self.pg = pg
        self.channel = f"faults-{name}"
        self.rng_seed = {"kill": 1, "restart": 2}[name]
        self.lock = threading.Lock()
        self.batches = []
        self.answers = []
        self.stop = threading.Event()
        self.counter = 0
        self.failures = []
        self.facts = collections.OrderedDict()
        self.fault_at = self.back_at = self.health_back_at = None
        self.customer_ids = []  # for the reader

    def fail(self, text):
        self.failures.append(text)
        say(f"FAIL [{self.name}] {text}")

    def record(self, answer):
        with self.lock:
            self.answers.append(answer)

    def new_batch(self, rng):
        with self.lock:
            number = len(self.batches)
            first = self.counter
            self.counter += self.args.batch
        orders, expected = [], []
        for n in range(first, first + self.args.batch):
            order, exp = make_order(rng, self.channel, f"{self.name}-{n}", self.args.customers, self.args.guests)
            orders.append(order)
            expected.append(exp)
        batch = Batch(number, orders, expected)
        with self.lock:
            self.batches.append(batch)
        return batch

    def send(self, batch, label=None):
        batch.sends += 1
        answer = request("batch", label or f"#{batch.number}", f"{self.args.url}/api/v1/orders/batch",
                         self.args.key, batch.body)
        self.record(answer)
        return answer

    # the load

    def writer(self, worker):
        rng = random.Random(self.rng_seed * 1000 + worker)
        while not self.stop.is_set():
            batch = self.new_batch(rng)
            answer = self.send(batch)
            if acknowledged(answer, batch):
                batch.acked = True
                ids = [r.get("customer_id") for r in answer.json["results"]]
                with self.lock:
                    self.customer_ids = (self.customer_ids + [i for i in ids if i])[-200:]
            else:
                time.sleep(0.3)  # a client backs off a little; Retry-After is 5 s, but we want to see more

    def reader(self):
        rng = random.Random(self.rng_seed)
        while not self.stop.is_set():
            with self.lock:
                ids = list(self.customer_ids)
            if ids and rng.random() < 0.5:
                cid = rng.choice(ids)
                answer = request("read", f"customer {cid}", f"{self.args.url}/api/v1/customers/{cid}", self.args.key)
            else:
                answer = request("read", "list", f"{self.args.url}/api/v1/customers?limit=5&sort=-tov", self.args.key)
            self.record(answer)
            time.sleep(0.1)

    def health(self):
        while not self.stop.is_set():
            answer = request("health", "/health", f"{self.args.url}/health")
            self.record(answer)
            if (answer.status == 200 and self.back_at is not None and self.health_back_at is None):
                self.health_back_at = answer.ended
            time.sleep(0.2)

    def fault(self):
        self.fault_at = now()
        if self.name == "kill":
            pids = self.pg.kill(children=self.args.kill_all)
            say(f"[{self.name}] kill -9 of the postmaster (pid {pids[0]})"
                + (f" and its {len(pids) - 1} children" if self.args.kill_all else ""))
        elif self.args.outage == 0:
            self.pg.restart_fast()
            say(f"[{self.name}] pg_ctl restart -m fast: PostgreSQL restarted in {now() - self.fault_at:.1f} s")
        else:
            self.pg.stop_fast()
            say(f"[{self.name}] pg_ctl stop -m fast: PostgreSQL stopped in {now() - self.fault_at:.1f} s")

    def load(self):
        a = self.args
        say(f"[{self.name}] load: {a.workers} writers x {a.batch} orders per batch, {a.customers} registered "
            f"customers, 1 reader, 1 /health poller")
        threads = [threading.Thread(target=self.writer, args=(w,), daemon=True) for w in range(a.workers)]
        threads += [threading.Thread(target=self.reader, daemon=True), threading.Thread(target=self.health, daemon=True)]
        for t in threads:
            t.start()
        time.sleep(a.before)
        say(f"[{self.name}] {self.progress()} before the fault")
        self.fault()
        if self.name == "restart" and a.outage == 0:
            self.back_at = now()
        else:
            time.sleep(a.outage)
            say(f"[{self.name}] {self.progress()} while PostgreSQL is away; starting it")
            self.pg.start()
            self.back_at = now()
        say(f"[{self.name}] PostgreSQL is back ({'crash recovery, ' if self.name == 'kill' else ''}"
            f"{self.back_at - self.fault_at:.1f} s after the fault)")
        time.sleep(a.after)
        deadline = time.monotonic() + HEALTH_BACK_WITHIN
        while self.health_back_at is None and time.monotonic() < deadline:
            time.sleep(0.2)
        self.stop.set()
        say(f"[{self.name}] stopping the load: {self.progress()}")
        for t in threads:
            t.join(timeout=CLIENT_TIMEOUT + 10)
            if t.is_alive():
                self.fail("a load thread did not finish within the client timeout")

    def progress(self):
        with self.lock:
            sent = len(self.batches)
            acked = sum(b.acked for b in self.batches)
        return f"{sent} batches sent, {acked} acknowledged"

    # the checks

    def stored(self):
        """external_id -> list of (status, test, total, paid, refunded, rate, lines, customer id, customer ext id)."""
        rows = self.pg.query(f"""
            select o.external_id, o.status, o.test, o.total, o.paid, o.refunded, o.exchange_rate,
                   (select count(*) from order_line l where l.workspace_id = o.workspace_id and l.order_id = o.id),
                   o.customer_id, coalesce(cu.external_id, '')
            from customer_order o
            join workspace w on w.id = o.workspace_id
            join customer cu on cu.workspace_id = o.workspace_id and cu.id = o.customer_id
            where w.slug = 'faults' and o.external_id like '{self.name}-%'""")
        out = collections.defaultdict(list)
        for ext, status, test, total, paid, refunded, rate, lines, cid, cext in rows:
            out[ext].append({"status": status, "test": test == "t", "total": Decimal(total), "paid": Decimal(paid),
                             "refunded": Decimal(refunded), "rate": Decimal(rate), "lines": int(lines),
                             "customer_id": int(cid), "customer_ext": cext})
        return out

    def check_stored(self, which, stage):
        """Every order of `which` (external id -> expected) stored once, as sent; returns (lost, duplicated, wrong)."""
        stored = self.stored()
        lost = [ext for ext in which if ext not in stored]
        duplicated = [ext for ext, rows in stored.items() if len(rows) > 1]
        wrong = []
        for ext, exp in which.items():
            rows = stored.get(ext)
            if not rows:
                continue
            row = rows[0]
            for field in ("status", "test", "total", "paid", "refunded", "rate", "lines"):
                if row[field] != exp[field]:
                    wrong.append(f"{ext}: {field} stored {row[field]}, sent {exp[field]}")
            if exp["owner"][0] == "registered" and row["customer_ext"] != exp["owner"][1]:
                wrong.append(f"{ext}: belongs to customer {row['customer_ext']!r}, sent {exp['owner'][1]}")
        every = self.all_expected()
        strays = [ext for ext in stored if ext not in every]
        if lost:
            self.fail(f"{stage}: {len(lost)} orders lost, e.g. {lost[:5]}")
        if duplicated:
            self.fail(f"{stage}: {len(duplicated)} orders stored more than once, e.g. {duplicated[:5]}")
        if wrong:
            self.fail(f"{stage}: {len(wrong)} orders stored differently from what was sent, e.g. {wrong[:5]}")
        if strays:
            self.fail(f"{stage}: {len(strays)} orders stored that were never sent, e.g. {strays[:5]}")
        return stored, lost, duplicated, wrong

    def all_expected(self):
        """external id -> expected, of every order generated so far."""
        return {o["external_id"]: e for b in self.batches for o, e in zip(b.orders, b.expected)}

    def resend(self):
        """Every batch not acknowledged during the load, until it is; and every fourth acknowledged one,
        which must change nothing."""
        unacked = [b for b in self.batches if not b.acked]
        again = [b for b in self.batches if b.acked][::4]
        found = collections.Counter()  # what the unacknowledged ones turned out to be
        changed = []

        def until_acked(batch):
            for attempt in range(20):
                answer = self.send(batch, f"#{batch.number} again")
                if acknowledged(answer, batch):
                    return answer
                time.sleep(0.5 if answer.status == 409 else 1.0)
            self.fail(f"batch #{batch.number} not acknowledged after 20 attempts: {answer.describe()}")
            return None

        with concurrent.futures.ThreadPoolExecutor(self.args.workers) as pool:
            done = list(pool.map(until_acked, unacked + again))
        for batch, answer in zip(unacked + again, done):
            if answer is None:
                continue
            for order, result in zip(batch.orders, answer.json["results"]):
                if batch.acked:
                    if result["result"] != "unchanged":
                        changed.append(f"{order['external_id']}: {result['result']}")
                else:
                    found[result["result"]] += 1
        if changed:
            self.fail(f"re-sending acknowledged orders changed them: {changed[:5]} ({len(changed)} in all)")
        if found.get("updated"):
            self.fail(f"{found['updated']} unacknowledged orders sent again came back 'updated' (sent unchanged)")
        self.facts["batches sent again (not acked / acked)"] = f"{len(unacked)} / {len(again)}"
        self.facts["unacked orders already stored (unchanged on re-send)"] = found.get("unchanged", 0)
        return unacked, again

    def check_figures(self, stored):
        every = self.all_expected()
        expected = figures(every.values())
        ids = {}
        for ext, exp in every.items():
            if not stored.get(ext):
                continue  # lost: reported already
            row = stored[ext][0]
            owner = exp["owner"]
            if ids.setdefault(owner, row["customer_id"]) != row["customer_id"]:
                self.fail(f"customer {owner[1]} has more than one customer row: {ids[owner]}, {row['customer_id']}")
        rows = self.pg.query(f"""
            select count(*) from customer cu join workspace w on w.id = cu.workspace_id
            join channel c on c.workspace_id = cu.workspace_id and c.id = cu.channel_id
            where w.slug = 'faults' and c.key = '{self.channel}'""")
        if int(rows[0][0]) != len(expected):
            self.fail(f"{rows[0][0]} customer rows in channel {self.channel}, expected {len(expected)} "
                      f"(one per registered customer and one per guest order)")
        wrong = []

        def check(owner):
            cid = ids.get(owner)
            if cid is None:
                return f"{owner[1]}: no order of this customer is stored"
            for attempt in range(5):
                answer = request("read", f"customer {cid}", f"{self.args.url}/api/v1/customers/{cid}", self.args.key)
                if answer.status == 200:
                    break
                time.sleep(1)
            else:
                return f"{owner[1]} (id {cid}): {answer.describe()}"
            got = answer.json if isinstance(answer.json, dict) else {}
            want = expected[owner]
            bad = []
            for field, value in want.items():
                if got.get(field) is None or Decimal(str(got[field])) != value:
                    bad.append(f"{field} {got.get(field)} (expected {value})")
            return f"{owner[1]} (id {cid}): " + ", ".join(bad) if bad else None

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            wrong = [w for w in pool.map(check, list(expected)) if w]
        if wrong:
            self.fail(f"{len(wrong)} customers with wrong figures, e.g. " + "; ".join(wrong[:5]))
        registered = sum(1 for o in expected if o[0] == "registered")
        self.facts["customers checked (registered + guests)"] = f"{len(expected)} ({registered} + {len(expected) - registered})"
        self.facts["customers with wrong figures"] = len(wrong)

    def check_answers(self):
        answers = [a for a in self.answers]
        load_end = max(a.ended for a in answers) if answers else 0
        outage_end = self.back_at
        during = [a for a in answers if self.fault_at <= a.started < outage_end]
        by_status = collections.Counter(str(a.status) if a.status is not None else "no answer"
                                        for a in during if a.kind != "health")
        health_status = collections.Counter(str(a.status) if a.status is not None else "no answer"
                                            for a in during if a.kind == "health")
        api = [a for a in answers if a.kind != "health"]
        fives = [a for a in answers if a.status == 503]
        bad_500 = [a for a in answers if a.status is not None and a.status >= 500 and a.status != 503]
        no_answer = [a for a in answers if a.status is None]
        unexpected = [a for a in api if a.status not in (200, 409, 503, None) and a.status < 500]
        no_retry = [a for a in fives if a.kind != "health" and not a.retry_after]
        longest = max(answers, key=lambda a: a.duration)
        if bad_500:
            self.fail(f"{len(bad_500)} answers with a 5xx other than 503, e.g.:\n    "
                      + "\n    ".join(a.describe() for a in bad_500[:5]))
        if no_answer:
            self.fail(f"{len(no_answer)} requests got no HTTP answer, e.g.:\n    "
                      + "\n    ".join(a.describe() for a in no_answer[:5]))
        if unexpected:
            self.fail(f"{len(unexpected)} unexpected answers, e.g.:\n    "
                      + "\n    ".join(a.describe() for a in unexpected[:5]))
        if no_retry:
            self.fail(f"{len(no_retry)} API 503s without Retry-After, e.g.:\n    "
                      + "\n    ".join(a.describe() for a in no_retry[:5]))
        api_503 = [a for a in fives if a.kind != "health"]
        if not any(a.retry_after for a in api_503):
            if self.args.outage >= 6:
                self.fail("no API request answered 503 with Retry-After while PostgreSQL was away")
            else:
                say(f"[{self.name}] note: no 503 seen; with an outage under the pool's 5 s acquire timeout, "
                    "requests may just wait for PostgreSQL")
        if longest.duration >= SERVER_TIMEOUT:
            self.fail(f"a request took {longest.duration:.1f} s, past the server's {SERVER_TIMEOUT:.0f} s: "
                      + longest.describe())
        codes = collections.Counter((a.json or {}).get("error", {}).get("code") for a in api_503
                                    if isinstance(a.json, dict))
        batches = [a for a in answers if a.kind == "batch" and a.started < load_end]
        self.facts["requests during the load (batch / read / health)"] = " / ".join(
            str(sum(1 for a in answers if a.kind == k)) for k in ("batch", "read", "health"))
        self.facts["API answers to requests sent during the outage"] = ", ".join(
            f"{s}: {n}" for s, n in sorted(by_status.items())) or "none"
        self.facts["/health answers during the outage"] = ", ".join(
            f"{s}: {n}" for s, n in sorted(health_status.items())) or "none"
        self.facts["API 503s with Retry-After / all (error codes)"] = (
            f"{sum(1 for a in api_503 if a.retry_after)} / {len(api_503)} ("
            + (", ".join(f"{c}: {n}" for c, n in codes.items()) or "none") + ")")
        self.facts["500s (and other 5xx but 503)"] = len(bad_500)
        self.facts["requests without an HTTP answer"] = len(no_answer)
        self.facts["409s (sent again later)"] = sum(1 for a in batches if a.status == 409)
        self.facts["longest request"] = f"{longest.duration:.2f} s ({longest.kind}, HTTP {longest.status})"
        slow = sorted(a.duration for a in api)
        self.facts["API request p50 / p99"] = (f"{slow[len(slow) // 2]:.3f} s / "
                                               f"{slow[min(len(slow) - 1, int(len(slow) * 0.99))]:.2f} s")

    def check_recovery(self):
        if self.health_back_at is None:
            self.fail(f"GET /health did not answer 200 within {HEALTH_BACK_WITHIN:.0f} s of PostgreSQL being back")
            self.facts["/health 200 again after PostgreSQL is back"] = "never"
        else:
            delay = self.health_back_at - self.back_at
            self.facts["/health 200 again after PostgreSQL is back"] = f"{max(0.0, delay):.1f} s"
            if delay > HEALTH_BACK_WITHIN:
                self.fail(f"GET /health answered 200 only {delay:.1f} s after PostgreSQL was back")
        self.facts["batch answers 200 during the load after recovery"] = sum(
            1 for a in self.answers if a.kind == "batch" and a.status == 200
            and self.health_back_at is not None and a.started >= self.health_back_at)
        rng = random.Random(self.rng_seed + 99)
        batch = self.new_batch(rng)
        answer = self.send(batch, f"#{batch.number} after recovery")
        batch.acked = acknowledged(answer, batch)
        self.facts["a batch posted after recovery"] = ("acknowledged at the first try" if batch.acked
                                                      else answer.describe())
        if not batch.acked:
            self.fail(f"a batch posted after recovery was not acknowledged: {answer.describe()}")

    def server_alive(self):
        if self.args.server_pid:
            try:
                os.kill(self.args.server_pid, 0)
            except OSError:
                self.fail(f"the server process {self.args.server_pid} is gone; see {self.args.server_log}")
                return False
        return True

    def run(self):
        say(f"=== scenario {self.name}: "
            + ("SIGKILL to the postmaster mid-load, then pg_ctl start (crash recovery)" if self.name == "kill"
               else "pg_ctl stop -m fast mid-load, then pg_ctl start"))
        self.load()
        self.server_alive()
        self.check_answers()
        self.check_recovery()
        acked = {o["external_id"]: e for b in self.batches if b.acked for o, e in zip(b.orders, b.expected)}
        sent = sum(len(b.orders) for b in self.batches)
        self.facts = collections.OrderedDict([
            ("orders sent (batches)", f"{sent} ({len(self.batches)})"),
            ("orders acknowledged", len(acked)),
        ] + list(self.facts.items()))
        say(f"[{self.name}] checking the {len(acked)} acknowledged orders in the database, before sending anything again")
        _, lost, duplicated, wrong = self.check_stored(acked, "acknowledged orders after the fault")
        self.facts["acknowledged orders lost"] = len(lost)
        self.facts["acknowledged orders duplicated"] = len(duplicated)
        self.facts["acknowledged orders stored wrong"] = len(wrong)
        say(f"[{self.name}] sending again every unacknowledged batch, and a quarter of the acknowledged ones")
        self.resend()
        say(f"[{self.name}] checking all {len(self.all_expected())} orders and every customer's figures")
        stored, lost, duplicated, wrong = self.check_stored(self.all_expected(), "all orders after re-sending")
        self.facts["orders lost / duplicated / wrong in the end"] = f"{len(lost)} / {len(duplicated)} / {len(wrong)}"
        self.check_figures(stored)
        self.server_alive()
        if self.failures:
            log_lines = tail(self.args.server_log, 30, only_errors=True) if self.args.server_log else ""
            if log_lines:
                say(f"[{self.name}] server log, last error and warning lines:\n{log_lines}")
        say(f"=== scenario {self.name}: {'FAILED' if self.failures else 'passed'}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--db-url", required=True, help="psql URL of the database the server uses")
    p.add_argument("--pg-bin", required=True, help="directory of pg_ctl")
    p.add_argument("--pg-data", required=True)
    p.add_argument("--pg-log", required=True)
    p.add_argument("--pg-user", help="run pg_ctl as this user (when running as root)")
    p.add_argument("--server-pid", type=int)
    p.add_argument("--server-log")
    p.add_argument("--scenario", choices=["kill", "restart", "all"], default="all")
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--batch", type=int, default=40, help="orders per batch")
    p.add_argument("--customers", type=int, default=100, help="registered customers the orders spread over")
    p.add_argument("--guests", type=float, default=0.03, help="share of guest orders")
    p.add_argument("--before", type=float, default=3, help="seconds of load before the fault")
    p.add_argument("--outage", type=float, default=7,
                   help="seconds PostgreSQL stays away (above the pool's 5 s acquire timeout, to see 503s); "
                        "0: restart is a plain `pg_ctl restart -m fast`")
    p.add_argument("--kill-all", action="store_true",
                   help="kill: SIGKILL every process of the cluster, not only the postmaster")
    p.add_argument("--after", type=float, default=5, help="seconds of load after PostgreSQL is back")
    args = p.parse_args()
    pg = Postgres(args)
    names = ["kill", "restart"] if args.scenario == "all" else [args.scenario]
    scenarios = []
    for name in names:
        scenario = Scenario(name, args, pg)
        scenario.run()
        scenarios.append(scenario)

    print()
    width = max(len(k) for s in scenarios for k in s.facts)
    cols = [max(14, max(len(str(v)) for v in s.facts.values())) for s in scenarios]
    header = f"| {'':<{width}} | " + " | ".join(f"{s.name:<{c}}" for s, c in zip(scenarios, cols)) + " |"
    print(header)
    print("|" + "-" * (width + 2) + "|" + "|".join("-" * (c + 2) for c in cols) + "|")
    keys = list(dict.fromkeys(k for s in scenarios for k in s.facts))
    for key in keys:
        print(f"| {key:<{width}} | "
              + " | ".join(f"{str(s.facts.get(key, '')):<{c}}" for s, c in zip(scenarios, cols)) + " |")
    print()
    failures = [f"[{s.name}] {f}" for s in scenarios for f in s.failures]
    if failures:
        print(f"FAILED: {len(failures)} problem(s):")
        for f in failures:
            print(f"  - {f}")
        sys.exit(1)
    print(f"fault test passed ({', '.join(names)}) in {now():.0f} s")


if __name__ == "__main__":
    main()
