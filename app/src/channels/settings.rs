//! Settings → Channels (admins): each channel with its webhook address, when it last received something
//! and what last went wrong; a form to connect it (secret, API address and credentials, never shown
//! again) and to switch it off; and a form to add one.

use super::api::{AddChannel, ConnectChannel, SetChannelActive, list_channels};
use super::{ChannelKind, ChannelView};
use crate::accounts::settings::SettingsNav;
use crate::ui::feedback::{ActionError, error_of};
use crate::ui::format;
use crate::ui::loaded::Loaded;
use leptos::prelude::*;

#[component]
pub fn ChannelsPage() -> impl IntoView {
    let add = ServerAction::<AddChannel>::new();
    let connect = ServerAction::<ConnectChannel>::new();
    let switch = ServerAction::<SetChannelActive>::new();
    let channels = Resource::new(
        move || (add.version().get(), connect.version().get(), switch.version().get()),
        |_| list_channels(),
    );
    let kind = RwSignal::new(ChannelKind::Shopify);
    view! {
        <div class="settings">
            <h1>"Settings"</h1>
            <SettingsNav />
            <h2>"Channels"</h2>
            <p>"Shops and marketplaces your orders come from. Shopify, WooCommerce and BigCommerce send each order to the channel's webhook address as it happens; Amazon orders are read from its API every few minutes."</p>
            <ActionError error=error_of(connect.value()) />
            <ActionError error=error_of(switch.value()) />
            <Loaded resource=channels loading="Loading channels…" show=move |(origin, channels)| {
                if channels.is_empty() {
                    return view! { <p>"No channels yet."</p> }.into_any();
                }
                channels
                    .into_iter()
                    .map(|channel| view! { <ChannelCard channel origin=origin.clone() connect switch /> })
                    .collect_view()
                    .into_any()
            } />
            <h2>"Add a channel"</h2>
            <ActionForm action=add attr:class="stacked">
                <label for="channel-kind">"Kind"</label>
                <select id="channel-kind" name="kind" on:change=move |ev| {
                    if let Some(k) = ChannelKind::parse(&event_target_value(&ev)) {
                        kind.set(k);
                    }
                }>
                    {ChannelKind::ALL
                        .iter()
                        .filter(|k| **k != ChannelKind::Manual)
                        .map(|k| view! { <option value=k.as_str() selected=*k == ChannelKind::Shopify>{k.label()}</option> })
                        .collect_view()}
                </select>
                <label for="channel-key">"Key"</label>
                <input id="channel-key" name="key" required autocomplete="off" placeholder="e.g. shopify-eu" aria-describedby="channel-key-help" />
                <p id="channel-key-help" class="help">"How orders sent through the API name this channel: lower-case letters, digits, '-', '_' and '.'."</p>
                <label for="channel-name">"Name"</label>
                <input id="channel-name" name="name" required placeholder="e.g. Shopify EU" />
                <ConnectionFields prefix="new".into() kind=kind editing=false secret_hint=None />
                <button type="submit">"Add channel"</button>
            </ActionForm>
            <ActionError error=error_of(add.value()) />
            {move || add.value().get().and_then(Result::ok).map(|channel| view! {
                <p role="status">{format!("Channel {} added.", channel.name)}</p>
            })}
        </div>
    }
}

/// The fields of a connection that the channel's kind needs. Secrets are never shown again: when
/// `editing`, blank keeps the stored one.
#[component]
fn ConnectionFields(
    prefix: String,
    #[prop(into)] kind: Signal<ChannelKind>,
    editing: bool,
    secret_hint: Option<String>,
) -> impl IntoView {
    let id = |field: &str| format!("{prefix}-{field}");
    let keep = |what: &str| if editing { format!(" Leave blank to keep the stored {what}.") } else { String::new() };
    let secret_help = match &secret_hint {
        Some(hint) => format!(
            "The secret set ends in …{hint}. Leave blank to keep it; a new one leaves the old one valid for an hour."
        ),
        None => "Shopify: the app's client secret. WooCommerce: the webhook's secret. BigCommerce: a value the \
                      hook also sends as its X-Webhook-Secret header."
            .to_string(),
    };
    let (secret_id, secret_help_id, api_id, token_id, token_help_id) =
        (id("secret"), id("secret-help"), id("api"), id("token"), id("token-help"));
    let token_help = format!("The store API account's token (orders read-only).{}", keep("token"));
    let amazon_help = format!("From your Login with Amazon application.{}", keep("credentials"));
    let amazon_ids = [id("marketplace"), id("client"), id("client-secret"), id("refresh")];
    view! {
        {move || kind.get().sends_webhooks().then(|| view! {
            <label for=secret_id.clone()>"Webhook secret"</label>
            <input id=secret_id.clone() name="secret" type="password" autocomplete="new-password" aria-describedby=secret_help_id.clone() />
            <p id=secret_help_id.clone() class="help">{secret_help.clone()}</p>
        })}
        {move || kind.get().reads_api().then(|| view! {
            <label for=api_id.clone()>"API address"</label>
            <input id=api_id.clone() name="api_base_url" type="url"
                placeholder=if kind.get() == ChannelKind::Amazon { "https://sellingpartnerapi-eu.amazon.com" } else { "https://api.bigcommerce.com/stores/abc123" } />
        })}
        {move || (kind.get() == ChannelKind::BigCommerce).then(|| view! {
            <label for=token_id.clone()>"API access token"</label>
            <input id=token_id.clone() name="access_token" type="password" autocomplete="off" aria-describedby=token_help_id.clone() />
            <p id=token_help_id.clone() class="help">{token_help.clone()}</p>
        })}
        {move || (kind.get() == ChannelKind::Amazon).then(|| {
            let [marketplace, client, client_secret, refresh] = amazon_ids.clone();
            view! {
                <fieldset>
                    <legend>"Amazon Selling Partner API"</legend>
                    <p class="help">{amazon_help.clone()}</p>
                    <label for=marketplace.clone()>"Marketplace id"</label>
                    <input id=marketplace name="marketplace_id" autocomplete="off" placeholder="e.g. A1PA6795UKMFR9" />
                    <label for=client.clone()>"Client id"</label>
                    <input id=client name="client_id" autocomplete="off" />
                    <label for=client_secret.clone()>"Client secret"</label>
                    <input id=client_secret name="client_secret" type="password" autocomplete="off" />
                    <label for=refresh.clone()>"Refresh token"</label>
                    <input id=refresh name="refresh_token" type="password" autocomplete="off" />
                </fieldset>
            }
        })}
    }
}

#[component]
fn ChannelCard(
    channel: ChannelView,
    origin: String,
    connect: ServerAction<ConnectChannel>,
    switch: ServerAction<SetChannelActive>,
) -> impl IntoView {
    let prefix = format!("channel-{}", channel.id);
    let heading = format!("{} ({})", channel.name, channel.kind.label());
    let hook =
        channel.hook_path.clone().filter(|_| channel.kind.sends_webhooks()).map(|path| format!("{origin}{path}"));
    let received = channel.last_received_at.map_or_else(|| "Never".to_string(), format::date_time);
    let action = if channel.active { "Switch off" } else { "Switch on" };
    let name = channel.name.clone();
    let (kind, active, hint) = (channel.kind, channel.active, channel.secret_hint.clone());
    let (connect_id, switch_id, form_name) = (channel.id.to_string(), channel.id.to_string(), name.clone());
    let (change, switch_label, name_id) =
        (format!("Change {name}"), format!("{action} {name}"), format!("{prefix}-name"));
    let last_error = channel
        .last_error
        .clone()
        .map(|error| format!("{} — {error}", channel.last_error_at.map(format::date_time).unwrap_or_default()));
    view! {
        <section class="channel card" aria-label=heading.clone()>
            <h3>{heading.clone()}</h3>
            <dl class="facts">
                <div><dt>"Key"</dt><dd><code>{channel.key.clone()}</code></dd></div>
                <div><dt>"Status"</dt><dd>{if channel.active { "On" } else { "Off: its webhooks are refused" }}</dd></div>
                {hook.map(|url| view! { <div><dt>"Webhook address"</dt><dd><output aria-label=format!("Webhook address of {name}")><code>{url}</code></output></dd></div> })}
                <div><dt>"Last received"</dt><dd>{received}</dd></div>
                <div><dt>"Waiting"</dt><dd>{format::count(channel.waiting)}</dd></div>
                <div><dt>"Failed"</dt><dd>{format::count(channel.failed)}</dd></div>
                {last_error.map(|error| view! { <div><dt>"Last error"</dt><dd>{error}</dd></div> })}
            </dl>
            <details>
                <summary>{change}</summary>
                <ActionForm action=connect attr:class="stacked">
                    <input type="hidden" name="id" value=connect_id.clone() />
                    <label for=name_id.clone()>"Name"</label>
                    <input id=name_id.clone() name="name" required value=form_name.clone() />
                    <ConnectionFields prefix=prefix.clone() kind=Signal::stored(kind) editing=true secret_hint=hint.clone() />
                    <button type="submit">"Save"</button>
                </ActionForm>
            </details>
            <ActionForm action=switch attr:class="inline">
                <input type="hidden" name="id" value=switch_id.clone() />
                <input type="hidden" name="active" value=(!active).to_string() />
                <button type="submit" class="secondary" aria-label=switch_label.clone()>{action}</button>
            </ActionForm>
        </section>
    }
}
