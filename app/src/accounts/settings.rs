//! Settings → Users and Settings → API keys (admins).

use super::api::{AddMember, CreateApiKey, RevokeApiKey, UpdateMember, list_api_keys, list_members};
use super::types::{ApiKeyInfo, Member, Role};
use crate::ui::feedback::{ActionError, error_of};
use crate::ui::format;
use crate::ui::loaded::Loaded;
use crate::ui::table::{DataTable, Header};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn SettingsNav() -> impl IntoView {
    view! {
        <nav class="settings-nav" aria-label="Settings">
            <A href="/settings/users">"Users"</A>
            <A href="/settings/api-keys">"API keys"</A>
            <A href="/settings/custom-fields">"Custom fields"</A>
            <A href="/settings/channels">"Channels"</A>
            <A href="/settings/import">"Import"</A>
        </nav>
    }
}

#[component]
fn RoleSelect(id: String, selected: Role) -> impl IntoView {
    view! {
        <select id=id name="role">
            {[Role::Admin, Role::Agent, Role::Viewer]
                .map(|role| view! { <option value=role.as_str() selected=role == selected>{role.as_str()}</option> })
                .collect_view()}
        </select>
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let add = ServerAction::<AddMember>::new();
    let update = ServerAction::<UpdateMember>::new();
    let members = Resource::new(move || (add.version().get(), update.version().get()), |_| list_members());
    view! {
        <div class="settings">
            <h1>"Settings"</h1>
            <SettingsNav />
            <h2>"Users"</h2>
            <ActionError error=error_of(update.value()) />
            <Loaded resource=members loading="Loading users…" show=move |members| view! { <MemberTable members update /> } />
            <h2>"Add a user"</h2>
            <ActionForm action=add attr:class="stacked">
                <label for="new-email">"Email"</label>
                <input id="new-email" name="email" type="email" required autocomplete="off" />
                <label for="new-role">"Role"</label>
                <RoleSelect id="new-role".into() selected=Role::Agent />
                <label for="new-password">"Password"</label>
                <input id="new-password" name="password" type="password" autocomplete="new-password" aria-describedby="new-password-help" />
                <p id="new-password-help" class="help">"At least 10 characters. Not needed for someone who already has an account in another workspace."</p>
                <button type="submit">"Add user"</button>
            </ActionForm>
            <ActionError error=error_of(add.value()) />
            <Show when=move || matches!(add.value().get(), Some(Ok(())))>
                <p role="status">"User added."</p>
            </Show>
        </div>
    }
}

#[component]
fn MemberTable(members: Vec<Member>, update: ServerAction<UpdateMember>) -> impl IntoView {
    view! {
        <DataTable class="plain" headers=vec![Header::new("Email"), Header::new("Role"), Header::new("Status"), Header::new("Access")]>
                {members.into_iter().map(|m| {
                    let select_id = format!("role-{}", m.user_id);
                    let label = format!("Role of {}", m.email);
                    view! {
                        <tr>
                            <td>{m.email.clone()}</td>
                            <td>
                                <ActionForm action=update attr:class="inline">
                                    <input type="hidden" name="user_id" value=m.user_id.to_string() />
                                    <input type="hidden" name="active" value=m.active.to_string() />
                                    <label for=select_id.clone() class="visually-hidden">{label}</label>
                                    <RoleSelect id=select_id selected=m.role />
                                    <button type="submit" class="secondary">"Save role"</button>
                                </ActionForm>
                            </td>
                            <td>{if m.active { "Active" } else { "Deactivated" }}</td>
                            <td>
                                <ActionForm action=update attr:class="inline">
                                    <input type="hidden" name="user_id" value=m.user_id.to_string() />
                                    <input type="hidden" name="role" value=m.role.as_str() />
                                    <input type="hidden" name="active" value=(!m.active).to_string() />
                                    <button type="submit" class="secondary" aria-label=format!("{} {}", if m.active { "Deactivate" } else { "Reactivate" }, m.email)>
                                        {if m.active { "Deactivate" } else { "Reactivate" }}
                                    </button>
                                </ActionForm>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </DataTable>
    }
}

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let keys = Resource::new(move || (create.version().get(), revoke.version().get()), |_| list_api_keys());
    view! {
        <div class="settings">
            <h1>"Settings"</h1>
            <SettingsNav />
            <h2>"API keys"</h2>
            <p>"Programs send a key as " <code>"Authorization: Bearer <key>"</code> " to " <code>"/api/v1"</code> "."</p>
            <ActionForm action=create attr:class="stacked">
                <label for="key-name">"Key name"</label>
                <input id="key-name" name="name" required placeholder="e.g. Shopify sync" />
                <button type="submit">"Create key"</button>
            </ActionForm>
            <ActionError error=error_of(create.value()) />
            {move || create.value().get().and_then(Result::ok).map(|key| view! {
                <div role="status" class="new-key">
                    <p>"Your new key. Copy it now: it is not shown again."</p>
                    <output aria-label="New API key"><code>{key}</code></output>
                </div>
            })}
            <ActionError error=error_of(revoke.value()) />
            <Loaded resource=keys loading="Loading keys…" show=move |keys| view! { <KeyTable keys revoke /> } />
        </div>
    }
}

#[component]
fn KeyTable(keys: Vec<ApiKeyInfo>, revoke: ServerAction<RevokeApiKey>) -> impl IntoView {
    if keys.is_empty() {
        return view! { <p>"No keys yet."</p> }.into_any();
    }
    view! {
        <DataTable class="plain" headers=vec![Header::new("Name"), Header::new("Key"), Header::new("Created"), Header::new("Last used"), Header::new("Status")]>
                {keys.into_iter().map(|k| view! {
                    <tr>
                        <td>{k.name.clone()}</td>
                        <td><code>{format!("{}…", k.prefix)}</code></td>
                        <td>{format::date(k.created_at.date_naive())}</td>
                        <td>{k.last_used_at.map_or_else(|| "Never".to_string(), |t| format::date(t.date_naive()))}</td>
                        <td>
                            {if k.revoked {
                                view! { <span>"Revoked"</span> }.into_any()
                            } else {
                                view! {
                                    <ActionForm action=revoke attr:class="inline">
                                        <input type="hidden" name="id" value=k.id.to_string() />
                                        <button type="submit" class="secondary" aria-label=format!("Revoke {}", k.name)>"Revoke"</button>
                                    </ActionForm>
                                }.into_any()
                            }}
                        </td>
                    </tr>
                }).collect_view()}
            </DataTable>
    }
    .into_any()
}
