//! The JSON checker of API v1: reads the fields of one object, collecting every problem with its JSON
//! path, so that one answer names every bad field, not just the first one serde trips over.

use crate::checks::{MAX_YEAR, MIN_YEAR, MONEY_LIMIT, MONEY_LIMIT_TEXT, has_nul};
use crate::error::FieldError;
use chrono::{DateTime, Datelike, Utc};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

/// Reads fields of one JSON object, collecting every problem with its path.
pub struct Reader<'a> {
    object: Option<&'a Map<String, Value>>,
    path: String,
    errors: &'a mut Vec<FieldError>,
}

impl<'a> Reader<'a> {
    /// `value` must be an object; `path` is its JSON path (`$` for the whole body).
    pub fn new(value: &'a Value, path: &str, errors: &'a mut Vec<FieldError>) -> Self {
        let object = value.as_object();
        if object.is_none() {
            errors.push(FieldError { path: path.to_string(), message: "expected a JSON object".into() });
        }
        Reader { object, path: path.to_string(), errors }
    }

    fn at(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }

    /// The JSON path of the object read.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Adds problems found by a reader of a nested object.
    pub fn extend(&mut self, errors: Vec<FieldError>) {
        self.errors.extend(errors);
    }

    pub fn fail(&mut self, key: &str, message: impl Into<String>) {
        let path = self.at(key);
        self.errors.push(FieldError { path, message: message.into() });
    }

    pub fn raw(&self, key: &str) -> Option<&'a Value> {
        self.object.and_then(|o| o.get(key)).filter(|v| !v.is_null())
    }

    /// A string of 1 to `max` characters, trimmed; `None` when absent or null.
    pub fn text(&mut self, key: &str, max: usize) -> Option<String> {
        match self.raw(key) {
            None => None,
            Some(Value::String(s)) if has_nul(s) => {
                self.fail(key, "must not contain NUL characters");
                None
            }
            Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= max => Some(s.trim().to_string()),
            Some(Value::String(s)) if s.trim().is_empty() => {
                self.fail(key, "must not be empty");
                None
            }
            Some(Value::String(_)) => {
                self.fail(key, format!("is longer than {max} characters"));
                None
            }
            Some(_) => {
                self.fail(key, "expected a string");
                None
            }
        }
    }

    /// A part of an address as shops send them: a text as `text` reads one, but blank is as absent.
    pub fn address_part(&mut self, key: &str, max: usize) -> Option<String> {
        match self.raw(key)? {
            Value::String(s) if s.trim().is_empty() => None,
            _ => self.text(key, max),
        }
    }

    pub fn required_text(&mut self, key: &str, max: usize) -> Option<String> {
        if self.raw(key).is_none() && self.object.is_some() {
            self.fail(key, "is required");
            return None;
        }
        self.text(key, max)
    }

    /// A channel's key, as the database accepts one; `required`: an absent key is refused.
    pub fn channel_key(&mut self, key: &str, required: bool) -> Option<String> {
        let channel = if required { self.required_text(key, 64)? } else { self.text(key, 64)? };
        if crate::channels::is_channel_key(&channel) {
            Some(channel)
        } else {
            self.fail(key, crate::channels::CHANNEL_KEY_HINT);
            None
        }
    }

    pub fn one_of(&mut self, key: &str, allowed: &[&str], required: bool) -> Option<String> {
        let value = if required { self.required_text(key, 40)? } else { self.text(key, 40)? };
        if allowed.contains(&value.as_str()) {
            Some(value)
        } else {
            self.fail(key, format!("unknown value {value:?}; expected one of {}", allowed.join(", ")));
            None
        }
    }

    pub fn boolean(&mut self, key: &str, default: bool) -> bool {
        match self.raw(key) {
            None => default,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                self.fail(key, "expected true or false");
                default
            }
        }
    }

    pub fn time(&mut self, key: &str) -> Option<DateTime<Utc>> {
        let text = self.required_text(key, 64)?;
        match DateTime::parse_from_rfc3339(&text) {
            Ok(t) if (MIN_YEAR..=MAX_YEAR).contains(&t.with_timezone(&Utc).year()) => Some(t.with_timezone(&Utc)),
            Ok(_) => {
                self.fail(key, format!("use a time between the years {MIN_YEAR} and {MAX_YEAR}"));
                None
            }
            Err(_) => {
                self.fail(key, format!("{text:?} is not an RFC 3339 time such as 2024-05-01T10:00:00Z"));
                None
            }
        }
    }

    /// `time`, where the key may be left out or null.
    pub fn optional_time(&mut self, key: &str) -> Option<DateTime<Utc>> {
        match self.raw(key) {
            None | Some(Value::Null) => None,
            Some(_) => self.time(key),
        }
    }

    /// An amount as a decimal string ("199.90"): JSON numbers are refused because they may already
    /// have lost precision on the way.
    pub fn decimal(&mut self, key: &str, max_scale: u32) -> Option<Decimal> {
        match self.raw(key) {
            None => None,
            Some(Value::String(s)) => match s.trim().parse::<Decimal>() {
                Ok(d) if d.scale() <= max_scale => Some(d),
                Ok(_) => {
                    self.fail(key, format!("use at most {max_scale} decimal places"));
                    None
                }
                Err(_) => {
                    self.fail(key, format!("{s:?} is not a decimal number such as \"199.90\""));
                    None
                }
            },
            Some(Value::Number(_)) => {
                self.fail(key, "give amounts as decimal strings, e.g. \"199.90\", so no precision is lost");
                None
            }
            Some(_) => {
                self.fail(key, "expected a decimal string such as \"199.90\"");
                None
            }
        }
    }

    pub fn amount(&mut self, key: &str, default: Option<Decimal>) -> Option<Decimal> {
        let value = match self.decimal(key, 4) {
            Some(v) => v,
            None if self.raw(key).is_none() => match default {
                Some(d) => return Some(d),
                None => {
                    if self.object.is_some() {
                        self.fail(key, "is required");
                    }
                    return None;
                }
            },
            None => return None,
        };
        if value.is_sign_negative() && !value.is_zero() {
            self.fail(key, "must not be negative");
            return None;
        }
        if value >= MONEY_LIMIT {
            self.fail(key, MONEY_LIMIT_TEXT);
            return None;
        }
        Some(value)
    }
}
