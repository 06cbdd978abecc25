//! The customer list page (`/customers`): every bit of state in the URL, rendered on the server from it
//! (so a shared URL opens the same view, JavaScript or not); once hydrated, filters, sorting, search
//! and paging move through the router without full reloads, and back and forward restore the view.

use super::changes::{Changed, ChangedBanner, LiveCounts};
use super::query::{CustomerQuery, Mark, SentimentFilter, Sort, SortKey, param};
use super::{filter_options, list_customers};
use crate::bulk::view::{BulkControl, Chosen};
use crate::custom_fields::filters::CustomFieldFilters;
use crate::customers::detail::CustomerPanel;
use crate::customers::types::{COUNT_CAP, CustomerPage, CustomerRow, ListOptions};
use crate::exports::view::ExportControl;
use crate::segments;
use crate::ui::chip::Chip;
use crate::ui::format;
use crate::ui::loaded::Loaded;
use crate::ui::pager::{PageStep, Pager};
use crate::ui::table::{Cell, DataTable, Header, SortLink};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::{A, Form};
use leptos_router::hooks::{use_navigate, use_query_map};
use std::time::Duration;

/// How long typing must pause before the list follows the search box.
const SEARCH_DEBOUNCE: Duration = Duration::from_millis(250);

#[component]
pub fn CustomerListPage() -> impl IntoView {
    let params = use_query_map();
    let parsed = Memo::new(move |_| {
        let params = params.read();
        CustomerQuery::from_pairs((&*params).into_iter().map(|(k, v)| (k.as_ref(), v)))
    });
    let query = Memo::new(move |_| parsed.get().unwrap_or_default());
    // the open customer (`c=`): not a filter, so it lives beside the query
    let open = Memo::new(move |_| params.read().get("c").and_then(|c| c.trim().parse::<i64>().ok()));
    // read again only when asked ("Show the changes"): rows never move by themselves under the pointer
    let reload = RwSignal::new(0u64);
    let customers = Resource::new(move || (query.get(), reload.get()), |(query, _)| list_customers(query));
    let options = Resource::new(|| (), |_| filter_options());
    let changed = Changed::follow(query);
    provide_context(LiveCounts::follow());

    view! {
        <div class="customer-list">
            <h1>"Customers"</h1>
            <SearchBox query />
            <a class="jump-to-filters" href="#filters">"Filters"</a>
            {move || parsed.get().err().map(|errors| view! {
                <div role="alert" class="error">
                    <p>"Some filters in this address could not be read and were left out:"</p>
                    <ul>{errors.into_iter().map(|e| view! { <li>{e.path}": "{e.message}</li> }).collect_view()}</ul>
                </div>
            })}
            <div class="list-layout">
                // rebuilt with every change of the URL, so the controls always show it
                <Loaded resource=options loading="Loading filters…" show=move |options: ListOptions| {
                    move || view! { <Filters query=query.get() options=options.clone() /> }
                } />
                <section class="results" aria-label="Customers found">
                    <ChangedBanner changed reload />
                    <Loaded resource=customers loading="Loading customers…" show=move |page| view! { <Results page query=query.get_untracked() open /> } />
                </section>
            </div>
            {move || open.get().map(|id| view! { <CustomerPanel id close=query.get().url() /> })}
        </div>
    }
}

/// A segment's member count, following live updates once the page is alive.
fn live_count(key: String, loaded: i64) -> impl Fn() -> String + Send + Sync + 'static {
    let counts = use_context::<LiveCounts>();
    move || format::count(counts.map_or(loaded, |c| c.members(&key, loaded)))
}

/// The list's address with customer `id` open in the side panel.
fn with_open(query: &CustomerQuery, id: i64) -> String {
    let url = query.url();
    let joiner = if url.contains('?') { '&' } else { '?' };
    format!("{url}{joiner}c={id}")
}

/// A GET form, so search works without JavaScript; once hydrated, the list follows typing. The other
/// state of the view (filters, sort) travels along in hidden fields.
#[component]
fn SearchBox(query: Memo<CustomerQuery>) -> impl IntoView {
    let navigate = use_navigate();
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let on_input = move |ev| {
        let text = event_target_value(&ev);
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let navigate = navigate.clone();
        let follow = move || {
            let next = CustomerQuery { q: Some(text), ..query.get_untracked().first_page() };
            navigate(&next.url(), NavigateOptions { replace: true, scroll: false, ..Default::default() });
        };
        pending.set_value(set_timeout_with_handle(follow, SEARCH_DEBOUNCE).ok());
    };
    let value = move || query.get().q.unwrap_or_default();
    let others = move || {
        let rest = CustomerQuery { q: None, ..query.get().first_page() };
        rest.to_pairs()
            .into_iter()
            .map(|(name, value)| view! { <input type="hidden" name=name value=value /> })
            .collect_view()
    };
    view! {
        <Form method="GET" action="/customers" attr:role="search" attr:class="search">
            <label for="customer-search" class="visually-hidden">"Search customers"</label>
            <input
                id="customer-search"
                type="search"
                name=param::SEARCH
                placeholder="Name, email, phone or order number"
                autocomplete="off"
                maxlength=super::MAX_TEXT
                value=value
                prop:value=value
                on:input=on_input
            />
            {others}
            <button type="submit">"Search"</button>
        </Form>
    }
}

/// The left panel: built-in segments with member counts, then every filter of SPEC §4. A GET form, so it
/// works without JavaScript; "Clear filters" is one click.
#[component]
fn Filters(query: CustomerQuery, options: ListOptions) -> impl IntoView {
    let cleared = CustomerQuery { q: query.q.clone(), sort: query.sort, limit: query.limit, ..Default::default() };
    let has_filters = query.has_filters();
    let q = query.search().map(str::to_string);
    let sort = query.sort.param();
    let text = |value: Option<String>| value.unwrap_or_default();
    view! {
        <aside class="filters" id="filters" aria-label="Filters">
            <Form method="GET" action="/customers">
                {q.map(|q| view! { <input type="hidden" name=param::SEARCH value=q /> })}
                <fieldset>
                    <legend>"Segments"</legend>
                    {options.segments.into_iter().map(|s| {
                        let id = format!("segment-{}", s.key);
                        let checked = query.segments.iter().any(|key| key.as_str() == s.key);
                        view! {
                            <div class="check">
                                <input type="checkbox" id=id.clone() name=param::SEGMENT value=s.key.clone() checked=checked prop:checked=checked />
                                <label for=id>{s.name}" "<span class="count">{live_count(s.key.clone(), s.members)}</span></label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <fieldset>
                    <legend>"Channel"</legend>
                    {options.channels.into_iter().map(|key| {
                        let id = format!("channel-{key}");
                        let checked = query.channels.contains(&key);
                        view! {
                            <div class="check">
                                <input type="checkbox" id=id.clone() name=param::CHANNEL value=key.clone() checked=checked prop:checked=checked />
                                <label for=id>{key}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <label for="filter-sentiment">"Sentiment"</label>
                <select id="filter-sentiment" name=param::SENTIMENT>
                    <option value="">"Any"</option>
                    {SentimentFilter::ALL.into_iter().map(|s| {
                        let label = match s {
                            SentimentFilter::Positive => "Positive",
                            SentimentFilter::Neutral => "Neutral",
                            SentimentFilter::Negative => "Negative",
                            SentimentFilter::Unknown => "No messages",
                        };
                        view! { <option value=s.param() selected=query.sentiment == Some(s) prop:selected=query.sentiment == Some(s)>{label}</option> }
                    }).collect_view()}
                </select>
                <label for="filter-registered">"Registered or guest"</label>
                <select id="filter-registered" name=param::REGISTERED>
                    <option value="">"Any"</option>
                    <option value="true" selected=query.registered == Some(true) prop:selected=query.registered == Some(true)>"Registered"</option>
                    <option value="false" selected=query.registered == Some(false) prop:selected=query.registered == Some(false)>"Guests"</option>
                </select>
                <fieldset class="range">
                    <legend>"Total order value"</legend>
                    <label for="filter-tov-min"><span class="visually-hidden">"Total order value "</span>"from"</label>
                    <input id="filter-tov-min" name=param::TOV_MIN type="number" min="0" step="0.01" inputmode="decimal"
                        value=text(query.tov_min.map(|d| d.to_string())) prop:value=text(query.tov_min.map(|d| d.to_string())) />
                    <label for="filter-tov-max"><span class="visually-hidden">"Total order value "</span>"to"</label>
                    <input id="filter-tov-max" name=param::TOV_MAX type="number" min="0" step="0.01" inputmode="decimal"
                        value=text(query.tov_max.map(|d| d.to_string())) prop:value=text(query.tov_max.map(|d| d.to_string())) />
                </fieldset>
                <fieldset class="range">
                    <legend>"Orders"</legend>
                    <label for="filter-orders-min"><span class="visually-hidden">"Orders "</span>"from"</label>
                    <input id="filter-orders-min" name=param::ORDERS_MIN type="number" min="0" step="1"
                        value=text(query.orders_min.map(|n| n.to_string())) prop:value=text(query.orders_min.map(|n| n.to_string())) />
                    <label for="filter-orders-max"><span class="visually-hidden">"Orders "</span>"to"</label>
                    <input id="filter-orders-max" name=param::ORDERS_MAX type="number" min="0" step="1"
                        value=text(query.orders_max.map(|n| n.to_string())) prop:value=text(query.orders_max.map(|n| n.to_string())) />
                </fieldset>
                <fieldset class="range">
                    <legend>"Latest purchase"</legend>
                    <label for="filter-purchased-from"><span class="visually-hidden">"Latest purchase "</span>"from"</label>
                    <input id="filter-purchased-from" name=param::PURCHASED_FROM type="date"
                        value=text(query.purchased_from.map(|d| d.to_string())) prop:value=text(query.purchased_from.map(|d| d.to_string())) />
                    <label for="filter-purchased-to"><span class="visually-hidden">"Latest purchase "</span>"to"</label>
                    <input id="filter-purchased-to" name=param::PURCHASED_TO type="date"
                        value=text(query.purchased_to.map(|d| d.to_string())) prop:value=text(query.purchased_to.map(|d| d.to_string())) />
                </fieldset>
                <div class="check">
                    <input type="checkbox" id="filter-open-tickets" name=param::OPEN_TICKETS value="true"
                        checked=query.open_tickets prop:checked=query.open_tickets />
                    <label for="filter-open-tickets">"Has open tickets"</label>
                </div>
                <label for="filter-mark">"Marks"</label>
                <select id="filter-mark" name=param::MARK>
                    <option value="">"Any"</option>
                    <option value="vip" selected=query.mark == Some(Mark::Vip) prop:selected=query.mark == Some(Mark::Vip)>"Marked VIP"</option>
                    <option value="bad" selected=query.mark == Some(Mark::Bad) prop:selected=query.mark == Some(Mark::Bad)>"Marked BAD"</option>
                </select>
                <label for="filter-manager">"Manager"</label>
                <select id="filter-manager" name=param::MANAGER>
                    <option value="">"Anyone or no one"</option>
                    {options.managers.into_iter().map(|(id, name)| view! {
                        <option value=id.to_string() selected=query.manager == Some(id) prop:selected=query.manager == Some(id)>{name}</option>
                    }).collect_view()}
                </select>
                <CustomFieldFilters fields=options.custom_fields chosen=query.fields.clone() />
                <label for="filter-sort">"Sort by"</label>
                <select id="filter-sort" name=param::SORT>
                    {SORTS.into_iter().map(|(param, label)| view! {
                        <option value=param selected=sort == param prop:selected=sort == param>{label}</option>
                    }).collect_view()}
                </select>
                <div class="actions">
                    <button type="submit">"Apply filters"</button>
                    {has_filters.then(|| view! { <A href=cleared.url()>"Clear filters"</A> })}
                </div>
            </Form>
        </aside>
    }
}

const SORTS: [(&str, &str); 14] = [
    ("-latest_purchase", "Latest purchase, newest first"),
    ("latest_purchase", "Latest purchase, oldest first"),
    ("name", "Name, A to Z"),
    ("-name", "Name, Z to A"),
    ("-tov", "Total order value, highest first"),
    ("tov", "Total order value, lowest first"),
    ("-orders", "Orders, most first"),
    ("orders", "Orders, fewest first"),
    ("-aov", "Average order value, highest first"),
    ("aov", "Average order value, lowest first"),
    ("-customer_since", "Customer since, newest first"),
    ("customer_since", "Customer since, oldest first"),
    ("-registered_at", "Registered, newest first"),
    ("registered_at", "Registered, oldest first"),
];

#[component]
fn Results(page: CustomerPage, query: CustomerQuery, open: Memo<Option<i64>>) -> impl IntoView {
    let shown = page.items.len() as i64;
    let close = page.close_matches.then(|| {
        view! {
            <p class="note">"No customer matches exactly what you typed; these come close."</p>
        }
    });
    let summary = if page.total > COUNT_CAP {
        format!("More than {} customers", format::count(COUNT_CAP))
    } else if page.next.is_none() && page.previous.is_none() {
        format!("{} customers", format::count(page.total))
    } else {
        format!("Showing {} of {} customers", format::count(shown), format::count(page.total))
    };
    if page.items.is_empty() {
        return view! { <p role="status">"No customers match."</p> }.into_any();
    }
    let sorts_by = |label, key| Header::new(label).sorted(sort_link(&query, key));
    let headers = vec![
        Header::new("Sentiment"),
        sorts_by("Customer", SortKey::Name),
        Header::new("Segments"),
        Header::new("Email"),
        Header::new("Channel"),
        sorts_by("Total order value", SortKey::TotalOrderValue).numeric(),
        sorts_by("Orders", SortKey::Orders).numeric(),
        sorts_by("Latest purchase", SortKey::LatestPurchase),
    ];
    let currency = page.currency;
    let previous = page.previous.map(|cursor| CustomerQuery { before: Some(cursor), ..query.first_page() }.url());
    let next = page.next.map(|cursor| CustomerQuery { after: Some(cursor), ..query.first_page() }.url());
    let export = page.can_act.then(|| view! { <ExportControl query=query.first_page() total=page.total /> });
    // the customers ticked on this page, for a bulk action (agents and admins)
    let chosen = page.can_act.then(|| RwSignal::new(std::collections::BTreeSet::<i64>::new()));
    let bulk = chosen.map(|chosen| {
        let query = query.first_page();
        let total_known = (page.total <= COUNT_CAP).then_some(page.total);
        view! { <BulkControl query total_known chosen /> }
    });
    view! {
        <div class="summary-bar">
            <p role="status" class="summary">{summary}</p>
            {export}
        </div>
        {bulk}
        {close}
        <DataTable class="customers" headers=headers>
                {page
                    .items
                    .into_iter()
                    .map(|row| {
                        let href = with_open(&query, row.id);
                        let id = row.id;
                        let current = Signal::derive(move || open.get() == Some(id));
                        view! { <CustomerRowView row currency=currency.clone() href current chosen /> }
                    })
                    .collect_view()}
        </DataTable>
        <Pager
            label="Pages"
            back=previous.map(|href| PageStep::link("Previous page", href, Some("prev")))
            forward=next.map(|href| PageStep::link("Next page", href, Some("next")))
        />
    }
    .into_any()
}

/// Where a column header sorts by its column: descending first for figures and dates, A to Z for names;
/// a second click turns the direction.
fn sort_link(query: &CustomerQuery, key: SortKey) -> SortLink {
    let current = (query.sort.key == key).then_some(query.sort.descending);
    let descending = match current {
        Some(descending) => !descending,
        None => key != SortKey::Name,
    };
    SortLink { href: CustomerQuery { sort: Sort { key, descending }, ..query.first_page() }.url(), current }
}

#[component]
fn CustomerRowView(
    row: CustomerRow,
    currency: String,
    href: String,
    current: Signal<bool>,
    chosen: Option<Chosen>,
) -> impl IntoView {
    let name = row.display_name();
    let id = row.id;
    let tick = chosen.map(|chosen| {
        view! {
            <input type="checkbox" class="choose" aria-label=format!("Choose {name}")
                prop:checked=move || chosen.with(|c| c.contains(&id))
                on:change=move |e| {
                    let on = event_target_checked(&e);
                    chosen.update(|c| { if on { c.insert(id); } else { c.remove(&id); } });
                } />
        }
    });
    view! {
        <tr class:open=move || current.get()>
            <Cell label="Sentiment">
                {match row.sentiment {
                    Some(sentiment) => {
                        let (face, word) = sentiment.face();
                        view! { <span class="sentiment" title=word><span aria-hidden="true">{face}" "</span>{word}</span> }
                            .into_any()
                    }
                    None => view! { <span class="muted">"No messages"</span> }.into_any(),
                }}
            </Cell>
            <Cell label="Customer">
                {tick}
                <A href=href attr:class="name" attr:aria-current=move || current.get().then_some("true")>{name}</A>
                {row.vip_mark.then(|| view! { <span class="mark mark-vip">"VIP"</span> })}
                {row.bad_mark.then(|| view! { <span class="mark mark-bad">"BAD"</span> })}
                {row.has_test_order.then(|| view! {
                    <span class="mark mark-test" title="Has test orders">"Test"</span>
                })}
                {(!row.registered).then(|| view! { <span class="mark mark-guest">"Guest"</span> })}
            </Cell>
            <Cell label="Segments">
                <ul class="chips">
                    {row.segments.iter().map(|key| view! { <Chip text=segments::name(key) item=true /> }).collect_view()}
                </ul>
            </Cell>
            <Cell label="Email">{row.email.unwrap_or_else(|| "–".into())}</Cell>
            <Cell label="Channel">{row.channel}</Cell>
            <Cell label="Total order value" numeric=true>{format::money(row.total_order_value, &currency)}</Cell>
            <Cell label="Orders" numeric=true>{format::count(row.orders.into())}</Cell>
            <Cell label="Latest purchase">{row.latest_purchase.map_or_else(|| "–".into(), format::date)}</Cell>
        </tr>
    }
}
