//! Building URLs from user text.

/// Percent-encodes `text` for use inside one query value or path segment.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// A `mailto:` link to `email` (RFC 6068): the address percent-encoded around its `@`, so that a stored
/// address with `?`, `&` or `%` in it can add no subject, body or second recipient.
pub fn mailto(email: &str) -> String {
    let (local, domain) = email.rsplit_once('@').unwrap_or((email, ""));
    if domain.is_empty() {
        format!("mailto:{}", encode(local))
    } else {
        format!("mailto:{}@{}", encode(local), encode(domain))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn mailto_links_carry_the_address_alone() {
        use super::mailto;
        assert_eq!(mailto("bob@example.com"), "mailto:bob@example.com");
        assert_eq!(mailto("bob+shop@example.com"), "mailto:bob%2Bshop@example.com");
        assert_eq!(
            mailto("a?cc=eve@evil.example&body=x@example.com"),
            "mailto:a%3Fcc%3Deve%40evil.example%26body%3Dx@example.com"
        );
    }

    #[test]
    fn reserved_and_non_ascii_characters_are_encoded() {
        assert_eq!(super::encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
        assert_eq!(super::encode("bob.smith-1_~"), "bob.smith-1_~");
    }
}
