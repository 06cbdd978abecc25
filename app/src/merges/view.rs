//! The merge screen (`/merge?customers=12,34`, admins): the customers side by side, a choice of whose
//! value each single-valued field keeps, a preview of what moves, and the merge; and the undo button
//! the timeline shows on a merge.

use super::{MergeCandidate, MergeCustomers, MergeRequest, MergeScreen, UndoMerge, load_merge_screen};
use crate::ui::format;
use crate::ui::loaded::Loaded;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use std::collections::BTreeMap;

/// The query parameter naming the customers to merge, comma-separated.
pub const CUSTOMERS: &str = "customers";

/// The link to the merge screen with these customers.
pub fn merge_href(ids: &[i64]) -> String {
    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("/merge?{CUSTOMERS}={}", ids.join(","))
}

#[component]
pub fn MergePage() -> impl IntoView {
    let query = use_query_map();
    let ids = Memo::new(move |_| {
        query.read().get(CUSTOMERS).map_or_else(Vec::new, |ids| {
            ids.split(',').filter_map(|id| id.trim().parse::<i64>().ok()).collect::<Vec<_>>()
        })
    });
    let screen = Resource::new(move || ids.get(), load_merge_screen);
    view! {
        <h1>"Merge customers"</h1>
        <AddCustomer ids />
        {move || if ids.read().len() >= 2 {
            view! {
                <Loaded resource=screen loading="Loading the customers…" show=move |screen| view! { <MergeForm screen /> } />
            }.into_any()
        } else {
            view! {
                <p>"Choose at least two customers: add them here by their number (#), or use the “merge” link of a duplicate on a customer's page."</p>
            }.into_any()
        }}
    }
}

/// Adds a customer to the merge by its id (up to five).
#[component]
fn AddCustomer(ids: Memo<Vec<i64>>) -> impl IntoView {
    let navigate = use_navigate();
    let added = RwSignal::new(String::new());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Ok(id) = added.get().trim().trim_start_matches('#').parse::<i64>() {
            let mut all = ids.get();
            if !all.contains(&id) {
                all.push(id);
            }
            added.set(String::new());
            navigate(&merge_href(&all), Default::default());
        }
    };
    view! {
        <form class="merge-add" on:submit=on_submit>
            <label for="merge-add">"Add a customer by number"</label>
            <input id="merge-add" type="text" inputmode="numeric" placeholder="e.g. 1234" prop:value=move || added.get()
                on:input=move |ev| added.set(event_target_value(&ev)) />
            <button type="submit" class="secondary" disabled=move || { ids.read().len() >= super::MAX_CUSTOMERS }>"Add"</button>
        </form>
    }
}

#[component]
fn MergeForm(screen: MergeScreen) -> impl IntoView {
    let survivor = RwSignal::new(screen.customers[0].id);
    let choices: Vec<RwSignal<i64>> =
        (0..screen.fields.len()).map(|field| RwSignal::new(screen.preselected(field))).collect();
    let merge = ServerAction::<MergeCustomers>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(done)) = merge.value().get() {
            navigate(&format!("/customers/{}", done.survivor), Default::default());
        }
    });
    let customers = StoredValue::new(screen.customers.clone());
    let fields = StoredValue::new(screen.fields.clone());
    let request = {
        let choices = choices.clone();
        move || {
            let survivor = survivor.get();
            let merged = customers.with_value(|all| all.iter().map(|c| c.id).filter(|id| *id != survivor).collect());
            let fields = fields.with_value(|fields| {
                fields
                    .iter()
                    .zip(&choices)
                    .filter(|(_, chosen)| chosen.get() != survivor)
                    .map(|((name, _), chosen)| (name.clone(), chosen.get()))
                    .collect::<BTreeMap<_, _>>()
            });
            MergeRequest { survivor, merged, fields }
        }
    };
    let currency = screen.currency.clone();
    let on_submit = {
        let request = request.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            merge.dispatch(MergeCustomers { request: request() });
        }
    };
    view! {
        <form class="merge" on:submit=on_submit>
            <fieldset class="merge-survivor">
                <legend>"Which customer stays (the others are merged into it)"</legend>
                <ul class="merge-customers">
                    {screen.customers.iter().map(|c| {
                        let id = c.id;
                        view! {
                            <li>
                                <label>
                                    <input type="radio" name="survivor" value=id.to_string()
                                        checked=move || survivor.get() == id
                                        on:change=move |_| survivor.set(id) />
                                    <strong>{c.name.clone()}</strong>" #"{id}
                                </label>
                                <CustomerFacts customer=c.clone() currency=currency.clone() />
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </fieldset>
            <h2>"Whose value each field keeps"</h2>
            <p class="hint">"Emails, phones, VIP and BAD marks and channel identities of all of them are kept."</p>
            {screen.fields.iter().enumerate().filter(|(i, _)| {
                // a field nobody has a value for has nothing to choose
                screen.customers.iter().any(|c| !c.values[*i].is_empty())
            }).map(|(i, (name, label))| {
                let chosen = choices[i];
                view! {
                    <fieldset class="merge-field">
                        <legend>{label.clone()}</legend>
                        {screen.customers.iter().map(|c| {
                            let id = c.id;
                            let value = if c.values[i].is_empty() { "(none)".to_string() } else { c.values[i].clone() };
                            view! {
                                <label>
                                    <input type="radio" name=format!("field-{name}") value=id.to_string()
                                        checked=move || chosen.get() == id
                                        on:change=move |_| chosen.set(id) />
                                    {value}<span class="who">" — #"{id}</span>
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                }
            }).collect_view()}
            <h2>"What happens"</h2>
            <p class="merge-preview" aria-live="polite">{move || preview(&customers.get_value(), survivor.get())}</p>
            <div class="form-actions">
                <button type="submit" disabled=move || merge.pending().get()>"Merge"</button>
                <A href=move || format!("/customers/{}", survivor.get())>"Cancel"</A>
                <span role="status">{move || merge.pending().get().then_some("Merging…")}</span>
            </div>
            {move || match merge.value().get() {
                Some(Err(error)) => Some(view! { <p role="alert">{error.to_string()}</p> }),
                _ => None,
            }}
        </form>
    }
}

#[component]
fn CustomerFacts(customer: MergeCandidate, currency: String) -> impl IntoView {
    let identity = match &customer.external_id {
        Some(external) => format!("{} customer {external}", customer.channel),
        None => format!("{} (no channel customer id)", customer.channel),
    };
    let orders = match customer.orders {
        1 => "1 order".to_string(),
        n => format!("{} orders", format::count(n.into())),
    };
    view! {
        <dl class="merge-facts">
            <dt>"Channel"</dt><dd>{identity}</dd>
            <dt>"Orders"</dt><dd>{orders}", "{format::money(customer.total_order_value, &currency)}</dd>
            <dt>"Registered"</dt><dd>{format::date_time(customer.registered_at)}</dd>
            <dt>"Emails"</dt><dd>{if customer.emails.is_empty() { "none".to_string() } else { customer.emails.join(", ") }}</dd>
            <dt>"Phones"</dt><dd>{if customer.phones.is_empty() { "none".to_string() } else { customer.phones.join(", ") }}</dd>
        </dl>
        <A href=format!("/customers/{}", customer.id)>"Open "{customer.name.clone()}</A>
    }
}

/// "Customer #12 stays; 14 orders, 3 tickets and 2 emails move to it from #34 and #56, which then lead to it."
fn preview(customers: &[MergeCandidate], survivor: i64) -> String {
    let Some(kept) = customers.iter().find(|c| c.id == survivor) else { return String::new() };
    let others: Vec<&MergeCandidate> = customers.iter().filter(|c| c.id != survivor).collect();
    let mut moving: BTreeMap<&str, i64> = BTreeMap::new();
    for c in &others {
        for (kind, n) in &c.records {
            *moving.entry(kind.as_str()).or_default() += n;
        }
    }
    // addresses and numbers the survivor has already are not added again
    let known = |list: &[String], value: &str| list.iter().any(|v| v.trim().eq_ignore_ascii_case(value.trim()));
    let mut emails: Vec<&str> = Vec::new();
    let mut phones: Vec<&str> = Vec::new();
    for c in &others {
        emails.extend(c.emails.iter().map(String::as_str).filter(|e| !known(&kept.emails, e)));
        phones.extend(c.phones.iter().map(String::as_str).filter(|p| !known(&kept.phones, p)));
    }
    emails.sort_by_key(|e| e.to_lowercase());
    emails.dedup_by_key(|e| e.to_lowercase());
    phones.sort_unstable();
    phones.dedup();
    let mut parts: Vec<String> = ["orders", "tickets", "notes", "tasks", "files"]
        .iter()
        .filter_map(|kind| moving.get(kind).filter(|n| **n > 0).map(|n| counted(*n, kind)))
        .collect();
    if !emails.is_empty() {
        parts.push(counted(emails.len() as i64, "emails"));
    }
    if !phones.is_empty() {
        parts.push(counted(phones.len() as i64, "phones"));
    }
    let from: Vec<String> = others.iter().map(|c| format!("#{}", c.id)).collect();
    let what = if parts.is_empty() { "nothing but their history".to_string() } else { parts.join(", ") };
    format!(
        "{} (#{}) stays. Moving to it from {}: {what}. The others then lead to it; an admin can undo the merge for 30 days.",
        kept.name,
        kept.id,
        from.join(", ")
    )
}

/// "1 order", "14 orders".
fn counted(n: i64, plural: &str) -> String {
    if n == 1 { format!("1 {}", plural.trim_end_matches('s')) } else { format!("{} {plural}", format::count(n)) }
}

/// The undo button of a merge on the survivor's timeline (admins); the page is read again once undone.
#[component]
pub fn UndoMergeButton(merge_id: i64) -> impl IntoView {
    let undo = ServerAction::<UndoMerge>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = undo.value().get() {
            let _ = window().location().reload();
        }
    });
    view! {
        <button type="button" class="secondary" disabled=move || undo.pending().get()
            on:click=move |_| { undo.dispatch(UndoMerge { merge_id }); }>
            "Undo this merge"
        </button>
        {move || match undo.value().get() {
            Some(Err(error)) => Some(view! { <span role="alert">{error.to_string()}</span> }),
            _ => None,
        }}
    }
}
