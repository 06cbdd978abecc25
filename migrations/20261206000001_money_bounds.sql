-- Every amount below 10^13, per order and per line, in the order's currency and in the base currency
-- (SPEC §15): one order near the top of what the server's decimals hold made every later read of its
-- customer's figures fail. The API refuses such amounts with a 422 first; these checks are the last guard.
alter table customer_order
    add constraint customer_order_amounts_bounded check (
        total < 1e13 and paid < 1e13 and refunded < 1e13
        and total * exchange_rate < 1e13 and paid * exchange_rate < 1e13
    );

alter table order_line
    add constraint order_line_amount_bounded check (unit_price < 1e13 and unit_price * quantity < 1e13);
