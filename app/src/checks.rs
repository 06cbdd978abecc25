//! Checks on text that several inputs share: one definition each, so a form and the API agree.

/// Something@something, without spaces: the database checks the same shape.
pub fn is_email_address(text: &str) -> bool {
    text.contains('@') && !text.starts_with('@') && !text.ends_with('@') && !text.contains(char::is_whitespace)
}

/// `len` upper-case ASCII letters: ISO 4217 currencies (3), ISO 3166 countries (2).
pub fn is_iso_code(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_and_codes_have_their_shape() {
        assert!(is_email_address("bob@example.com"));
        assert!(!is_email_address("bob@") && !is_email_address("@example.com") && !is_email_address("b ob@x.y"));
        assert!(is_iso_code("EUR", 3) && is_iso_code("US", 2));
        assert!(!is_iso_code("eur", 3) && !is_iso_code("EURO", 3) && !is_iso_code("Germany", 2));
    }
}
