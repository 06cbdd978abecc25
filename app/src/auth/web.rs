//! The HTTP edge of accounts: the session cookie, the sign-in, sign-out and workspace-switch forms, the
//! redirect of signed-out visitors to `/login`, the cross-site request check and the security headers.

use super::{Caller, db};
use crate::state::AppState;
use axum::extract::{ConnectInfo, Form, FromRequestParts, Request, State};
use axum::http::header::{
    CONTENT_SECURITY_POLICY, COOKIE, HOST, ORIGIN, REFERER, REFERRER_POLICY, RETRY_AFTER, SET_COOKIE,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Duration;
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};

pub const SESSION_COOKIE: &str = "cv_session";

/// The value of cookie `name`, if the request carries it.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn session_cookie(token: &str, max_age: Duration, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        max_age.num_seconds()
    ))
    .expect("cookie text is ASCII")
}

/// Puts the signed-in `Caller` into the request, and sends signed-out visitors of a page to `/login`,
/// remembering where they were going.
pub async fn resolve_session(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    if let Some(token) = cookie(request.headers(), SESSION_COOKIE) {
        // a security clock: sessions expire in real time, whatever CV_NOW says
        match db::session_caller(&state.pool, &token, chrono::Utc::now()).await {
            Ok(Some(caller)) => {
                request.extensions_mut().insert(caller);
            }
            Ok(None) => {}
            Err(_) => return unavailable(),
        }
    }
    if request.extensions().get::<Caller>().is_none() && is_private_page(request.method(), request.uri().path()) {
        let asked = request.uri().path_and_query().map_or("/", |p| p.as_str());
        return Redirect::to(&format!("/login?next={}", crate::ui::url::encode(asked))).into_response();
    }
    next.run(request).await
}

/// Pages need a session; the sign-in page, static files and the API (which checks its own way) do not.
fn is_private_page(method: &Method, path: &str) -> bool {
    (method == Method::GET || method == Method::HEAD)
        && !(path == "/login"
            || path == "/health"
            || path == "/events"
            || path.starts_with("/pkg/")
            || path.starts_with("/api/")
            || path == "/favicon.ico")
}

fn unavailable() -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, [(RETRY_AFTER, "5")], "The database is not reachable; please try again shortly.")
        .into_response()
}

/// Refuses state-changing requests sent from another site: the browser's Origin (or, failing that,
/// Referer) must name this host. The API is exempt: it authenticates with keys, never with cookies.
pub async fn refuse_cross_site(request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // the API authenticates with its key, webhooks with their platform's signature: neither comes from a page
    let path = request.uri().path();
    if safe || path.starts_with("/api/v1/") || path.starts_with("/hooks/") {
        return next.run(request).await;
    }
    let headers = request.headers();
    let host = headers.get(HOST).and_then(|h| h.to_str().ok());
    let source = headers.get(ORIGIN).or_else(|| headers.get(REFERER)).and_then(|h| h.to_str().ok()).and_then(authority);
    match (host, source) {
        (Some(host), Some(source)) if host.eq_ignore_ascii_case(source) => next.run(request).await,
        _ => (StatusCode::FORBIDDEN, "Refused: this request did not come from a Customer View page.").into_response(),
    }
}

/// `https://host:port/path` → `host:port`.
fn authority(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    Some(rest.split('/').next().unwrap_or(rest))
}

/// Headers every response carries. Pages get a Content-Security-Policy with their script nonce from
/// `page_context`; everything else gets a strict default.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(CONTENT_SECURITY_POLICY) {
        headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"));
    }
    response
}

/// Run for every page and server function: gives pages a Content-Security-Policy that lets exactly
/// this response's hydration scripts run (by nonce) and the wasm compile.
pub fn page_context() {
    use leptos::nonce::use_nonce;
    use leptos::prelude::use_context;
    if let (Some(nonce), Some(response)) = (use_nonce(), use_context::<leptos_axum::ResponseOptions>()) {
        let policy = format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
             img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; \
             form-action 'self'; frame-ancestors 'none'"
        );
        if let Ok(value) = HeaderValue::from_str(&policy) {
            response.insert_header(CONTENT_SECURITY_POLICY, value);
        }
    }
}

/// The client's address, for throttling: the peer's, or behind one of `CV_TRUSTED_PROXIES` the first
/// address of `X-Forwarded-For` counted from the right that is not a trusted proxy (the ones to its left
/// could be written by the client itself).
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|a| a.trim().parse::<IpAddr>().ok())
            .collect::<Vec<_>>();
        let ip = client_address(peer, &forwarded, &state.trusted_proxies);
        Ok(ClientIp(ip.map_or_else(|| "unknown".to_string(), |ip| ip.to_string())))
    }
}

/// The client behind `peer`: while the address at hand is a trusted proxy, the one it forwarded for.
fn client_address(peer: Option<IpAddr>, forwarded: &[Option<IpAddr>], trusted: &[ipnet::IpNet]) -> Option<IpAddr> {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = peer?;
    for hop in forwarded.iter().rev() {
        if !is_trusted(&client) {
            break;
        }
        // a hop that is not an address ends the chain: what the trusted proxy saw is all we know
        let Some(hop) = hop else { break };
        client = *hop;
    }
    Some(client)
}

#[derive(Deserialize)]
pub struct SignInForm {
    email: String,
    password: String,
    next: Option<String>,
}

/// Only paths of this site: never `//evil.example`, `https://…`, nor anything a browser would make into
/// one (it drops tabs and newlines and reads `\\` as `/`, so `/\t/evil.example` is `//evil.example`).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.len() <= 2048
                && n.starts_with('/')
                && !n.starts_with("//")
                && !n.chars().any(|c| c == '\\' || c.is_whitespace() || c.is_control()) =>
        {
            n.to_string()
        }
        _ => "/customers".to_string(),
    }
}

/// `POST /login`: a plain form post, so signing in works without JavaScript. The attempt is recorded
/// before the password is checked (`db::record_attempt`), and fields too long for any account are
/// refused without hashing.
pub async fn sign_in(State(state): State<AppState>, ClientIp(ip): ClientIp, Form(form): Form<SignInForm>) -> Response {
    // a security clock: throttling windows and sessions run in real time, whatever CV_NOW says
    let now = chrono::Utc::now();
    let next = safe_next(form.next.as_deref());
    match db::record_attempt(&state.pool, &form.email, &ip, now).await {
        Ok(Some(wait)) => return too_many_attempts(wait),
        Ok(None) => {}
        Err(_) => return unavailable(),
    }
    let fits = form.email.chars().count() <= db::MAX_EMAIL_LEN
        && form.password.chars().count() <= crate::accounts::secrets::MAX_PASSWORD_LEN;
    let checked = if fits { db::check_password(&state.pool, &form.email, &form.password).await } else { Ok(None) };
    match checked {
        Ok(Some((user_id, workspace_id))) => {
            let started = async {
                db::clear_failures(&state.pool, &form.email).await?;
                db::create_session(&state.pool, user_id, workspace_id, now).await
            };
            match started.await {
                Ok(token) => (
                    [(SET_COOKIE, session_cookie(&token, db::SESSION_LIFETIME, state.secure_cookies))],
                    Redirect::to(&next),
                )
                    .into_response(),
                Err(_) => unavailable(),
            }
        }
        Ok(None) => {
            Redirect::to(&format!("/login?error=invalid&next={}", crate::ui::url::encode(&next))).into_response()
        }
        Err(_) => unavailable(),
    }
}

fn too_many_attempts(wait: Duration) -> Response {
    let seconds = wait.num_seconds().max(1);
    let minutes = (seconds + 59) / 60;
    let body = format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Too many attempts · Customer View</title><link rel="stylesheet" href="/pkg/customer-view.css"></head><body><main><h1>Too many sign-in attempts</h1><p role="alert">Signing in failed too often. Please wait {minutes} minute{} and try again.</p><p><a href="/login">Back to sign-in</a></p></main></body></html>"#,
        if minutes == 1 { "" } else { "s" }
    );
    (
        StatusCode::TOO_MANY_REQUESTS,
        [
            (RETRY_AFTER, HeaderValue::from(seconds as u64)),
            (
                CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; style-src 'self'; frame-ancestors 'none'"),
            ),
        ],
        Html(body),
    )
        .into_response()
}

/// `POST /logout`: ends the session here and in the database.
pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = cookie(&headers, SESSION_COOKIE)
        && db::delete_session(&state.pool, &token).await.is_err()
    {
        return unavailable();
    }
    ([(SET_COOKIE, session_cookie("", Duration::zero(), state.secure_cookies))], Redirect::to("/login")).into_response()
}

#[derive(Deserialize)]
pub struct SwitchForm {
    workspace_id: i64,
}

/// `POST /workspace`: work in another of the caller's workspaces.
pub async fn switch_workspace(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<SwitchForm>,
) -> Response {
    let Some(token) = cookie(&headers, SESSION_COOKIE) else { return Redirect::to("/login").into_response() };
    match db::switch_workspace(&state.pool, &token, form.workspace_id, chrono::Utc::now()).await {
        Ok(true) => Redirect::to("/customers").into_response(),
        Ok(false) => (StatusCode::NOT_FOUND, "No such workspace among yours.").into_response(),
        Err(_) => unavailable(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/customers?q=bob")), "/customers?q=bob");
        assert_eq!(safe_next(Some("//evil.example/")), "/customers");
        assert_eq!(safe_next(Some("https://evil.example/")), "/customers");
        assert_eq!(safe_next(Some("/\\evil.example")), "/customers");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/customers", "browsers drop the tab");
        assert_eq!(safe_next(Some("/\n/evil.example")), "/customers");
        assert_eq!(safe_next(Some("/x\\..\\\\evil.example")), "/customers");
        assert_eq!(safe_next(None), "/customers");
    }

    #[test]
    fn the_client_is_read_from_forwarding_only_behind_trusted_proxies() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let trusted: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()];
        let hops = [Some(ip("1.1.1.1")), Some(ip("203.0.113.7")), Some(ip("10.0.0.5"))];
        // from a trusted proxy: the rightmost address that is not a proxy of ours
        assert_eq!(client_address(Some(ip("10.0.0.2")), &hops, &trusted), Some(ip("203.0.113.7")));
        // from anyone else: the header is the client's own writing
        assert_eq!(client_address(Some(ip("198.51.100.1")), &hops, &trusted), Some(ip("198.51.100.1")));
        // no proxies configured: the peer, whatever the header says
        assert_eq!(client_address(Some(ip("10.0.0.2")), &hops, &[]), Some(ip("10.0.0.2")));
        // a damaged hop ends the chain at the proxy that passed it
        assert_eq!(client_address(Some(ip("::1")), &[Some(ip("1.1.1.1")), None], &trusted), Some(ip("::1")));
    }

    #[test]
    fn cookies_are_read_from_any_cookie_header() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("a=1; cv_session=abc"));
        assert_eq!(cookie(&headers, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&headers, "b"), None);
    }

    #[test]
    fn origins_are_compared_by_host_and_port() {
        assert_eq!(authority("http://127.0.0.1:3000"), Some("127.0.0.1:3000"));
        assert_eq!(authority("https://shop.example/customers?q=1"), Some("shop.example"));
        assert_eq!(authority("null"), None);
    }
}
