//! The edit form and the history on the customer page. The form posts to the server function (it works
//! without JavaScript too); its fields carry the names of `CustomerForm`, and each bad field shows its
//! message next to it.

use super::{AddressForm, CustomerForm, EditContext, SaveCustomer, customer_history, load_edit_form};
use crate::error::AppError;
use crate::ui::card::Card;
use crate::ui::format;
use crate::ui::loaded::{Empty, Loaded};
use crate::ui::table::{DataTable, Header};
use leptos::prelude::*;

/// The message for `path` in the last answer, if it refused that field.
fn field_error(answer: Option<Result<i64, AppError>>, path: &str) -> Option<String> {
    match answer {
        Some(Err(AppError::Invalid(errors))) => {
            let messages: Vec<String> = errors.into_iter().filter(|e| e.path == path).map(|e| e.message).collect();
            (!messages.is_empty()).then(|| messages.join("; "))
        }
        _ => None,
    }
}

#[component]
pub fn EditCustomer(id: i64, save: ServerAction<SaveCustomer>, editing: RwSignal<bool>) -> impl IntoView {
    let context = Resource::new(move || id, load_edit_form);
    view! {
        <Loaded resource=context loading="Loading the form…" show=move |context| view! { <Form context save editing /> } />
    }
}

#[component]
fn Form(context: EditContext, save: ServerAction<SaveCustomer>, editing: RwSignal<bool>) -> impl IntoView {
    let f: CustomerForm = context.form;
    let answer = save.value();
    let contractor = RwSignal::new(f.contractor_type.clone());
    let general = move || match answer.get() {
        Some(Err(AppError::Invalid(_))) => {
            Some("Some fields need your attention; see the messages next to them.".to_string())
        }
        Some(Err(other)) => Some(other.to_string()),
        _ => None,
    };
    let text = move |name: &'static str, label: &'static str, value: String| {
        let id = format!("edit-{}", name.replace(['[', ']', '.'], "-"));
        let error_id = format!("{id}-error");
        let path = name.to_string();
        let error = Signal::derive(move || field_error(answer.get(), &path));
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <input id=id.clone() name=format!("form[{}]", name.replace('.', "][")) type="text" value=value
                    aria-invalid=move || error.get().is_some().then_some("true")
                    aria-describedby=error_id.clone() />
                <p class="field-error" id=error_id>{error}</p>
            </div>
        }
    };
    let area = move |name: &'static str, label: &'static str, help: &'static str, value: String| {
        let id = format!("edit-{name}");
        let error_id = format!("{id}-error");
        let rows = value.lines().count().clamp(2, 20).to_string();
        let error = Signal::derive(move || field_error(answer.get(), name));
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <textarea id=id.clone() name=format!("form[{name}]") rows=rows
                    aria-invalid=move || error.get().is_some().then_some("true")
                    aria-describedby=format!("{error_id} {id}-help")>{value}</textarea>
                <p class="help" id=format!("{id}-help")>{help}</p>
                <p class="field-error" id=error_id>{error}</p>
            </div>
        }
    };
    let address = move |kind: &'static str, legend: &'static str, a: AddressForm| {
        let part = move |field: &'static str, label: &'static str, value: String| {
            let id = format!("edit-{kind}-{field}");
            let error_id = format!("{id}-error");
            let path = format!("{kind}.{field}");
            let error = Signal::derive(move || field_error(answer.get(), &path));
            view! {
                <div class="field">
                    <label for=id.clone()><span class="visually-hidden">{legend}" "</span>{label}</label>
                    <input id=id.clone() name=format!("form[{kind}][{field}]") type="text" value=value
                        aria-invalid=move || error.get().is_some().then_some("true")
                        aria-describedby=error_id.clone() />
                    <p class="field-error" id=error_id>{error}</p>
                </div>
            }
        };
        view! {
            <fieldset class="address">
                <legend>{legend}</legend>
                {part("name", "Name", a.name)}
                {part("company", "Company", a.company)}
                {part("line1", "Address line 1", a.line1)}
                {part("line2", "Address line 2", a.line2)}
                {part("postal_code", "Postal code", a.postal_code)}
                {part("city", "City", a.city)}
                {part("region", "Region", a.region)}
                {part("country", "Country (two letters)", a.country)}
            </fieldset>
        }
    };
    let custom = move |field: crate::custom_fields::CustomField, value: String| {
        let id = format!("edit-custom-{}", field.key);
        let error_id = format!("{id}-error");
        let name = format!("form[custom][{}]", field.key);
        let path = format!("custom.{}", field.key);
        let error = Signal::derive(move || field_error(answer.get(), &path));
        let invalid = move || error.get().is_some().then_some("true");
        let options = |choices: Vec<(String, String)>| {
            let value = value.clone();
            view! {
                <select id=id.clone() name=name.clone() aria-invalid=invalid aria-describedby=error_id.clone()>
                    <option value="" selected=value.is_empty()>"Not set"</option>
                    {choices.into_iter().map(|(key, label)| {
                        let selected = key == value;
                        view! { <option value=key selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
            }
            .into_any()
        };
        let input = match field.kind.as_str() {
            "boolean" => options(vec![("true".into(), "Yes".into()), ("false".into(), "No".into())]),
            "choice" => options(field.choices.iter().map(|(id, label)| (id.to_string(), label.clone())).collect()),
            kind => {
                let (kind, mode) = match kind {
                    "date" => ("date", "text"),
                    "number" => ("text", "decimal"),
                    _ => ("text", "text"),
                };
                view! {
                    <input id=id.clone() name=name.clone() type=kind inputmode=mode value=value.clone()
                        aria-invalid=invalid aria-describedby=error_id.clone() />
                }
                .into_any()
            }
        };
        view! {
            <div class="field">
                <label for=id.clone()>{field.label.clone()}</label>
                {input}
                <p class="field-error" id=error_id.clone()>{error}</p>
            </div>
        }
    };
    let custom_fields = (!context.custom_fields.is_empty()).then(|| {
        let inputs = context
            .custom_fields
            .into_iter()
            .map(|field| {
                let value = f.custom.get(&field.key).cloned().unwrap_or_default();
                custom(field, value)
            })
            .collect_view();
        view! { <fieldset><legend>"Custom fields"</legend>{inputs}</fieldset> }
    });
    let managers = context.managers;
    let manager = f.manager.clone();
    let legal = move || contractor.get() != "legal_entity";
    let discount_error = move || field_error(answer.get(), "personal_discount");
    let name = crate::customers::person_name(&f.first_name, &f.last_name);
    view! {
        <h1>"Edit "{name}</h1>
        <ActionForm action=save attr:class="edit-customer" attr:aria-label="Edit customer">
            <input type="hidden" name="form[id]" value=f.id.to_string() />
            <input type="hidden" name="form[version]" value=f.version.to_string() />
            <p role="alert" class="error" hidden=move || general().is_none()>{general}</p>
            <fieldset>
                <legend>"Name"</legend>
                {text("first_name", "First name", f.first_name.clone())}
                {text("last_name", "Last name", f.last_name.clone())}
                {text("company", "Company", f.company.clone())}
            </fieldset>
            <fieldset>
                <legend>"Contact"</legend>
                {area("emails", "Emails", "One per line.", f.emails.clone())}
                {area("phones", "Phones", "One per line, in any format; numbers with a country code are also stored in international form.", f.phones.clone())}
            </fieldset>
            {address("billing", "Billing address", f.billing.clone())}
            {address("shipping", "Shipping address", f.shipping.clone())}
            <fieldset>
                <legend>"Marks and terms"</legend>
                <div class="check">
                    <input type="checkbox" id="edit-vip-mark" name="form[vip_mark]" value="on" checked=f.vip_mark.is_some() />
                    <label for="edit-vip-mark">"VIP mark"</label>
                </div>
                <div class="check">
                    <input type="checkbox" id="edit-bad-mark" name="form[bad_mark]" value="on" checked=f.bad_mark.is_some() />
                    <label for="edit-bad-mark">"BAD mark"</label>
                </div>
                <div class="field">
                    <label for="edit-subscription">"Email subscription"</label>
                    <select id="edit-subscription" name="form[email_subscription]">
                        <option value="subscribed" selected=f.email_subscription == "subscribed">"Subscribed"</option>
                        <option value="unsubscribed" selected=f.email_subscription != "subscribed">"Unsubscribed"</option>
                    </select>
                </div>
                <div class="field">
                    <label for="edit-discount">"Personal discount"</label>
                    <input id="edit-discount" name="form[personal_discount]" type="text" inputmode="decimal"
                        value=f.personal_discount.clone() aria-describedby="edit-discount-help edit-discount-error"
                        aria-invalid=move || discount_error().is_some().then_some("true") />
                    <p class="help" id="edit-discount-help">"Percent, from 0 to 100; empty for none."</p>
                    <p class="field-error" id="edit-discount-error">{discount_error}</p>
                </div>
                <div class="field">
                    <label for="edit-manager">"Manager"</label>
                    <select id="edit-manager" name="form[manager]">
                        <option value="" selected=manager.is_empty()>"No one"</option>
                        {managers.into_iter().map(|(id, name)| {
                            let selected = manager == id.to_string();
                            view! { <option value=id.to_string() selected=selected>{name}</option> }
                        }).collect_view()}
                    </select>
                    <p class="field-error">{move || field_error(answer.get(), "manager")}</p>
                </div>
            </fieldset>
            <fieldset>
                <legend>"Contractor"</legend>
                <div class="field">
                    <label for="edit-contractor">"Contractor type"</label>
                    <select id="edit-contractor" name="form[contractor_type]"
                        on:change=move |ev| contractor.set(event_target_value(&ev))>
                        <option value="individual" selected=f.contractor_type != "legal_entity">"Private individual"</option>
                        <option value="legal_entity" selected=f.contractor_type == "legal_entity">"Legal entity"</option>
                    </select>
                </div>
                <div class="legal" hidden=legal>
                    {text("legal_name", "Legal name", f.legal_name.clone())}
                    {text("tax_id", "Tax id", f.tax_id.clone())}
                    {text("legal_address", "Legal address", f.legal_address.clone())}
                    {text("bank_name", "Bank name", f.bank_name.clone())}
                    {text("bank_account", "Bank account", f.bank_account.clone())}
                    {text("bank_code", "Bank code", f.bank_code.clone())}
                </div>
            </fieldset>
            {custom_fields}
            {area("comment", "Internal comment", "Seen by your team only.", f.comment.clone())}
            <div class="actions">
                <button type="submit" disabled=move || save.pending().get()>"Save"</button>
                <button type="button" class="secondary" on:click=move |_| {
                    save.clear();
                    editing.set(false);
                }>"Cancel"</button>
                <span role="status">{move || save.pending().get().then_some("Saving…")}</span>
            </div>
        </ActionForm>
    }
}

/// Every change of the customer: who, when, which field, old and new value.
#[component]
pub fn History(id: i64, version: RwSignal<usize>) -> impl IntoView {
    let changes = Resource::new(move || (id, version.get()), |(id, _)| customer_history(id));
    view! {
        <Card id="history-heading" title="History" class="history">
            <Loaded resource=changes loading="Loading the history…" keep=true empty=Empty::when(Vec::is_empty, "No changes yet.") show=move |changes| view! {
                            <DataTable class="plain history-table" headers=vec![Header::new("When"), Header::new("Who"), Header::new("Field"), Header::new("Old value"), Header::new("New value")]>
                                    {changes.into_iter().map(|c| view! {
                                        <tr>
                                            <td><time datetime=c.at.to_rfc3339()>{format::date_time(c.at)}</time></td>
                                            <td>{c.who.unwrap_or_else(|| "The API".into())}</td>
                                            <td>{c.field}</td>
                                            <td>{c.old}</td>
                                            <td>{c.new}</td>
                                        </tr>
                                    }).collect_view()}
                                </DataTable>
                        } />
        </Card>
    }
}
