//! Chat identifiers: what we refuse before sending, and how an id becomes one path segment.
//!
//! The API accepts an E.164 phone number, an email, a group id (`grp_…`), a comma-separated
//! list of phones/emails, and opaque ids such as the reference page's `chat_a1b2c3d4`. We only
//! refuse ids that cannot be right; anything we cannot classify is passed through, encoded.

use crate::error::{Error, ErrorKind};

/// Checks `chat_id` and returns it percent-encoded as a single path segment.
pub(crate) fn to_path_segment(chat_id: &str) -> Result<String, Error> {
    validate(chat_id)?;
    Ok(encode_path_segment(chat_id))
}

/// Refuses ids that cannot name a chat; see the module docs for what is accepted.
pub fn validate(chat_id: &str) -> Result<(), Error> {
    let invalid = |why: String| {
        Err(Error::new(
            ErrorKind::InvalidChatId,
            format!("invalid chat id {chat_id:?}: {why}"),
        ))
    };
    if chat_id.trim().is_empty() {
        return invalid("it is empty; pass a phone number (+15551234567), an email or a group id".into());
    }
    if let Some(c) = chat_id.chars().find(|c| c.is_control()) {
        return invalid(format!(
            "it contains the control character {c:?}; remove it (a trailing newline?)"
        ));
    }
    if chat_id == "." || chat_id == ".." {
        return invalid("'.' and '..' would change the request path".into());
    }
    for member in chat_id.split(',') {
        if member.trim().is_empty() {
            return invalid(
                "a comma-separated list has an empty member; separate ids with single commas".into(),
            );
        }
        if member.trim_start().starts_with('+') && !is_e164(member) {
            return invalid(format!(
                "{member:?} starts with '+' but is not an E.164 phone number: \
                 write '+' then 1 to 15 digits, with no spaces or punctuation"
            ));
        }
    }
    Ok(())
}

/// `+` followed by 1 to 15 ASCII digits, nothing else.
fn is_e164(s: &str) -> bool {
    let Some(digits) = s.strip_prefix('+') else {
        return false;
    };
    (1..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Percent-encodes every byte outside RFC 3986's unreserved set (`A-Z a-z 0-9 - . _ ~`).
///
/// Stricter than `encodeURIComponent`: `+`, `@` and `,` are encoded too, because the
/// reference page asks for `%2B` and a server may decode a literal `+` as a space.
pub fn encode_path_segment(s: &str) -> String {
    crate::percent::encode(s, |c| {
        c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_everything_outside_unreserved() {
        for (id, segment) in [
            ("+15551234567", "%2B15551234567"),
            ("a@b.co", "a%40b.co"),
            ("+1555,+1666", "%2B1555%2C%2B1666"),
            ("grp_x-Y.z~", "grp_x-Y.z~"),
            ("a b/c?d#e%", "a%20b%2Fc%3Fd%23e%25"),
            ("é", "%C3%A9"),
        ] {
            assert_eq!(encode_path_segment(id), segment);
        }
    }

    #[test]
    fn accepts_every_documented_form_and_opaque_ids() {
        for id in [
            "+15551234567",
            "+1",
            "+123456789012345",
            "alice@example.com",
            "grp_abc123",
            "+15551234567,+15559876543",
            "+15551234567,bob@example.com",
            "chat_a1b2c3d4",
            "..x",
            "some opaque id",
        ] {
            assert!(validate(id).is_ok(), "{id:?} should be accepted");
        }
    }

    #[test]
    fn refuses_ids_that_cannot_be_right() {
        for (id, needle) in [
            ("", "empty"),
            ("   ", "empty"),
            ("+1555\n", "control"),
            ("a\0b", "control"),
            (".", "path"),
            ("..", "path"),
            ("+1555,,+1666", "empty member"),
            ("+1555,", "empty member"),
            (",", "empty member"),
            ("+", "E.164"),
            ("+1 555 123", "E.164"),
            ("+1234567890123456", "E.164"),
            ("+1-555-1234", "E.164"),
            ("+15551234567, +15559876543", "E.164"),
        ] {
            let err = validate(id).expect_err(id);
            assert_eq!(err.kind(), ErrorKind::InvalidChatId);
            assert!(err.to_string().contains(needle), "{id:?}: {err}");
        }
    }
}
