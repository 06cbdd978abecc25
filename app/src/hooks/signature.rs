//! How a delivery proves it comes from the platform: Shopify and WooCommerce sign the raw body
//! (base64 HMAC-SHA256 with the channel's secret); BigCommerce repeats the secret in a header of the hook's
//! own. Both compared in constant time.

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Whether `signature` is the base64 HMAC-SHA256 of `body` with `secret`.
pub fn signed_with(secret: &str, body: &[u8], signature: &str) -> bool {
    let Ok(expected) = base64::engine::general_purpose::STANDARD.decode(signature.trim()) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// The base64 HMAC-SHA256 of `body` with `secret`, as the platforms send it (for tests and stand-ins).
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Whether `given` is `secret`, in time that does not depend on where they differ.
pub fn same_secret(given: &str, secret: &str) -> bool {
    given.as_bytes().ct_eq(secret.as_bytes()).into()
}

/// The secret as WooCommerce signs with it: it passes the secret typed in its admin through
/// `wp_specialchars_decode`, so `&amp;` there signs as `&`.
pub fn woocommerce_secret(secret: &str) -> String {
    secret
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#039;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// HMAC-SHA256 test case 2 of RFC 4231 (key "Jefe"), base64 of its hex digest.
    #[test]
    fn the_signature_is_rfc_4231s_hmac_sha256() {
        let signature = sign("Jefe", b"what do ya want for nothing?");
        let digest = base64::engine::general_purpose::STANDARD.decode(&signature).unwrap();
        assert_eq!(hex::encode(digest), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        assert!(signed_with("Jefe", b"what do ya want for nothing?", &signature));
    }

    #[test]
    fn another_body_another_secret_or_garbage_does_not_verify() {
        let signature = sign("secret", b"{\"id\":1}");
        assert!(!signed_with("secret", b"{\"id\":2}", &signature));
        assert!(!signed_with("secreT", b"{\"id\":1}", &signature));
        assert!(!signed_with("secret", b"{\"id\":1}", "not base64!"));
        assert!(!signed_with("secret", b"{\"id\":1}", ""));
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("s3cret", "s3cret"));
        assert!(!same_secret("s3cre", "s3cret"));
        assert!(!same_secret("", "s3cret"));
    }

    #[test]
    fn woocommerce_decodes_html_entities_in_the_secret() {
        assert_eq!(woocommerce_secret("a&amp;b&lt;c"), "a&b<c");
        assert_eq!(woocommerce_secret("plain"), "plain");
    }
}
