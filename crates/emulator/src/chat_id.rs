//! Turning the raw `{chatId}` path segment into the normalised chat id.
//!
//! The segment is percent-decoded the way many real servers do it, *including* the
//! form-decoding habit of reading a literal `+` as a space. That is the trap the reference
//! page warns about: a client must send a phone number's leading `+` as `%2B`.

/// Raw path segments the emulator refuses as chat ids, each with a word of the reason it
/// gives: the cases that both the parser's unit test and the HTTP test (through curl) check.
pub const REFUSED_SEGMENTS: [(&str, &str); 13] = [
    ("", "empty"),
    ("%2", "percent"),
    ("%zz", "percent"),
    ("%FF", "UTF-8"),
    ("a%09b", "control"),
    ("a%20b", "%2B"),
    ("%2E%2E", "not a chat id"),
    ("%2B", "E.164"),
    ("%2B1555abc", "E.164"),
    ("%2B1234567890123456", "E.164"),
    ("%2C", "empty member"),
    ("%2B15551234567%2C", "empty member"),
    ("%2B15551234567%2C%2C%2B15559876543", "empty member"),
];

/// Percent-decodes, validates and normalises a raw path segment.
///
/// The error is a human-readable reason, used as the `message` of a 400 `invalid_chat_id`.
pub(crate) fn parse(raw_segment: &str) -> Result<String, String> {
    let decoded = percent_decode(raw_segment)?;
    validate(&decoded)?;
    normalise(&decoded)
}

fn percent_decode(raw: &str) -> Result<String, String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| {
                        "chat id has a malformed percent-escape: '%' must be followed by two hex digits"
                            .to_owned()
                    })?;
                out.push(hex);
                i += 2;
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| "chat id is not valid UTF-8 once percent-decoded".to_owned())
}

fn validate(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("chat id is empty".to_owned());
    }
    if id.contains(' ') {
        return Err("chat id contains a space — was a '+' sent unencoded? encode it as %2B".to_owned());
    }
    if id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("chat id contains whitespace or a control character".to_owned());
    }
    if id == "." || id == ".." {
        return Err(format!("'{id}' is not a chat id"));
    }
    Ok(())
}

fn normalise(id: &str) -> Result<String, String> {
    let members = id
        .split(',')
        .map(|member| {
            if member.is_empty() {
                Err(format!("chat id list '{id}' has an empty member"))
            } else {
                normalise_member(member)
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(members.join(","))
}

fn normalise_member(member: &str) -> Result<String, String> {
    if let Some(digits) = member.strip_prefix('+') {
        let valid = (1..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
        if !valid {
            return Err(format!(
                "'{member}' is not an E.164 phone number: expected '+' followed by 1 to 15 digits"
            ));
        }
        return Ok(member.to_owned());
    }
    if member.contains('@') {
        return Ok(member.to_lowercase());
    }
    Ok(member.to_owned())
}

#[cfg(test)]
mod tests {
    use super::{REFUSED_SEGMENTS, parse};

    #[test]
    fn encoded_plus_is_a_phone_number() {
        assert_eq!(parse("%2B15551234567").unwrap(), "+15551234567");
    }

    #[test]
    fn literal_plus_decodes_as_space_and_is_refused_with_a_hint() {
        let err = parse("+15551234567").unwrap_err();
        assert!(err.contains("%2B"), "{err}");
    }

    #[test]
    fn emails_are_lowercased_and_opaque_ids_kept() {
        assert_eq!(parse("Alice%40Example.COM").unwrap(), "alice@example.com");
        assert_eq!(parse("Bob@Example.com").unwrap(), "bob@example.com");
        assert_eq!(parse("chat_a1b2c3d4").unwrap(), "chat_a1b2c3d4");
        assert_eq!(parse("grp_XyZ").unwrap(), "grp_XyZ");
    }

    #[test]
    fn lists_are_normalised_member_by_member() {
        assert_eq!(
            parse("%2B15551234567%2CCarol%40X.org,%2B15559876543").unwrap(),
            "+15551234567,carol@x.org,+15559876543"
        );
    }

    #[test]
    fn the_longest_phone_number_is_taken() {
        // One digit more (16) is among the refused segments.
        assert_eq!(parse("%2B123456789012345").unwrap(), "+123456789012345");
    }

    #[test]
    fn malformed_unprintable_or_bad_ids_are_refused_saying_why() {
        for (segment, says) in REFUSED_SEGMENTS {
            let err = parse(segment).unwrap_err();
            assert!(err.contains(says), "{segment:?}: {err}");
        }
    }
}
