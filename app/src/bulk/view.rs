//! "Change in bulk" on the customer list: the customers ticked on the page or all that the view matches,
//! an action and its value, a confirmation with the exact count, then progress, the outcome and Undo.

use super::{BulkAction, BulkKind, BulkRequest, StartBulk, Targets, UndoBulk, bulk_status, count_matching};
use crate::customers::list::CustomerQuery;
use crate::customers::types::ListOptions;
use crate::jobs::JobStatus;
use crate::ui::format;
use leptos::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;

/// The customers ticked on the list's page.
pub type Chosen = RwSignal<BTreeSet<i64>>;

/// "Change in bulk" under the list's summary, for agents and admins: its form is built in the browser when
/// first opened (with the managers and custom fields to choose from), so the page the server renders holds
/// nothing the browser would have to match. The choices are fetched by the opening itself, not by a
/// resource: a local resource inside the list's `Suspense` made the server render it, now and then, as
/// "Loading customers…" (or wait for it to its time limit).
#[component]
pub fn BulkControl(query: CustomerQuery, total_known: Option<i64>, chosen: Chosen) -> impl IntoView {
    let options = RwSignal::new(None::<ListOptions>);
    let asked = StoredValue::new(false);
    let open = move |_| {
        if !asked.get_value() {
            asked.set_value(true);
            leptos::task::spawn_local(async move {
                if let Ok(loaded) = crate::customers::list::filter_options().await {
                    // the list may have moved on meanwhile
                    options.try_set(Some(loaded));
                }
            });
        }
    };
    view! {
        <details class="bulk" on:toggle=open>
            <summary>"Change in bulk"</summary>
            {move || options.get().map(|options| {
                view! { <BulkForm query=query.clone() total_known chosen options /> }
            })}
        </details>
    }
}

/// The bulk form: which customers, the action and its value, the confirmation, then the progress.
#[component]
fn BulkForm(query: CustomerQuery, total_known: Option<i64>, chosen: Chosen, options: ListOptions) -> impl IntoView {
    let query_text = query.first_page().query_string();
    let all = RwSignal::new(false);
    let action = RwSignal::new(BulkKind::SetManager.as_str().to_string());
    let value = RwSignal::new(String::new());
    let field = RwSignal::new(options.custom_fields.first().map(|f| f.key.clone()).unwrap_or_default());
    // the count to confirm, once asked for: `Some(n)`
    let confirming = RwSignal::new(None::<i64>);
    let counting = RwSignal::new(false);
    let start = ServerAction::<StartBulk>::new();
    let request = move || {
        let kind = BulkKind::parse(&action.get()).unwrap_or(BulkKind::SetManager);
        let text = value.get();
        let value = match kind {
            BulkKind::SetManager => text.parse::<i64>().map(Value::from).unwrap_or(Value::Null),
            BulkKind::SetField => json!({"field": field.get(), "value": text}),
            _ => Value::String(text),
        };
        let targets = if all.get() {
            Targets::Query(query_text.clone())
        } else {
            Targets::Chosen(chosen.get().into_iter().collect())
        };
        BulkRequest { targets, action: kind, value }
    };
    let review = {
        let query_text = query.first_page().query_string();
        move |_| {
            if !all.get_untracked() {
                confirming.set(Some(chosen.get_untracked().len() as i64));
                return;
            }
            if let Some(total) = total_known {
                confirming.set(Some(total));
                return;
            }
            counting.set(true);
            let query_text = query_text.clone();
            leptos::task::spawn_local(async move {
                let count = count_matching(query_text).await;
                counting.set(false);
                confirming.set(count.ok());
            });
        }
    };
    let managers = options.managers.clone();
    let fields = options.custom_fields.clone();
    let matching = match total_known {
        Some(total) => format!("All {} customers matching this view", format::count(total)),
        None => "All customers matching this view".to_string(),
    };
    view! {
            <form class="bulk-form" on:submit=move |e| e.prevent_default()>
                <fieldset>
                    <legend>"Which customers"</legend>
                    <label>
                        <input type="radio" name="bulk-which" prop:checked=move || !all.get()
                            on:change=move |_| { all.set(false); confirming.set(None); } />
                        {move || format!("The {} ticked on this page", format::count(chosen.with(|c| c.len() as i64)))}
                    </label>
                    <label>
                        <input type="radio" name="bulk-which" prop:checked=move || all.get()
                            on:change=move |_| { all.set(true); confirming.set(None); } />
                        {matching}
                    </label>
                </fieldset>
                <label for="bulk-action">"Action"</label>
                <select id="bulk-action" on:change=move |e| { action.set(event_target_value(&e)); value.set(String::new()); confirming.set(None); }>
                    {BulkKind::ALL.iter().filter(|k| **k != BulkKind::SetField || !fields.is_empty()).map(|k| view! {
                        <option value=k.as_str() selected=move || action.get() == k.as_str()>{k.label()}</option>
                    }).collect_view()}
                </select>
                {move || {
                    let on_change = move |e| { value.set(event_target_value(&e)); confirming.set(None); };
                    match BulkKind::parse(&action.get()).unwrap_or(BulkKind::SetManager) {
                        BulkKind::SetManager => view! {
                            <label for="bulk-value">"New manager"</label>
                            <select id="bulk-value" on:change=on_change>
                                <option value="">"No manager"</option>
                                {managers.iter().map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> }).collect_view()}
                            </select>
                        }.into_any(),
                        BulkKind::SetMark | BulkKind::ClearMark => {
                            one_of("Which mark", &[("vip", "VIP"), ("bad", "BAD")], value, on_change)
                        }
                        BulkKind::SetSubscription => one_of(
                            "New email subscription",
                            &[("subscribed", "Subscribed"), ("unsubscribed", "Unsubscribed")],
                            value,
                            on_change,
                        ),
                        BulkKind::AddNote => view! {
                            <label for="bulk-value">"Note to add"</label>
                            <textarea id="bulk-value" rows="3" on:input=on_change></textarea>
                        }.into_any(),
                        BulkKind::SetField => view! {
                            <label for="bulk-field">"Custom field to set"</label>
                            <select id="bulk-field" on:change=move |e| field.set(event_target_value(&e))>
                                {fields.iter().map(|f| view! { <option value=f.key.clone()>{f.label.clone()}</option> }).collect_view()}
                            </select>
                            <label for="bulk-value">"New value (empty clears it)"</label>
                            <input id="bulk-value" type="text" on:input=on_change />
                        }.into_any(),
                    }
                }}
                <button type="button" class="secondary" disabled=move || counting.get() || (!all.get() && chosen.with(BTreeSet::is_empty))
                    on:click=review>
                    {move || if counting.get() { "Counting…" } else { "Review" }}
                </button>
                {move || {
                    let request = request.clone();
                    confirming.get().map(move |n| {
                    let kind = BulkKind::parse(&action.get()).unwrap_or(BulkKind::SetManager);
                    let noun = if n == 1 { "customer" } else { "customers" };
                    view! {
                        <p role="status" class="bulk-confirm">
                            {format!("{} for {} {noun}?", kind.label(), format::count(n))}
                        </p>
                        <button type="button" disabled=move || start.pending().get() || n == 0
                            on:click=move |_| { start.dispatch(StartBulk { request: request() }); confirming.set(None); }>
                            {format!("Confirm: change {} {noun}", format::count(n))}
                        </button>
                    }
                })
                }}
            </form>
            {move || start.value().get().map(|answer| match answer {
                Ok(action) => view! { <BulkProgress action /> }.into_any(),
                Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
            })}
    }
}

/// A bulk action under way or done: its progress, then its outcome with Undo.
#[component]
fn BulkProgress(action: BulkAction) -> impl IntoView {
    let id = action.job.id;
    let undo = ServerAction::<UndoBulk>::new();
    let running = RwSignal::new(!action.job.status.finished());
    let tick = crate::ui::poll::ticking(move || running.get(), Duration::from_secs(1));
    let state = Resource::new(
        move || (tick.get(), undo.version().get()),
        move |(tick, undone)| {
            let first = action.clone();
            async move { if tick == 0 && undone == 0 { Ok(first) } else { bulk_status(id).await } }
        },
    );
    Effect::new(move |_| {
        if let Some(Ok(action)) = state.get() {
            running.set(!action.job.status.finished());
        }
    });
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let action = match state.await {
                    Ok(action) => action,
                    Err(error) => return view! { <p role="alert">{error.to_string()}</p> }.into_any(),
                };
                let (done, total) = (action.job.rows_done, action.job.rows_total);
                let words = match (action.job.status, action.undoing, action.undone) {
                    (_, _, true) => format!("Undone: {}.", action.summary),
                    (JobStatus::Done, _, _) => format!("Done: {} ({} customers).", action.summary, format::count(done)),
                    (JobStatus::Failed, _, _) => format!("Failed: {}", action.job.error.clone().unwrap_or_default()),
                    (JobStatus::Canceled, _, _) => format!("Stopped after {} customers.", format::count(done)),
                    (_, true, _) => format!("Undoing… {} of {}", format::count(done), format::count(total.unwrap_or(0))),
                    _ => format!("Changing… {} of {} customers", format::count(done), format::count(total.unwrap_or(0))),
                };
                let bar = (!action.job.status.finished()).then(|| view! {
                    <progress aria-label="Bulk action" max=total.unwrap_or(0).max(1).to_string() value=done.to_string()></progress>
                });
                let can_undo = matches!(action.job.status, JobStatus::Done | JobStatus::Canceled) && !action.undone && !action.undoing;
                view! {
                    <div class="export-progress" role="status">
                        {bar}
                        <span>{words}</span>
                        {can_undo.then(|| view! {
                            <button type="button" class="secondary" disabled=move || undo.pending().get()
                                on:click=move |_| { undo.dispatch(UndoBulk { id }); }>"Undo"</button>
                        })}
                        {move || undo.value().get().and_then(Result::err).map(|error| view! { <span role="alert">{error.to_string()}</span> })}
                    </div>
                }.into_any()
            })}
        </Transition>
    }
}

/// The value as one of a few `choices` (value, label), the first chosen until another is.
fn one_of(
    label: &'static str,
    choices: &'static [(&'static str, &'static str)],
    value: RwSignal<String>,
    on_change: impl Fn(leptos::ev::Event) + 'static,
) -> AnyView {
    if value.get_untracked().is_empty() {
        value.set(choices[0].0.into());
    }
    view! {
        <label for="bulk-value">{label}</label>
        <select id="bulk-value" on:change=on_change>
            {choices.iter().map(|(value, label)| view! { <option value=*value>{*label}</option> }).collect_view()}
        </select>
    }
    .into_any()
}
