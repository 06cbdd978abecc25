//! What a failed action says, next to the form that failed.

use crate::error::AppError;
use leptos::prelude::*;

/// What a failed action says, next to the form that failed.
#[component]
pub fn ActionError(error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|error| {
            let lines = match &error {
                AppError::Invalid(fields) => fields.iter().map(|f| f.message.clone()).collect(),
                other => vec![other.to_string()],
            };
            view! {
                <div role="alert" class="error">
                    {lines.into_iter().map(|line| view! { <p>{line}</p> }).collect_view()}
                </div>
            }
        })
    }
}

/// The error of an action's last run, if it failed.
pub fn error_of<T: 'static>(
    value: impl Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
) -> Signal<Option<AppError>> {
    Signal::derive(move || value.get().and_then(Result::err))
}
