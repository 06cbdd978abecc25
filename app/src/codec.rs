//! How server functions' answers travel: JSON, read in the browser from text. Leptos reads the data a
//! page is rendered with (its resources) from text too, while its own JSON encoding reads answers from
//! bytes — two copies of the code that reads every type, a fifth of the browser bundle (SPEC §8 wants
//! it under 400 KB compressed). Every server function names this encoding (`output = crate::codec::TextJson`).

use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// JSON written as bytes and read as text.
pub struct TextJsonEncoding;

/// The answer of a server function as JSON read from text (the arguments stay a form, or as named).
pub type TextJson = Post<TextJsonEncoding>;

impl ContentType for TextJsonEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for TextJsonEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for TextJsonEncoding {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for TextJsonEncoding {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(serde::de::Error::custom)?;
        serde_json::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

    #[test]
    fn answers_and_errors_read_back_as_written() {
        let answer: Result<Vec<String>, AppError> = Ok(vec!["Zoë".into(), "Ann \"Nan\" Lee".into()]);
        let bytes = TextJsonEncoding::encode(&answer).unwrap();
        let read: Result<Vec<String>, AppError> = TextJsonEncoding::decode(bytes).unwrap();
        assert_eq!(read, answer);
        let refused = AppError::Forbidden;
        let read: AppError = TextJsonEncoding::decode(TextJsonEncoding::encode(&refused).unwrap()).unwrap();
        assert_eq!(read, refused);
    }

    #[test]
    fn a_body_that_is_not_text_is_an_error_not_a_panic() {
        let error = <TextJsonEncoding as Decodes<Vec<String>>>::decode(Bytes::from_static(b"[\"\xff\"]")).unwrap_err();
        assert!(error.to_string().contains("utf-8"), "{error}");
    }

    /// Every `#[server]` attribute of the app's sources with its function: (file, attribute line, the
    /// function's text up to its closing brace).
    fn server_functions() -> Vec<(String, String, String)> {
        fn sources(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    sources(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    found.push(path);
                }
            }
        }
        let mut files = Vec::new();
        sources(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
        let mut found = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let mut rest = text.as_str();
            while let Some(at) = rest.find("\n#[server") {
                let function = &rest[at + 1..];
                let attribute = function.lines().next().unwrap_or_default().to_string();
                let end = function.find("\n}\n").map_or(function.len(), |end| end + 3);
                found.push((file.display().to_string(), attribute, function[..end].to_string()));
                rest = &function[end..];
            }
        }
        assert!(found.len() > 20, "the server functions were not found ({})", found.len());
        found
    }

    /// Leptos has no project-wide default encoding: a server function that does not name `TextJson`
    /// brings the byte-reading JSON reader back into the browser bundle for its own types.
    #[test]
    fn every_server_function_answers_in_text_json() {
        let missing: Vec<_> = server_functions()
            .into_iter()
            .filter(|(_, attribute, _)| !attribute.contains("output = crate::codec::TextJson"))
            .map(|(file, attribute, _)| format!("{file}: {attribute}"))
            .collect();
        assert!(missing.is_empty(), "server functions without `output = crate::codec::TextJson`: {missing:#?}");
    }

    /// A server function that checks the caller by hand can forget the role, or the status of a refusal
    /// (the list's two answered a stale page link with 500). `current_caller` alone needs no role: being
    /// signed out is its answer.
    #[test]
    fn every_server_function_runs_inside_guard() {
        let missing: Vec<_> = server_functions()
            .into_iter()
            .filter(|(_, _, function)| {
                let compact: String = function.chars().filter(|c| !c.is_whitespace()).collect();
                !["crate::auth::guard(Role::", "crate::guard_write!(Role::", "pubasyncfncurrent_caller("]
                    .iter()
                    .any(|start| compact.contains(start))
            })
            .map(|(file, attribute, _)| format!("{file}: {attribute}"))
            .collect();
        assert!(missing.is_empty(), "server functions outside `auth::guard` or `guard_write!`: {missing:#?}");
    }
}
