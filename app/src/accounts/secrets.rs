//! Passwords (Argon2id) and API keys (random, stored as SHA-256).

use crate::error::AppError;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub const MIN_PASSWORD_LEN: usize = 10;
/// Longer passwords are refused before any hashing: a hash's cost must not depend on what is sent.
pub const MAX_PASSWORD_LEN: usize = 1024;

/// Argon2id with the library's current recommended parameters.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_LEN {
        return Err(AppError::invalid("password", format!("use at least {MIN_PASSWORD_LEN} characters")));
    }
    if length > MAX_PASSWORD_LEN {
        return Err(AppError::invalid("password", format!("use at most {MAX_PASSWORD_LEN} characters")));
    }
    Ok(password_auth::generate_hash(password))
}

/// Each Argon2id hash takes ~19 MiB and tens of milliseconds of a core: at most this many run at once,
/// so a flood of sign-ins queues instead of exhausting memory and CPU.
#[cfg(feature = "ssr")]
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);
/// How long a sign-in waits for its turn to hash before it is told to try again (503).
#[cfg(feature = "ssr")]
const HASHING_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Runs `work` (a hash or a verification) on the blocking pool once one of the `HASHING` permits is free.
#[cfg(feature = "ssr")]
async fn hashing<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    let permit = tokio::time::timeout(HASHING_WAIT, HASHING.acquire())
        .await
        .map_err(|_| AppError::Unavailable)?
        .map_err(AppError::internal)?;
    let done = tokio::task::spawn_blocking(work).await.map_err(AppError::internal);
    drop(permit);
    done
}

/// `hash_password` off the async threads, within the `HASHING` bound.
#[cfg(feature = "ssr")]
pub async fn hash_password_limited(password: String) -> Result<String, AppError> {
    hashing(move || hash_password(&password)).await?
}

/// `verify_password` off the async threads, within the `HASHING` bound.
#[cfg(feature = "ssr")]
pub async fn verify_password_limited(password: String, hash: String) -> Result<bool, AppError> {
    if password.chars().count() > MAX_PASSWORD_LEN {
        return Ok(false);
    }
    hashing(move || verify_password(&password, &hash)).await
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    password_auth::verify_password(password, hash).is_ok()
}

/// A new API key as shown once to its creator, and what is stored of it.
pub struct NewApiKey {
    pub key: String,
    pub prefix: String,
    pub hash: Vec<u8>,
}

pub fn new_api_key() -> NewApiKey {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let key = format!("cv_{}", hex::encode(bytes));
    NewApiKey { prefix: key[..10].to_string(), hash: sha256(&key), key }
}

pub fn sha256(text: &str) -> Vec<u8> {
    Sha256::digest(text.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
    }

    #[test]
    fn short_passwords_are_refused_with_the_field_named() {
        let err = hash_password("short").unwrap_err();
        assert!(matches!(err, AppError::Invalid(ref fields) if fields[0].path == "password"));
    }

    #[test]
    fn api_keys_are_random_and_stored_hashed() {
        let a = new_api_key();
        let b = new_api_key();
        assert_ne!(a.key, b.key);
        assert!(a.key.starts_with("cv_") && a.key.len() == 67);
        assert_eq!(a.hash, sha256(&a.key));
        assert!(a.key.starts_with(&a.prefix));
    }
}
