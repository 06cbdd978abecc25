//! The customer page (`/customers/{id}`) and the side panel the list opens (`c=` in its URL): both show
//! the whole profile — indicators, explained segments, contacts with duplicate marks, tickets, orders,
//! favourite categories, spend over time and the timeline.

use super::edit::SaveCustomer;
use super::edit::view::{EditCustomer, History};
use super::profile::{CustomerProfile, MonthSpend, load_profile};
use crate::accounts::Role;
use crate::auth::api::current_caller;
use crate::error::AppError;
use crate::files::view::Files;
use crate::live::view::{Live, refresh_when_idle};
use crate::notes::view::Notes;
use crate::orders::api::list_orders;
use crate::orders::pages::{AddressBlock, OrderTable};
use crate::orders::{OrderQuery, status_label};
use crate::tasks::view::{InWork, TaskBoard, Tasks};
use crate::tickets::status_label as ticket_status_label;
use crate::timeline::view::Timeline;
use crate::ui::chip::Chip;
use crate::ui::format;
use crate::ui::heading::Heading;
use crate::ui::loaded::Loaded;
use crate::ui::pager::{PageStep, Pager};
use crate::ui::table::{DataTable, Header};
use leptos::prelude::*;
use leptos_router::components::{A, Redirect};
use leptos_router::hooks::use_params_map;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

#[component]
pub fn CustomerPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|v| v.parse::<i64>().ok()));
    let save = ServerAction::<SaveCustomer>::new();
    let editing = RwSignal::new(false);
    let history = RwSignal::new(false);
    // back to the profile once saved
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            editing.set(false);
        }
    });
    view! {
        <div class="customer-page">
            {move || match id.get() {
                Some(id) => view! {
                    <PageActions editing history />
                    {move || if editing.get() {
                        view! { <EditCustomer id save editing /> }.into_any()
                    } else {
                        view! { <ProfileLoader id full_page=true version=save.version() /> }.into_any()
                    }}
                    {move || history.get().then(|| view! { <History id version=save.version() /> })}
                }.into_any(),
                None => view! { <NoSuchCustomer /> }.into_any(),
            }}
        </div>
    }
}

/// "Edit customer" for those who may edit (agents and admins); "History" for everyone.
#[component]
fn PageActions(editing: RwSignal<bool>, history: RwSignal<bool>) -> impl IntoView {
    let caller = Resource::new(|| (), |_| current_caller());
    view! {
        <div class="page-actions">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let can_edit = matches!(caller.await, Ok(Some((c, _))) if c.role.allows(Role::Agent));
                    // always there, hidden from viewers (the server refuses their saves in any case)
                    view! {
                        <button type="button" hidden=move || !can_edit || editing.get() on:click=move |_| editing.set(true)>
                            "Edit customer"
                        </button>
                    }
                })}
            </Suspense>
            <button type="button" class="secondary" aria-expanded=move || history.get().to_string()
                on:click=move |_| history.update(|shown| *shown = !*shown)>
                "History"
            </button>
        </div>
    }
}

/// The side panel of the list: the same profile, with links to close it and to the full page.
#[component]
pub fn CustomerPanel(id: i64, close: String) -> impl IntoView {
    view! {
        <aside class="customer-panel" aria-label="Customer details">
            <nav class="panel-actions" aria-label="Customer panel">
                <A href=close attr:class="close">"Close"</A>
                <A href=format!("/customers/{id}")>"Open full page"</A>
            </nav>
            <ProfileLoader id full_page=false />
        </aside>
    }
}

#[component]
fn NoSuchCustomer() -> impl IntoView {
    view! {
        <h1>"Customer not found"</h1>
        <p><A href="/customers">"Go to the customer list"</A></p>
    }
}

#[component]
fn ProfileLoader(id: i64, full_page: bool, #[prop(optional)] version: Option<RwSignal<usize>>) -> impl IntoView {
    // something new written for this customer (live updates): the profile shown is read again in place
    let written = RwSignal::new(0u64);
    Live::follow(move |heard| {
        if heard.touches(id) {
            refresh_when_idle(".customer-page, .customer-panel", move || written.update(|n| *n += 1));
        }
    });
    // read again whole after each save, and when the customer is gone (merged away) on a live update
    let gone = RwSignal::new(0u64);
    let profile = Resource::new(move || (id, version.map(|v| v.get()), gone.get()), |(id, _, _)| load_profile(id));
    view! {
        <Transition fallback=|| view! { <p role="status">"Loading the customer…"</p> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(profile) => profile_view(profile, full_page, written.read_only(), gone).await,
                    // a customer merged away: the page of the one it was merged into (SPEC §9)
                    Err(AppError::NotFound) => match crate::merges::merged_into(id).await {
                        Ok(Some(survivor)) => view! { <Redirect path=format!("/customers/{survivor}") /> }.into_any(),
                        _ => view! { <NoSuchCustomer /> }.into_any(),
                    },
                    Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The profile's code is a chunk the browser fetches when the first customer is opened, from the list's
/// panel or the full page (see `crate::pages`).
#[lazy]
fn profile_view(profile: CustomerProfile, full_page: bool, written: ReadSignal<u64>, gone: RwSignal<u64>) -> AnyView {
    view! { <Profile profile full_page written gone /> }.into_any()
}

/// A Suspense hydrates only what is ready at once: a page the server rendered with a profile on it (the
/// full page or the list's panel) needs the profile's code loaded before the browser hydrates it.
#[cfg(feature = "hydrate")]
pub async fn load_profile_before_hydration() {
    if document().query_selector(".customer-name").ok().flatten().is_some() {
        __preload_profile_view().await;
    }
}

/// A part of the profile drawn from what `pick` takes of it, drawn again only when that changed: a live
/// update redraws the figures it changed in place, and leaves the rest (an open "show more", a half-read
/// table) as it is.
fn part<T: Clone + PartialEq + Send + Sync + 'static>(
    shown: RwSignal<CustomerProfile>,
    pick: impl Fn(&CustomerProfile) -> T + Send + Sync + 'static,
    draw: impl Fn(T) -> AnyView + Send + Sync + 'static,
) -> impl IntoView {
    let picked = Memo::new(move |_| shown.with(&pick));
    move || draw(picked.get())
}

#[component]
fn Profile(profile: CustomerProfile, full_page: bool, written: ReadSignal<u64>, gone: RwSignal<u64>) -> impl IntoView {
    let id = profile.detail.row.id;
    let (can_edit, can_delete, can_merge) = (profile.can_edit, profile.can_delete, profile.can_merge);
    // the sections' heading level: under the h1 name on the page, under the h2 name in the panel
    let section = if full_page { 2 } else { 3 };
    let shown = RwSignal::new(profile);
    // read again in place after each live change (the first is the one the page was drawn with)
    Effect::new(move |seen: Option<u64>| {
        let now = written.get();
        if seen.is_some_and(|seen| seen != now) {
            leptos::task::spawn_local(async move {
                match load_profile(id).await {
                    // an answer overtaken by a later change's is not shown over it
                    Ok(_) if written.get_untracked() != now => {}
                    Ok(profile) => shown.set(profile),
                    Err(AppError::NotFound) => gone.update(|n| *n += 1),
                    Err(_) => {}
                }
            });
        }
        now
    });
    let refresh = Signal::from(written);
    let head = part(shown, Head::of, move |facts| head(id, facts, full_page, can_merge));
    let indicators = part(
        shown,
        |p| {
            let (d, row) = (&p.detail, &p.detail.row);
            let money = |amount: Decimal| format::money(amount, &p.currency);
            let day = |on: Option<chrono::NaiveDate>| on.map_or_else(|| "–".to_string(), format::date);
            [
                ("Total order value", "total_order_value", money(row.total_order_value)),
                ("Orders", "orders", format::count(row.orders.into())),
                ("Average order value", "average_order_value", d.average_order_value.map_or_else(|| "–".into(), money)),
                ("Customer since", "customer_since", day(p.customer_since)),
                ("Latest purchase", "latest_purchase", day(row.latest_purchase)),
                ("Registered", "registered_at", day(Some(p.registered_on))),
                ("Total paid", "total_paid", money(d.total_paid)),
                ("Accounts receivable", "accounts_receivable", money(d.accounts_receivable)),
                ("Contacts", "contacts", format::count(d.contacts.into())),
            ]
        },
        |figures| {
            view! {
                <section aria-label="Indicators">
                    <dl class="indicators">
                        {figures.into_iter().map(|(name, key, value)| view! {
                            <div><dt>{name}</dt><dd data-indicator=key>{value}</dd></div>
                        }).collect_view()}
                    </dl>
                </section>
            }
            .into_any()
        },
    );
    let segment_list = part(
        shown,
        |p| p.segments.clone(),
        move |segments| {
            view! {
                <section aria-labelledby=format!("segments-{id}")>
                    <Heading level=section id=format!("segments-{id}")>"Segments"</Heading>
                    {if segments.is_empty() {
                        view! { <p>"In no segment."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="segment-reasons">
                                {segments.into_iter().map(|s| view! {
                                    <li><Chip text=s.name />" "{s.reason}</li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
            }
            .into_any()
        },
    );
    let contact = part(shown, Contact::of, move |contacts| contact(id, contacts, can_merge.then_some(id), section));
    let notes = view! { <Notes customer=id can_edit can_delete level=section /> }.into_any();
    let board = TaskBoard::new(id);
    let in_work = view! { <InWork board level=section /> }.into_any();
    let tasks = view! { <Tasks board can_edit level=section /> }.into_any();
    let files = view! { <Files customer=id can_edit can_delete level=section /> }.into_any();
    let tickets =
        part(shown, |p| p.tickets.clone(), move |overview| view! { <Tickets overview id section /> }.into_any());
    let summary = part(
        shown,
        |p| (p.orders.clone(), p.currency.clone()),
        move |(summary, currency)| view! { <OrderSummaryCard summary currency id /> }.into_any(),
    );
    let orders = view! {
        <section aria-labelledby=format!("orders-{id}")>
            <Heading level=section id=format!("orders-{id}")>"Orders"</Heading>
            {summary}
            <CustomerOrders id section refresh />
        </section>
    }
    .into_any();
    let categories = part(
        shown,
        |p| (p.categories.clone(), p.currency.clone()),
        move |(categories, currency)| {
            view! {
                <section aria-labelledby=format!("categories-{id}")>
                    <Heading level=section id=format!("categories-{id}")>"Popular categories"</Heading>
                    {if categories.is_empty() {
                        view! { <p>"No categorised purchases yet."</p> }.into_any()
                    } else {
                        view! {
                            <ol class="categories">
                                {categories.into_iter().map(|c| view! {
                                    <li>{c.category}" · "{format::count(c.quantity)}" items · "{format::money(c.amount, &currency)}</li>
                                }).collect_view()}
                            </ol>
                        }.into_any()
                    }}
                </section>
            }
            .into_any()
        },
    );
    let spend = part(
        shown,
        |p| (p.spend.clone(), p.currency.clone()),
        move |(spend, currency)| view! { <SpendChart spend currency id section /> }.into_any(),
    );
    let timeline = view! { <Timeline customer=id level=section refresh /> }.into_any();
    // each part's type erased on its own: one view of them all is too deep for the compiler
    view! {
        <article class="profile">
            {head}{indicators}{in_work}{segment_list}{contact}{notes}{tasks}{files}{tickets}{orders}{categories}{spend}{timeline}
        </article>
    }
}

/// What the profile's head shows: the name, the marks and the facts about the customer (not the
/// figures, so that an order does not draw it again).
#[derive(Clone, PartialEq)]
struct Head {
    name: String,
    vip: bool,
    bad: bool,
    test: bool,
    registered: bool,
    sentiment: Option<crate::sentiment::Sentiment>,
    channel: String,
    manager: Option<String>,
    company: Option<String>,
    custom: Vec<(String, String)>,
}

impl Head {
    fn of(profile: &CustomerProfile) -> Head {
        let row = &profile.detail.row;
        Head {
            name: row.display_name(),
            vip: row.vip_mark,
            bad: row.bad_mark,
            test: row.has_test_order,
            registered: row.registered,
            sentiment: row.sentiment,
            channel: row.channel.clone(),
            manager: profile.manager.clone(),
            company: profile.detail.company.clone(),
            custom: profile.custom.clone(),
        }
    }
}

fn head(id: i64, facts: Head, full_page: bool, can_merge: bool) -> AnyView {
    let heading = if full_page {
        view! { <h1 class="customer-name">{facts.name}</h1> }.into_any()
    } else {
        view! { <h2 class="customer-name">{facts.name}</h2> }.into_any()
    };
    let sentiment = match facts.sentiment {
        Some(s) => {
            let (face, word) = s.face();
            format!("{face} {word}")
        }
        None => "No messages yet".to_string(),
    };
    view! {
        <header class="profile-head">
            {heading}
            <p class="marks">
                {facts.vip.then(|| view! { <span class="mark mark-vip">"VIP"</span> })}
                {facts.bad.then(|| view! { <span class="mark mark-bad">"BAD"</span> })}
                {facts.test.then(|| view! { <span class="mark mark-test" title="Has test orders">"Test"</span> })}
                <span class="mark">{if facts.registered { "Registered" } else { "Guest" }}</span>
            </p>
            {(can_merge && full_page).then(|| view! {
                <p class="profile-actions">
                    <A href=crate::merges::view::merge_href(&[id])>"Merge with another customer…"</A>
                </p>
            })}
            <dl class="facts">
                <div><dt>"Sentiment"</dt><dd>{sentiment}</dd></div>
                <div><dt>"Channel"</dt><dd>{facts.channel}</dd></div>
                <div><dt>"Manager"</dt><dd>{facts.manager.unwrap_or_else(|| "None".into())}</dd></div>
                {facts.company.map(|company| view! { <div><dt>"Company"</dt><dd>{company}</dd></div> })}
                {facts.custom.into_iter().map(|(label, value)| view! { <div><dt>{label}</dt><dd>{value}</dd></div> }).collect_view()}
            </dl>
        </header>
    }
    .into_any()
}

/// What the contact section shows.
#[derive(Clone, PartialEq)]
struct Contact {
    emails: Vec<String>,
    phones: Vec<crate::customers::Phone>,
    shipping_address: Option<crate::customers::Address>,
    billing_address: Option<crate::customers::Address>,
    duplicates: Vec<super::profile::Duplicate>,
}

impl Contact {
    fn of(profile: &CustomerProfile) -> Contact {
        let detail = &profile.detail;
        Contact {
            emails: detail.emails.clone(),
            phones: detail.phones.clone(),
            shipping_address: detail.shipping_address.clone(),
            billing_address: detail.billing_address.clone(),
            duplicates: profile.duplicates.clone(),
        }
    }
}

/// The contact section: emails and phones with their duplicate marks (`merge_from`: this customer, for
/// admins), and the addresses.
fn contact(id: i64, detail: Contact, merge_from: Option<i64>, section: u8) -> AnyView {
    let duplicates = detail.duplicates;
    let duplicate_of = move |contact: &str| duplicates.iter().find(|d| d.contact == contact).map(|d| d.others.clone());
    let emails = detail
        .emails
        .iter()
        .map(|email| {
            let others = duplicate_of(email);
            view! {
                <li>
                    <a href=crate::ui::url::mailto(email)>{email.clone()}</a>
                    <DuplicateMark others merge_from />
                </li>
            }
        })
        .collect_view();
    let phone_item = |phone: &crate::customers::Phone| {
        let others = duplicate_of(&phone.raw);
        let dial = phone
            .e164
            .clone()
            .unwrap_or_else(|| phone.raw.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect());
        view! {
            <li>
                <a href=format!("tel:{dial}")>{phone.raw.clone()}</a>
                <DuplicateMark others merge_from />
            </li>
        }
    };
    let (first_phones, more_phones) = detail.phones.split_at(detail.phones.len().min(PHONES_SHOWN));
    let more = more_phones.len();
    let phones = view! {
        <ul class="contacts">{first_phones.iter().map(&phone_item).collect_view()}</ul>
        {(more > 0).then(|| view! {
            <details class="more">
                <summary>"Show "{format::count(more as i64)}" more phones"</summary>
                <ul class="contacts">{more_phones.iter().map(&phone_item).collect_view()}</ul>
            </details>
        })}
    };
    view! {
        <section aria-labelledby=format!("contact-{id}")>
            <Heading level=section id=format!("contact-{id}")>"Contact"</Heading>
            <Heading level={section + 1}>"Emails"</Heading>
            {if detail.emails.is_empty() { view! { <p class="muted">"None"</p> }.into_any() } else { view! { <ul class="contacts">{emails}</ul> }.into_any() }}
            <Heading level={section + 1}>"Phones"</Heading>
            {if detail.phones.is_empty() { view! { <p class="muted">"None"</p> }.into_any() } else { phones.into_any() }}
            <div class="addresses">
                <div>
                    <Heading level={section + 1}>"Shipping address"</Heading>
                    <AddressBlock address=detail.shipping_address.clone() />
                </div>
                <div>
                    <Heading level={section + 1}>"Billing address"</Heading>
                    <AddressBlock address=detail.billing_address.clone() />
                </div>
            </div>
        </section>
    }
    .into_any()
}

/// "Also on" links to the other customers who share this email or phone; for admins (`merge_from`: this
/// customer), a link to merge each with this one.
#[component]
fn DuplicateMark(others: Option<Vec<(i64, String)>>, merge_from: Option<i64>) -> impl IntoView {
    others.map(|others| {
        view! {
            <span class="duplicate">
                <span class="mark mark-duplicate">"Duplicate"</span>" also on "
                {others.into_iter().enumerate().map(|(i, (id, name))| {
                    let merge = merge_from.map(|this| {
                        let label = format!("Merge with {name}");
                        view! { " ("<A href=crate::merges::view::merge_href(&[this, id]) attr:aria-label=label>"merge"</A>")" }
                    });
                    view! {
                        {(i > 0).then_some(", ")}
                        <A href=format!("/customers/{id}")>{name}</A>
                        {merge}
                    }
                }).collect_view()}
            </span>
        }
    })
}

#[component]
fn Tickets(overview: super::profile::TicketOverview, id: i64, section: u8) -> impl IntoView {
    let ticket_item = |t: &super::profile::TicketRow| {
        let subject = if t.subject.trim().is_empty() { "(no subject)".to_string() } else { t.subject.clone() };
        view! {
            <li>
                <A href=format!("/tickets/{}", t.id)>{subject}</A>
                " · "{ticket_status_label(&t.status).to_string()}
                " · "{format::count(t.messages)}" messages · updated "{format::date(t.updated_at.date_naive())}
            </li>
        }
    };
    let groups = overview
        .by_status
        .iter()
        .map(|(status, count)| {
            let tickets =
                overview.latest.iter().filter(|t| &t.status == status).take(5).map(ticket_item).collect_view();
            let title = format!("{} ({})", ticket_status_label(status), format::count(*count));
            view! {
                <div class="ticket-group">
                    <Heading level={section + 1}>{title}</Heading>
                    <ul>{tickets}</ul>
                </div>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby=format!("tickets-{id}")>
            <Heading level=section id=format!("tickets-{id}")>"Tickets"</Heading>
            {if overview.by_status.is_empty() {
                view! { <p>"No tickets."</p> }.into_any()
            } else {
                view! {
                    <div class="ticket-groups">{groups}</div>
                    <Heading level={section + 1}>"Recently updated (7 days)"</Heading>
                    {if overview.recent.is_empty() {
                        view! { <p class="muted">"None"</p> }.into_any()
                    } else {
                        view! { <ul>{overview.recent.iter().map(ticket_item).collect_view()}</ul> }.into_any()
                    }}
                }.into_any()
            }}
        </section>
    }
}

/// The summary card of SPEC §3: figures over all orders, test, draft, canceled and returned ones
/// included and named, and the last three orders.
#[component]
fn OrderSummaryCard(summary: crate::orders::OrderSummary, currency: String, id: i64) -> impl IntoView {
    let money = |amount| format::money(amount, &currency);
    let apart = [
        ("test", summary.test),
        ("draft", summary.draft),
        ("canceled", summary.canceled),
        ("returned", summary.returned),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(what, n)| format!("{} {what}", format::count(n)))
    .collect::<Vec<_>>();
    let apart = if apart.is_empty() { String::new() } else { format!(" (of which {})", apart.join(", ")) };
    view! {
        <div class="summary-card">
            <p class="card-title">"All orders, including test, canceled and returned ones"</p>
            <dl class="facts">
                <div><dt>"Orders"</dt><dd>{format::count(summary.all)}{apart}</dd></div>
                <div><dt>"Value"</dt><dd>{money(summary.value)}</dd></div>
                <div><dt>"Average"</dt><dd>{summary.average().map_or_else(|| "–".into(), money)}</dd></div>
                <div><dt>"Paid"</dt><dd>{money(summary.paid)}</dd></div>
                <div><dt>"Receivable"</dt><dd>{money(summary.receivable)}</dd></div>
                <div><dt>"First"</dt><dd>{summary.first.map_or_else(|| "–".into(), format::date)}</dd></div>
                <div><dt>"Latest"</dt><dd>{summary.last.map_or_else(|| "–".into(), format::date)}</dd></div>
            </dl>
            {(!summary.last_three.is_empty()).then(move || view! {
                <p class="card-title">"Last three orders"</p>
                <ul class="last-orders">
                    {summary.last_three.into_iter().map(|o| view! {
                        <li>
                            <A href=format!("/orders/{}", o.id)>{o.number.clone()}</A>
                            " · "{format::date(o.placed_on)}" · "{format::money(o.total, &o.currency)}
                            " · "{status_label(&o.status).to_string()}
                            {o.test.then(|| view! { " " <span class="mark mark-test">"Test"</span> })}
                        </li>
                    }).collect_view()}
                </ul>
            })}
            <p><A href=OrderQuery { customer: Some(id), ..Default::default() }.url()>"See all orders of this customer"</A></p>
        </div>
    }
}

const HISTORY_PAGE: i64 = 10;

/// Phones listed before "show more".
const PHONES_SHOWN: usize = 20;

/// The order history, a page at a time, in place; read again in place on `refresh`.
#[component]
fn CustomerOrders(id: i64, section: u8, refresh: Signal<u64>) -> impl IntoView {
    let cursors = RwSignal::new(Vec::<String>::new());
    // read again in place when something new is written for the customer (`refresh`)
    let page = Resource::new(
        move || (cursors.with(|c| c.last().cloned()), refresh.get()),
        move |(after, _)| list_orders(OrderQuery { customer: Some(id), after, limit: Some(HISTORY_PAGE) }),
    );
    view! {
        <Heading level={section + 1}>"Order history"</Heading>
        <Loaded resource=page loading="Loading orders…" keep=true show=move |page| {
            let previous = cursors.with_untracked(|c| !c.is_empty());
            let next = page.next.clone();
            view! {
                <OrderTable orders=page.items />
                <Pager
                    label="Pages of orders"
                    back=previous.then(|| PageStep::button("Previous page", move || cursors.update(|c| { c.pop(); })))
                    forward=next.map(|after| PageStep::button("Next page", move || cursors.update(|c| c.push(after.clone()))))
                />
            }
        } />
    }
}

/// Spend per month over the last twelve months: bars drawn by the app, with the months named under
/// them and the same figures as a table for screen readers and exact reading.
#[component]
fn SpendChart(spend: Vec<MonthSpend>, currency: String, id: i64, section: u8) -> impl IntoView {
    let max = spend.iter().map(|m| m.amount).max().unwrap_or_default();
    let (width, height, bar_area) = (360.0, 150.0, 110.0);
    let slot = width / spend.len().max(1) as f64;
    let month = |m: &MonthSpend| format::month(m.month);
    let label = match spend.iter().filter(|m| m.amount > Decimal::ZERO).max_by_key(|m| m.amount) {
        Some(top) => format!(
            "Spend per month over the last 12 months; highest {} in {}",
            format::money(top.amount, &currency),
            month(top)
        ),
        None => "Spend per month over the last 12 months: nothing spent".to_string(),
    };
    let bars = spend
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let share = if max > Decimal::ZERO { (m.amount / max).to_f64().unwrap_or(0.0) } else { 0.0 };
            let h = (share * bar_area).max(if m.amount > Decimal::ZERO { 2.0 } else { 0.0 });
            let x = i as f64 * slot + slot * 0.15;
            view! {
                <g>
                    <rect x=x y=10.0 + bar_area - h width=slot * 0.7 height=h class="bar" />
                    <text x=x + slot * 0.35 y=height - 8.0 text-anchor="middle" class="axis">{format::month_name(m.month)}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby=format!("spend-{id}")>
            <Heading level=section id=format!("spend-{id}")>"Spend over time"</Heading>
            <p class="muted">"Highest month: "{format::money(max, &currency)}</p>
            <svg class="spend-chart" viewBox=format!("0 0 {width} {height}") role="img" aria-label=label>
                <line x1=0.0 y1=10.0 + bar_area x2=width y2=10.0 + bar_area class="baseline" />
                {bars}
            </svg>
            <details>
                <summary>"Spend by month as a table"</summary>
                <DataTable class="spend-table" headers=vec![Header::new("Month"), Header::new("Spend").numeric()]>
                        {spend.iter().map(|m| view! {
                            <tr><td>{month(m)}</td><td class="num">{format::money(m.amount, &currency)}</td></tr>
                        }).collect_view()}
                    </DataTable>
            </details>
        </section>
    }
}
