//! Percent-encoding (`%XX`, upper-case hex, each UTF-8 byte of a character), for the two places
//! a string goes onto the wire: the chat id's path segment and the upload's filename.

use std::fmt::Write;

/// `s` with every character for which `keep` is false percent-encoded.
pub(crate) fn encode(s: &str, keep: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if keep(c) {
            out.push(c);
        } else {
            for b in c.encode_utf8(&mut [0; 4]).bytes() {
                let _ = write!(out, "%{b:02X}"); // writing to a String cannot fail
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes_what_keep_refuses_byte_by_byte() {
        let ascii_letters = |c: char| c.is_ascii_alphabetic();
        assert_eq!(super::encode("ab1 é\n", ascii_letters), "ab%31%20%C3%A9%0A");
        assert_eq!(super::encode("", ascii_letters), "");
        assert_eq!(super::encode("é😀", |c| !c.is_ascii()), "é😀");
    }
}
