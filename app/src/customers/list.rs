//! The customer list page (`/customers`): server-rendered from the URL, live search once hydrated.

use super::api::list_customers;
use super::types::{CustomerPage, CustomerQuery, CustomerRow};
use crate::segments;
use crate::ui::{format, url};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::Form;
use leptos_router::hooks::{use_navigate, use_query_map};
use std::time::Duration;

/// How long typing must pause before the list follows the search box.
const SEARCH_DEBOUNCE: Duration = Duration::from_millis(250);

#[component]
pub fn CustomerListPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        let params = params.read();
        CustomerQuery { q: params.get("q"), limit: params.get("limit").and_then(|l| l.parse().ok()) }
    });
    let customers = Resource::new(move || query.get(), list_customers);

    view! {
        <div class="customer-list">
            <h1>"Customers"</h1>
            <SearchBox value=Signal::derive(move || query.get().q.unwrap_or_default()) />
            <Suspense fallback=|| view! { <p role="status">"Loading customers…"</p> }>
                {move || Suspend::new(async move {
                    match customers.await {
                        Ok(page) => view! { <CustomerTable page /> }.into_any(),
                        Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

/// A GET form, so search works without JavaScript; once hydrated, the list follows typing.
#[component]
fn SearchBox(value: Signal<String>) -> impl IntoView {
    let navigate = use_navigate();
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let on_input = move |ev| {
        let text = event_target_value(&ev);
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let navigate = navigate.clone();
        let follow = move || {
            let url = if text.trim().is_empty() {
                "/customers".to_string()
            } else {
                format!("/customers?q={}", url::encode(&text))
            };
            navigate(&url, NavigateOptions { replace: true, scroll: false, ..Default::default() });
        };
        pending.set_value(set_timeout_with_handle(follow, SEARCH_DEBOUNCE).ok());
    };
    view! {
        <Form method="GET" action="/customers" attr:role="search" attr:class="search">
            <label for="customer-search" class="visually-hidden">"Search customers"</label>
            <input
                id="customer-search"
                type="search"
                name="q"
                placeholder="Search customers by name or email"
                autocomplete="off"
                value=value.get_untracked()
                prop:value=value
                on:input=on_input
            />
            <button type="submit">"Search"</button>
        </Form>
    }
}

#[component]
fn CustomerTable(page: CustomerPage) -> impl IntoView {
    let summary = if page.items.len() as i64 == page.total {
        format!("{} customers", format::count(page.total))
    } else {
        format!("Showing {} of {} customers", format::count(page.items.len() as i64), format::count(page.total))
    };
    if page.items.is_empty() {
        return view! { <p role="status">"No customers match."</p> }.into_any();
    }
    let currency = page.currency;
    view! {
        <p role="status" class="summary">{summary}</p>
        <table class="customers">
            <thead>
                <tr>
                    <th scope="col">"Sentiment"</th>
                    <th scope="col">"Customer"</th>
                    <th scope="col">"Segments"</th>
                    <th scope="col">"Email"</th>
                    <th scope="col">"Channel"</th>
                    <th scope="col" class="num">"Total order value"</th>
                    <th scope="col" class="num">"Orders"</th>
                    <th scope="col">"Latest purchase"</th>
                </tr>
            </thead>
            <tbody>
                {page
                    .items
                    .into_iter()
                    .map(|row| view! { <CustomerRowView row currency=currency.clone() /> })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn CustomerRowView(row: CustomerRow, currency: String) -> impl IntoView {
    let name = row.display_name();
    view! {
        <tr>
            <td data-label="Sentiment">
                {match row.sentiment {
                    Some(sentiment) => {
                        let (face, word) = sentiment.face();
                        view! { <span class="sentiment" title=word><span aria-hidden="true">{face}" "</span>{word}</span> }
                            .into_any()
                    }
                    None => view! { <span class="muted">"No messages"</span> }.into_any(),
                }}
            </td>
            <td data-label="Customer">
                <span class="name">{name}</span>
                {row.vip_mark.then(|| view! { <span class="mark mark-vip">"VIP"</span> })}
                {row.bad_mark.then(|| view! { <span class="mark mark-bad">"BAD"</span> })}
                {row.has_test_order.then(|| view! {
                    <span class="mark mark-test" title="Has test orders">"Test"</span>
                })}
                {(!row.registered).then(|| view! { <span class="mark mark-guest">"Guest"</span> })}
            </td>
            <td data-label="Segments">
                <ul class="chips">
                    {row.segments.iter().map(|key| view! { <li class="chip">{segments::name(key).to_string()}</li> }).collect_view()}
                </ul>
            </td>
            <td data-label="Email">{row.email.unwrap_or_else(|| "–".into())}</td>
            <td data-label="Channel">{row.channel}</td>
            <td data-label="Total order value" class="num">{format::money(row.total_order_value, &currency)}</td>
            <td data-label="Orders" class="num">{format::count(row.orders.into())}</td>
            <td data-label="Latest purchase">{row.latest_purchase.map_or_else(|| "–".into(), format::date)}</td>
        </tr>
    }
}
