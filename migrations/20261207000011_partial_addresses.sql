-- A customer's address as shops send it (SPEC §9: the order's address shape): any part may be missing,
-- a guest's form without a town, a marketplace's without a country. What is kept places the customer
-- somewhere: a street line, a town or a postal code.
alter table customer_address
    alter column line1 drop not null,
    alter column city drop not null,
    alter column country drop not null,
    add constraint customer_address_places_somewhere
        check (coalesce(btrim(line1), '') <> '' or coalesce(btrim(line2), '') <> ''
               or coalesce(btrim(city), '') <> '' or coalesce(btrim(postal_code), '') <> '');
