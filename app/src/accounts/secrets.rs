//! Passwords (Argon2id) and API keys (random, stored as SHA-256).

use crate::error::AppError;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub const MIN_PASSWORD_LEN: usize = 10;

/// Argon2id with the library's current recommended parameters.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(AppError::invalid("password", format!("use at least {MIN_PASSWORD_LEN} characters")));
    }
    Ok(password_auth::generate_hash(password))
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
