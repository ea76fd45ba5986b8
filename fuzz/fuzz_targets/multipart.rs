//! Multipart framing: the body an upload sends parses back, with an independent parser (multer,
//! the one behind axum), to exactly one part named `background` carrying the same bytes, the
//! image's type and the file name; its length is the Content-Length the client declares.
#![no_main]

use std::sync::OnceLock;

use blooio_core::{ImageFormat, fuzzing};
use libfuzzer_sys::fuzz_target;

/// The leading bytes of each supported format, so that every input reaches the framing.
const MAGIC: [&[u8]; 6] = [
    b"\xFF\xD8\xFF",
    b"\x89PNG\r\n\x1a\n",
    b"GIF89a",
    b"RIFF\0\0\0\0WEBP",
    b"\0\0\0\x14ftypheic\0\0\0\0mif1",
    b"\0\0\0\x14ftypmif1\0\0\0\0miaf",
];

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Builder::new_current_thread().build().unwrap())
}

/// One part as a server sees it.
struct Part {
    name: Option<String>,
    file_name: Option<String>,
    content_type: Option<String>,
    bytes: Vec<u8>,
}

/// What a server sees, by multer: each part of the body.
fn parse(content_type: &str, body: Vec<u8>) -> Vec<Part> {
    let boundary = multer::parse_boundary(content_type).expect("a boundary in the content type");
    runtime().block_on(async move {
        let stream =
            futures_util::stream::once(async move { Ok::<_, std::io::Error>(bytes::Bytes::from(body)) });
        let mut multipart = multer::Multipart::new(stream, boundary);
        let mut parts = Vec::new();
        while let Some(field) = multipart.next_field().await.expect("a well-formed body") {
            parts.push(Part {
                name: field.name().map(str::to_owned),
                file_name: field.file_name().map(str::to_owned),
                content_type: field.content_type().map(|m| m.to_string()),
                bytes: field.bytes().await.expect("a complete part").to_vec(),
            });
        }
        parts
    })
}

fuzz_target!(|data: &[u8]| {
    let [select, flags, ..] = data else { return };
    if data.len() < 18 {
        return;
    }
    let hi = u64::from_le_bytes(data[2..10].try_into().unwrap());
    let lo = u64::from_le_bytes(data[10..18].try_into().unwrap());
    let rest = &data[18..];
    // A file name (as `Image::Path` takes it from the path: no '/', no NUL) up to a NUL byte.
    let (name, content) = if flags & 1 == 1 {
        let end = rest.iter().position(|b| *b == 0).unwrap_or(rest.len());
        let name = String::from_utf8_lossy(&rest[..end]).replace('/', "_");
        (Some(name), rest.get(end + 1..).unwrap_or_default())
    } else {
        (None, rest)
    };
    let mut image = MAGIC[usize::from(*select) % MAGIC.len()].to_vec();
    image.extend_from_slice(content);
    let format = ImageFormat::sniff(&image).expect("a supported magic");

    let boundary = fuzzing::boundary(hi, lo);
    let drawn = fuzzing::random_boundary();
    assert!(
        drawn.len() == boundary.len() && drawn.starts_with("blooio-"),
        "{drawn:?}"
    );
    // The client draws 128 random bits per upload; an image that holds them is a 2^-128 chance
    // the fuzzer only gets by choosing the bits, so it is not a framing failure.
    if image.windows(boundary.len()).any(|w| w == boundary.as_bytes()) {
        return;
    }
    let (content_type, len, body) = fuzzing::multipart_body(&image, name.as_deref(), &boundary).unwrap();
    assert_eq!(len, body.len() as u64, "declared length");
    assert_eq!(content_type, format!("multipart/form-data; boundary={boundary}"));

    let parts = parse(&content_type, body);
    assert_eq!(parts.len(), 1, "one part");
    let part = &parts[0];
    assert_eq!(part.name.as_deref(), Some("background"));
    assert_eq!(part.content_type.as_deref(), Some(format.mime_type()));
    assert!(part.bytes == image, "the part's bytes differ from the image's");
    let expected = name.unwrap_or_else(|| format!("background.{}", format.extension()));
    // Browsers' escaping, which the client follows ('"', CR and LF percent-encoded), extended
    // to '\' and every ASCII control character.
    let escaped: String = expected
        .chars()
        .map(|c| match c {
            '"' => "%22".to_owned(),
            '\\' => "%5C".to_owned(),
            c if c.is_ascii_control() => format!("%{:02X}", c as u32),
            c => c.to_string(),
        })
        .collect();
    assert_eq!(
        part.file_name.as_deref(),
        Some(escaped.as_str()),
        "file name {expected:?}"
    );
});
