"""How far a page of a flag's members lies along each sort of the customer list: for every list flag and
every sort, the rank (in that sort, among all the workspace's customers) of the 51st member. A small rank
means the sort's own index finds the first page of members quickly; a large one means a walk through many
non-members, so the flag needs its own partial index on that sort (migration `fewer_flag_indexes`).
Standard library and psql only.

    DATABASE_URL=postgres://… python3 bench/flag_walks.py [workspace slug, default bench]
"""
import os
import subprocess
import sys

SORTS = {
    "latest_purchase desc": "coalesce(latest_purchase_at, '-infinity') desc, "
    "(case when latest_purchase_at is null then registered_at else '-infinity' end) desc, last_name, first_name, id",
    "latest_purchase asc": "coalesce(latest_purchase_at, 'infinity'), last_name, first_name, id",
    "name asc": "last_name, first_name, id",
    "name desc": "last_name desc, first_name desc, id desc",
    "tov asc": "total_order_value, id",
    "tov desc": "total_order_value desc, id desc",
    "orders asc": "order_count, id",
    "orders desc": "order_count desc, id desc",
    "aov desc": "(average_order_value is null), coalesce(average_order_value, 0) desc, id desc",
    "aov asc": "(average_order_value is null), coalesce(average_order_value, 0), id",
    "customer_since desc": "coalesce(customer_since, '-infinity') desc, id desc",
    "customer_since asc": "coalesce(customer_since, 'infinity'), id",
    "registered_at asc": "registered_at, id",
    "registered_at desc": "registered_at desc, id desc",
}
FLAGS = [("vip", "b & 1 <> 0"), ("repeat", "b & 2 <> 0"), ("active", "b & 4 <> 0"), ("new", "b & 8 <> 0"),
         ("new contact", "b & 16 <> 0"), ("repeat contact", "b & 32 <> 0"), ("open tickets", "ot"),
         ("VIP mark", "vm"), ("BAD mark", "bm"), ("guest", "g")]


def main():
    slug = sys.argv[1] if len(sys.argv) > 1 else "bench"
    print("| sort | " + " | ".join(name for name, _ in FLAGS) + " |")
    print("|---" * (len(FLAGS) + 1) + "|")
    for name, order in SORTS.items():
        sql = (f"create temp table o as select builtin_segments b, open_tickets > 0 ot, vip_mark vm, bad_mark bm, "
               f"not registered g, row_number() over (order by {order}) rn from customer "
               f"where workspace_id = (select id from workspace where slug = '{slug}') and merged_into_id is null;\n"
               "select " + ", ".join(f"coalesce((select rn from o where {p} order by rn offset 50 limit 1), -1)"
                                     for _, p in FLAGS) + ";")
        out = subprocess.run(["psql", "-X", "-q", "-tA", "-F", " | ", os.environ["DATABASE_URL"]],
                             input=sql, capture_output=True, text=True, check=True).stdout.strip()
        print(f"| {name} | {out} |", flush=True)


if __name__ == "__main__":
    main()
