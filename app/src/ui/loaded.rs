//! One way to show what a resource loads: a status line while it loads, the error as an alert, a line
//! when there is nothing to show, else the view of the value. Every page and panel that loads builds on
//! it, so that loading, failing and being empty look and read the same everywhere.

use crate::error::AppError;
use leptos::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// When a loaded value counts as nothing, and what to say then ("No notes yet.").
pub struct Empty<T> {
    pub is_empty: fn(&T) -> bool,
    pub text: &'static str,
}

impl<T> Empty<T> {
    pub fn when(is_empty: fn(&T) -> bool, text: &'static str) -> Self {
        Empty { is_empty, text }
    }
}

/// `show`s the resource's value once loaded. `loading`: the status line meanwhile (none: nothing);
/// `keep`: while it loads again, keep what was shown (a `Transition`) rather than the status line (a
/// `Suspense`); `empty`: when there is nothing, and what to say then; `not_found`: what a page shows
/// for a record that does not exist (else it is an error like any other); `heading`: the page's
/// heading above an error, for pages whose heading comes with what they load.
#[component]
pub fn Loaded<T, F, V>(
    resource: Resource<Result<T, AppError>>,
    #[prop(optional, into)] loading: Option<String>,
    #[prop(optional)] keep: bool,
    #[prop(optional)] empty: Option<Empty<T>>,
    #[prop(optional, into)] not_found: Option<ViewFn>,
    #[prop(optional, into)] heading: Option<String>,
    show: F,
) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let empty = empty.map(|e| (e.is_empty, e.text));
    let fallback = move || loading.map(|text| view! { <p role="status">{text}</p> });
    let body = move || {
        let (show, not_found, heading) = (show.clone(), not_found.clone(), heading.clone());
        Suspend::new(async move {
            match resource.await {
                Ok(value) => match empty {
                    Some((is_empty, text)) if is_empty(&value) => view! { <p>{text}</p> }.into_any(),
                    _ => show(value).into_any(),
                },
                Err(AppError::NotFound) if not_found.is_some() => not_found.as_ref().map(ViewFn::run).into_any(),
                Err(error) => view! {
                    {heading.clone().map(|heading| view! { <h1>{heading}</h1> })}
                    <p role="alert" class="error">{error.to_string()}</p>
                }
                .into_any(),
            }
        })
    };
    if keep {
        view! { <Transition fallback>{body}</Transition> }.into_any()
    } else {
        view! { <Suspense fallback>{body}</Suspense> }.into_any()
    }
}
