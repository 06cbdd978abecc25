//! The customer list's filters on custom fields: one control per field, named `field.<key>` in the URL.

use super::CustomField;
use leptos::prelude::*;

#[component]
pub fn CustomFieldFilters(fields: Vec<CustomField>, chosen: Vec<(String, String)>) -> impl IntoView {
    (!fields.is_empty()).then(|| {
        let controls = fields
            .into_iter()
            .map(|field| {
                let id = format!("filter-field-{}", field.key);
                let name = field.param();
                let value =
                    chosen.iter().find(|(key, _)| *key == field.key).map(|(_, v)| v.clone()).unwrap_or_default();
                let select = |options: Vec<(String, String)>| {
                    view! {
                        <select id=id.clone() name=name.clone()>
                            <option value="">"Any"</option>
                            {options.into_iter().map(|(key, label)| {
                                let selected = key.eq_ignore_ascii_case(&value);
                                view! { <option value=key selected=selected prop:selected=selected>{label}</option> }
                            }).collect_view()}
                        </select>
                    }
                    .into_any()
                };
                let control = match field.kind.as_str() {
                    "boolean" => select(vec![("true".into(), "Yes".into()), ("false".into(), "No".into())]),
                    "choice" => select(field.choices.iter().map(|(_, label)| (label.clone(), label.clone())).collect()),
                    kind => {
                        let (kind, mode) = match kind {
                            "date" => ("date", "text"),
                            "number" => ("text", "decimal"),
                            _ => ("search", "text"),
                        };
                        view! {
                            <input id=id.clone() name=name.clone() type=kind inputmode=mode
                                value=value.clone() prop:value=value.clone() />
                        }
                        .into_any()
                    }
                };
                view! {
                    <label for=id.clone()>{field.label.clone()}</label>
                    {control}
                }
            })
            .collect_view();
        view! {
            <fieldset class="custom-filters">
                <legend>"Custom fields"</legend>
                {controls}
            </fieldset>
        }
    })
}
