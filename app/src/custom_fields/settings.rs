//! Settings → Custom fields (admins): the workspace's fields, a form to define one, and removal.

use super::{AddCustomField, CustomField, DeleteCustomField, KINDS, list_custom_fields};
use crate::accounts::settings::SettingsNav;
use crate::ui::feedback::{ActionError, error_of};
use crate::ui::loaded::{Empty, Loaded};
use crate::ui::table::{DataTable, Header};
use leptos::prelude::*;

#[component]
pub fn CustomFieldsPage() -> impl IntoView {
    let add = ServerAction::<AddCustomField>::new();
    let delete = ServerAction::<DeleteCustomField>::new();
    let fields = Resource::new(move || (add.version().get(), delete.version().get()), |_| list_custom_fields());
    let kind = RwSignal::new("text".to_string());
    view! {
        <div class="settings">
            <h1>"Settings"</h1>
            <SettingsNav />
            <h2>"Custom fields"</h2>
            <p class="help">
                "Fields of your own for every customer: they appear on the customer's page, in “Edit customer” and as "
                "filters of the customer list. Removing a field removes it from every customer; each customer's history "
                "keeps the value they had."
            </p>
            <ActionError error=error_of(delete.value()) />
            <Loaded resource=fields loading="Loading fields…" keep=true empty=Empty::when(Vec::is_empty, "No custom fields yet.") show=move |fields| view! { <FieldTable fields delete /> } />
            <h2>"Add a field"</h2>
            <ActionForm action=add attr:class="stacked">
                <label for="field-label">"Field name"</label>
                <input id="field-label" name="label" required maxlength="100" />
                <label for="field-kind">"Kind"</label>
                <select id="field-kind" name="kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                    {KINDS.map(|(key, label)| view! { <option value=key>{label}</option> }).collect_view()}
                </select>
                <label for="field-choices">"Choices"</label>
                <textarea id="field-choices" name="choices" rows="4" aria-describedby="field-choices-help"></textarea>
                <p id="field-choices-help" class="help">
                    {move || if kind.get() == "choice" { "One choice per line." } else { "Only for a single choice field: one choice per line." }}
                </p>
                <button type="submit">"Add field"</button>
            </ActionForm>
            <ActionError error=error_of(add.value()) />
            <Show when=move || matches!(add.value().get(), Some(Ok(_)))>
                <p role="status">"Field added."</p>
            </Show>
        </div>
    }
}

#[component]
fn FieldTable(fields: Vec<CustomField>, delete: ServerAction<DeleteCustomField>) -> impl IntoView {
    view! {
        <DataTable class="plain" headers=vec![Header::new("Name"), Header::new("Kind"), Header::new("Choices"), Header::new("In the list's URL"), Header::new("Remove")]>
                {fields.into_iter().map(|field| {
                    let kind = field.kind_label();
                    let choices = field.choices.iter().map(|(_, label)| label.clone()).collect::<Vec<_>>().join(", ");
                    let label = format!("Remove {}", field.label);
                    view! {
                        <tr>
                            <td>{field.label.clone()}</td>
                            <td>{kind}</td>
                            <td>{choices}</td>
                            <td><code>{field.param()}</code></td>
                            <td>
                                <ActionForm action=delete attr:class="inline">
                                    <input type="hidden" name="id" value=field.id.to_string() />
                                    <button type="submit" class="secondary" aria-label=label>"Remove"</button>
                                </ActionForm>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </DataTable>
    }
}
