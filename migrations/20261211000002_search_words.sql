-- pg_trgm reads only letters and digits as parts of words: a search for "O'B" had no three of them in a row
-- to look up, so the trigram index handed out every customer with a word ending in "o" and one starting
-- with "b" (75,000 texts read again for 9,800 matches at a million customers: 50–80 ms). The search texts
-- are lower case, so the signs found inside names and addresses are now written in them as capital
-- letters, one for each sign, and a search turns its pattern the same way (`search_words` in
-- customers/list/search.rs): "o'b" is "oAb", one trigram ("oab": pg_trgm lowers letters), and the texts'
-- own `like` keeps each capital for its sign. The texts are otherwise as they were; nothing shows them.

create function search_words(text text) returns text language sql immutable parallel safe as $$
    select translate(text, '''’-.@_+', 'ABCDEFG')
$$;

create or replace function customer_search_text(ws bigint, customer bigint, first_name text, last_name text)
returns text language sql stable as $$
    select search_words(concat_ws(E'\n',
        lower(first_name || ' ' || last_name),
        (select string_agg(e.normalized, E'\n' order by e.position, e.id)
           from customer_email e where e.workspace_id = ws and e.customer_id = customer),
        (select string_agg(coalesce(substr(p.e164, 2), regexp_replace(p.raw, '\D', '', 'g')), E'\n'
                           order by p.position, p.id)
           from customer_phone p where p.workspace_id = ws and p.customer_id = customer)))
$$;

update customer_search set search_text = search_words(search_text)
 where search_text is distinct from search_words(search_text);
analyze customer_search;
