//! The orders list (`/orders`, filterable by customer) and the order view (`/orders/{id}`), rendered on
//! the server from the URL; the order table is shared with the customer's order history.

use super::api::{get_order, list_orders};
use super::types::{OrderQuery, OrderRow, OrderView, status_label};
use crate::customers::Address;
use crate::ui::card::Card;
use crate::ui::format;
use crate::ui::loaded::Loaded;
use crate::ui::pager::{PageStep, Pager};
use crate::ui::table::{Cell, DataTable, Header};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn OrdersPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        let params = params.read();
        OrderQuery {
            customer: params.get("customer").and_then(|v| v.parse().ok()),
            after: params.get("after"),
            limit: params.get("limit").and_then(|v| v.parse().ok()),
        }
    });
    let orders = Resource::new(move || query.get(), list_orders);
    view! {
        <div class="orders-page">
            <Loaded resource=orders loading="Loading orders…" heading="Orders" show=move |page| {
                let query = query.get_untracked();
                let heading = match (query.customer, page.items.first()) {
                    (Some(_), Some(order)) => format!("Orders of {}", order.customer_name),
                    (Some(_), None) => "Orders of this customer".to_string(),
                    (None, _) => "Orders".to_string(),
                };
                let back = query.customer.map(|id| view! {
                    <p><A href=format!("/customers/{id}")>"Back to the customer"</A></p>
                });
                let first = query.after.is_some().then(|| OrderQuery { after: None, ..query.clone() }.url());
                let next = page.next.map(|after| OrderQuery { after: Some(after), ..query.clone() }.url());
                view! {
                    <h1>{heading}</h1>
                    {back}
                    <OrderTable orders=page.items show_customer=query.customer.is_none() />
                    <Pager
                        label="Pages of orders"
                        back=first.map(|href| PageStep::link("First page", href, None))
                        forward=next.map(|href| PageStep::link("Next page", href, Some("next")))
                    />
                }
            } />
        </div>
    }
}

/// Orders as a table (cards on a phone): store, date, number, amount, status, test mark.
#[component]
pub fn OrderTable(orders: Vec<OrderRow>, #[prop(optional)] show_customer: bool) -> impl IntoView {
    if orders.is_empty() {
        return view! { <p role="status">"No orders."</p> }.into_any();
    }
    let headers = [
        Some(Header::new("Number")),
        Some(Header::new("Date")),
        Some(Header::new("Store")),
        show_customer.then(|| Header::new("Customer")),
        Some(Header::new("Amount").numeric()),
        Some(Header::new("Status")),
    ]
    .into_iter()
    .flatten()
    .collect();
    view! {
        <DataTable class="orders" headers=headers>
                {orders.into_iter().map(|order| {
                    let customer = show_customer.then(|| view! {
                        <Cell label="Customer">
                            <A href=format!("/customers/{}", order.customer_id)>{order.customer_name.clone()}</A>
                        </Cell>
                    });
                    view! {
                        <tr>
                            <Cell label="Number">
                                <A href=format!("/orders/{}", order.id)>{order.number.clone()}</A>
                                {order.test.then(|| view! { <span class="mark mark-test">"Test"</span> })}
                            </Cell>
                            <Cell label="Date">{format::date(order.placed_on)}</Cell>
                            <Cell label="Store">{order.channel.clone()}</Cell>
                            {customer}
                            <Cell label="Amount" numeric=true>{format::money(order.total, &order.currency)}</Cell>
                            <Cell label="Status">{status_label(&order.status).to_string()}</Cell>
                        </tr>
                    }
                }).collect_view()}
        </DataTable>
    }
    .into_any()
}

#[component]
pub fn OrderPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|v| v.parse::<i64>().ok()));
    let order = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => get_order(id).await,
                None => Err(crate::error::AppError::NotFound),
            }
        },
    );
    view! {
        <div class="order-page">
            <Loaded
                resource=order
                loading="Loading the order…"
                heading="Order"
                not_found=|| view! {
                    <h1>"Order not found"</h1>
                    <p><A href="/orders">"Go to the orders list"</A></p>
                }
                show=|order| view! { <OrderDetails order /> }
            />
        </div>
    }
}

#[component]
fn OrderDetails(order: OrderView) -> impl IntoView {
    let row = order.row;
    let currency = row.currency.clone();
    let money = move |amount| format::money(amount, &currency);
    let in_base = (row.currency != order.base_currency).then(|| {
        let value = (row.total - order.refunded) * order.exchange_rate;
        view! {
            <div><dt>"In "{order.base_currency.clone()}</dt><dd>{format::money(value, &order.base_currency)}</dd></div>
        }
    });
    view! {
        <h1>"Order "{row.number.clone()}{row.test.then(|| view! { <span class="mark mark-test">"Test"</span> })}</h1>
        <p>
            <A href=format!("/customers/{}", row.customer_id)>{row.customer_name.clone()}</A>
            " · "
            <A href=format!("/orders?customer={}", row.customer_id)>"All orders of this customer"</A>
        </p>
        <dl class="facts">
            <div><dt>"Status"</dt><dd>{status_label(&row.status).to_string()}</dd></div>
            <div><dt>"Date"</dt><dd>{format::date(row.placed_on)}</dd></div>
            <div><dt>"Store"</dt><dd>{row.channel.clone()}</dd></div>
            <div><dt>"Total"</dt><dd>{money(row.total)}</dd></div>
            <div><dt>"Paid"</dt><dd>{money(order.paid)}</dd></div>
            <div><dt>"Refunded"</dt><dd>{money(order.refunded)}</dd></div>
            {in_base}
            <div><dt>"Order id in the store"</dt><dd>{row.external_id.clone()}</dd></div>
        </dl>
        {order.can_export.then(|| view! {
            <p>
                <a href=format!("/orders/{}/download", row.id) download="" rel="external">"Download as CSV"</a>
            </p>
        })}
        <Card id="order-lines" title="Products">
            <DataTable class="lines" headers=vec![Header::new("Product"), Header::new("SKU"), Header::new("Category"), Header::new("Quantity").numeric(), Header::new("Unit price").numeric(), Header::new("Amount").numeric()]>
                    {order.lines.into_iter().map(|line| {
                        let (unit_price, amount) = (money(line.unit_price), money(line.amount()));
                        view! {
                        <tr>
                            <Cell label="Product">{line.name.clone()}</Cell>
                            <Cell label="SKU">{line.sku.clone().unwrap_or_else(|| "–".into())}</Cell>
                            <Cell label="Category">{line.category.clone().unwrap_or_else(|| "–".into())}</Cell>
                            <Cell label="Quantity" numeric=true>{format::count(line.quantity.into())}</Cell>
                            <Cell label="Unit price" numeric=true>{unit_price}</Cell>
                            <Cell label="Amount" numeric=true>{amount}</Cell>
                        </tr>
                        }
                    }).collect_view()}
                </DataTable>
        </Card>
        <div class="addresses">
            <Card id="shipping-address" title="Shipping address">
                <AddressBlock address=order.shipping_address />
            </Card>
            <Card id="billing-address" title="Billing address">
                <AddressBlock address=order.billing_address />
            </Card>
        </div>
        <Card id="shipping-updates" title="Shipping updates">
            {if order.shipping_updates.is_empty() {
                view! { <p>"No shipping updates yet."</p> }.into_any()
            } else {
                view! {
                    <ol class="shipping">
                        {order.shipping_updates.into_iter().map(|update| view! {
                            <li>
                                <time datetime=update.happened_at.to_rfc3339()>{format::date_time(update.happened_at)}</time>
                                " · "{status_label(&update.status).to_string()}
                                {update.note.map(|note| view! { " · "{note} })}
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </Card>
    }
}

/// A postal address, line by line; "None given" when there is none.
#[component]
pub fn AddressBlock(address: Option<Address>) -> impl IntoView {
    match address {
        None => view! { <p class="muted">"None given"</p> }.into_any(),
        Some(a) => {
            let place = [a.postal_code.clone(), a.city.clone(), a.region.clone()]
                .into_iter()
                .flatten()
                .filter(|part| !part.trim().is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            let lines =
                [a.name.clone(), a.company.clone(), a.line1.clone(), a.line2.clone(), Some(place), a.country.clone()];
            view! {
                <address>
                    {lines.into_iter().flatten().filter(|l| !l.trim().is_empty()).map(|line| view! { {line}<br /> }).collect_view()}
                </address>
            }
            .into_any()
        }
    }
}
