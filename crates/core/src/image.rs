//! Images: which formats the API takes (decided from the bytes, never the file name), the
//! 10 MiB limit, and the one-part multipart body that carries the image.

use std::fmt;
use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind};

/// The largest image we send: the reference page's "10 MB", read as 10 MiB so that we never
/// refuse a file the server would take.
pub const MAX_IMAGE_BYTES: u64 = 10 * 1024 * 1024;

/// How many leading bytes [`ImageFormat::sniff`] looks at: an ISO-BMFF `ftyp` box's brands
/// count up to here, whether the image comes from memory or from a file (of which only this
/// much is read), and the emulator's sniffer looks exactly as far.
pub const SNIFF_LEN: usize = 4096;

/// An image format the API accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ImageFormat {
    Jpeg,
    Png,
    Gif,
    Webp,
    Heic,
    Heif,
}

impl ImageFormat {
    /// The part's `Content-Type`.
    pub fn mime_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Gif => "image/gif",
            Self::Webp => "image/webp",
            Self::Heic => "image/heic",
            Self::Heif => "image/heif",
        }
    }

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Gif => "gif",
            Self::Webp => "webp",
            Self::Heic => "heic",
            Self::Heif => "heif",
        }
    }

    /// Recognises a supported format from the first bytes of a file (magic numbers).
    /// AVIF, although it shares HEIF's container, is not supported and gives `None`.
    pub fn sniff(head: &[u8]) -> Option<ImageFormat> {
        match head {
            [0xFF, 0xD8, 0xFF, ..] => Some(Self::Jpeg),
            [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some(Self::Png),
            [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some(Self::Gif),
            [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some(Self::Webp),
            [_, _, _, _, b'f', b't', b'y', b'p', ..] => sniff_iso_bmff(head),
            _ => None,
        }
    }
}

impl fmt::Display for ImageFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.mime_type())
    }
}

/// HEIC/HEIF from the `ftyp` box: major brand at 8..12, compatible brands from 16 to the box end.
fn sniff_iso_bmff(head: &[u8]) -> Option<ImageFormat> {
    const HEIC_BRANDS: [&[u8; 4]; 8] = [
        b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs",
    ];
    const HEIF_BRANDS: [&[u8; 4]; 3] = [b"mif1", b"msf1", b"heif"];
    const AVIF_BRANDS: [&[u8; 4]; 2] = [b"avif", b"avis"];

    let box_len = match u32::from_be_bytes(head.get(0..4)?.try_into().ok()?) as usize {
        0 => head.len(), // ISO-BMFF: a size of 0 means "to the end of the file"
        n if n < 16 => return None,
        n => n,
    };
    let end = box_len.min(head.len()).min(SNIFF_LEN);
    let major = head.get(8..12)?;
    let compatible = head.get(16..end).unwrap_or_default().chunks_exact(4);
    let brands: Vec<&[u8]> = std::iter::once(major).chain(compatible).collect();
    let has = |set: &[&[u8; 4]]| brands.iter().any(|b| set.iter().any(|s| &s[..] == *b));

    if has(&HEIC_BRANDS) {
        Some(ImageFormat::Heic)
    } else if has(&AVIF_BRANDS) {
        None
    } else if has(&HEIF_BRANDS) {
        Some(ImageFormat::Heif)
    } else {
        None
    }
}

/// Where the image comes from. A file is streamed from disk and re-opened for each attempt;
/// bytes are borrowed for the duration of the call.
#[derive(Clone, Copy, Debug)]
pub enum Image<'a> {
    Path(&'a Path),
    Bytes(&'a [u8]),
}

/// An [`Image`] that owns its source, for a call that runs on another thread than the one that
/// has the image: a path, or the bytes in whatever owns them (`Vec<u8>` by default; a binding
/// may keep a host language's immutable buffer instead of copying it).
#[derive(Clone, Debug)]
pub enum OwnedImage<B = Vec<u8>> {
    Path(PathBuf),
    Bytes(B),
}

impl<B: AsRef<[u8]>> OwnedImage<B> {
    /// The image, borrowed from this for a call.
    pub fn as_image(&self) -> Image<'_> {
        match self {
            OwnedImage::Path(path) => Image::Path(path),
            OwnedImage::Bytes(bytes) => Image::Bytes(bytes.as_ref()),
        }
    }
}

impl From<Image<'_>> for OwnedImage {
    /// Copies the path or the bytes.
    fn from(image: Image<'_>) -> OwnedImage {
        match image {
            Image::Path(path) => OwnedImage::Path(path.to_owned()),
            Image::Bytes(bytes) => OwnedImage::Bytes(bytes.to_vec()),
        }
    }
}

/// An image that passed validation: its format, size and the part's filename.
#[derive(Debug)]
pub(crate) struct CheckedImage<'a> {
    pub(crate) source: Image<'a>,
    pub(crate) format: ImageFormat,
    pub(crate) len: u64,
    pub(crate) filename: String,
}

impl<'a> CheckedImage<'a> {
    /// Validates without sending anything: readable, not empty, at most 10 MiB, a supported format.
    pub(crate) fn check(source: Image<'a>) -> Result<Self, Error> {
        match source {
            Image::Bytes(bytes) => {
                let format = check_content(bytes, bytes.len() as u64, None)?;
                let filename = format!("background.{}", format.extension());
                Ok(Self {
                    source,
                    format,
                    len: bytes.len() as u64,
                    filename,
                })
            }
            Image::Path(path) => {
                let (mut file, len) = open_regular_file(path)?;
                let mut head = Vec::with_capacity(SNIFF_LEN);
                (&mut file)
                    .take(SNIFF_LEN as u64)
                    .read_to_end(&mut head)
                    .map_err(|e| Error::io(path, "could not read", e))?;
                let format = check_content(&head, len, Some(path))?;
                let filename = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| format!("background.{}", format.extension()));
                Ok(Self {
                    source,
                    format,
                    len,
                    filename,
                })
            }
        }
    }

    /// The error for a failure to read the image while it was being sent (only a file can fail
    /// so; bytes in memory are read without error).
    pub(crate) fn read_failed(&self, e: io::Error) -> Error {
        match self.source {
            Image::Path(path) => Error::io(path, "could not read", e),
            Image::Bytes(_) => Error::new(ErrorKind::Io, format!("could not read the image: {e}")),
        }
    }

    /// A fresh multipart body for one attempt: `(content type, content length, reader)`.
    /// The file is opened anew, so a retried upload sends the same bytes from the start.
    pub(crate) fn multipart_body(
        &self,
        boundary: &str,
    ) -> Result<(String, u64, Box<dyn Read + Send + 'a>), Error> {
        let head = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"background\"; \
             filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
            escape_quoted(&self.filename),
            self.format.mime_type()
        );
        let tail = format!("\r\n--{boundary}--\r\n");
        let total = head.len() as u64 + self.len + tail.len() as u64;
        let content: Box<dyn Read + Send + 'a> = match self.source {
            Image::Bytes(bytes) => Box::new(bytes),
            Image::Path(path) => {
                let (file, len) = open_regular_file(path)?;
                if len != self.len {
                    return Err(Error::io(
                        path,
                        "the file changed size during the upload",
                        io::Error::other(format!("{} bytes, then {len}", self.len)),
                    ));
                }
                Box::new(ExactLen {
                    inner: file,
                    left: len,
                    path: path.to_path_buf(),
                })
            }
        };
        let body = Cursor::new(head).chain(content).chain(Cursor::new(tail));
        Ok((
            format!("multipart/form-data; boundary={boundary}"),
            total,
            Box::new(body),
        ))
    }
}

fn open_regular_file(path: &Path) -> Result<(File, u64), Error> {
    let file = File::open(path).map_err(|e| Error::io(path, "could not open", e))?;
    let meta = file
        .metadata()
        .map_err(|e| Error::io(path, "could not inspect", e))?;
    if !meta.is_file() {
        return Err(Error::new(
            ErrorKind::InvalidImage,
            format!(
                "{} is not a regular file; pass the path of an image file",
                path.display()
            ),
        )
        .with_path(path));
    }
    Ok((file, meta.len()))
}

pub(crate) fn check_content(head: &[u8], len: u64, path: Option<&Path>) -> Result<ImageFormat, Error> {
    let what = match path {
        Some(p) => format!("image {}", p.display()),
        None => "image".to_owned(),
    };
    let invalid = |message: String| {
        let err = Error::new(ErrorKind::InvalidImage, message);
        match path {
            Some(p) => err.with_path(p),
            None => err,
        }
    };
    if len == 0 {
        return Err(invalid(format!("{what} is empty")));
    }
    if len > MAX_IMAGE_BYTES {
        return Err(invalid(format!(
            "{what} is {len} bytes, over the API's 10 MiB ({MAX_IMAGE_BYTES} bytes) limit; \
             scale it down or re-encode it"
        )));
    }
    ImageFormat::sniff(head).ok_or_else(|| {
        invalid(format!(
            "{what} is not a supported image (JPEG, PNG, GIF, WebP, HEIC or HEIF, judged by its \
             content, not its name); convert it to one of those"
        ))
    })
}

/// Quotes a filename for `Content-Disposition` as browsers do (`"`, CR and LF percent-encoded),
/// and percent-encodes `\` and every other ASCII control character too (found by
/// fuzz/multipart): a file name may hold them, a header value with a control character is
/// refused by strict multipart parsers, and a backslash is an escape to some and not to others.
fn escape_quoted(name: &str) -> String {
    crate::percent::encode(name, |c| !(c == '"' || c == '\\' || c.is_ascii_control()))
}

/// Reads exactly `left` bytes, failing if the file ends early: a short body would leave the
/// server waiting for bytes the Content-Length promised.
struct ExactLen {
    inner: File,
    left: u64,
    path: PathBuf,
}

impl Read for ExactLen {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Ok(0);
        }
        let want = buf.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("{} was truncated during the upload", self.path.display()),
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// A fresh, unguessable multipart boundary (128 random bits).
pub(crate) fn new_boundary() -> String {
    let r = crate::random::random_u64;
    format!("blooio-{:016x}{:016x}", r(), r())
}

#[cfg(test)]
mod tests {
    use super::*;

    use blooio_emulator::sniff_cases::{self, ftyp};

    #[test]
    fn answers_every_case_shared_with_the_emulator() {
        sniff_cases::check(|bytes| ImageFormat::sniff(bytes).map(ImageFormat::mime_type));
    }

    #[test]
    fn a_file_and_its_bytes_are_judged_alike_up_to_the_sniff_length() {
        // Found by fuzz/image_sniff: a brand past the 256 bytes a file upload used to read
        // counted for a bytes upload (and for the emulator) but not for the same file.
        let mut far = ftyp(b"isom", &[&[0; 4]; 70]);
        far[..4].copy_from_slice(&0u32.to_be_bytes()); // the box runs to the end
        far.extend_from_slice(b"msf1");
        assert!(far.len() > 256);
        assert_eq!(ImageFormat::sniff(&far), Some(ImageFormat::Heif));
        assert_eq!(
            check_content(&far[..SNIFF_LEN.min(far.len())], far.len() as u64, None).unwrap(),
            ImageFormat::Heif
        );
        // Past SNIFF_LEN, a brand counts for neither.
        let mut beyond = ftyp(b"isom", &[]);
        beyond[..4].copy_from_slice(&0u32.to_be_bytes());
        beyond.resize(SNIFF_LEN, 0);
        beyond.extend_from_slice(b"heic");
        assert_eq!(ImageFormat::sniff(&beyond), None);
    }

    #[test]
    fn checks_size_before_format() {
        let empty = CheckedImage::check(Image::Bytes(b"")).unwrap_err();
        assert_eq!(empty.kind(), ErrorKind::InvalidImage);
        assert!(empty.to_string().contains("empty"));

        let mut big = vec![0u8; MAX_IMAGE_BYTES as usize + 1];
        big[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
        let err = CheckedImage::check(Image::Bytes(&big)).unwrap_err();
        assert!(err.to_string().contains("10 MiB"), "{err}");

        big.pop();
        let ok = CheckedImage::check(Image::Bytes(&big)).unwrap();
        assert_eq!((ok.format, ok.len), (ImageFormat::Jpeg, MAX_IMAGE_BYTES));
    }

    #[test]
    fn multipart_body_has_one_named_file_part_and_exact_length() {
        let png = b"\x89PNG\r\n\x1a\nrest-of-image";
        let img = CheckedImage::check(Image::Bytes(png)).unwrap();
        let (ctype, len, mut reader) = img.multipart_body("XyZ").unwrap();
        let mut body = Vec::new();
        reader.read_to_end(&mut body).unwrap();
        assert_eq!(ctype, "multipart/form-data; boundary=XyZ");
        assert_eq!(body.len() as u64, len);
        let expected_head = "--XyZ\r\nContent-Disposition: form-data; name=\"background\"; \
                             filename=\"background.png\"\r\nContent-Type: image/png\r\n\r\n";
        assert!(body.starts_with(expected_head.as_bytes()));
        assert!(body.ends_with(b"rest-of-image\r\n--XyZ--\r\n"));
    }

    /// Python's `email` package, an independent MIME parser: the parts of a multipart body
    /// (given as the request's `Content-Type` line, a blank line and the body on stdin) as JSON.
    const PYTHON_PARTS: &str = r#"
import email.parser, email.policy, json, sys
msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(sys.stdin.buffer.read())
assert msg.is_multipart() and not msg.defects, msg.defects
def text(s):
    return None if s is None else s.encode("utf-8", "surrogateescape").decode("utf-8")
parts = [{
    "disposition": p.get_content_disposition(),
    "name": text(p.get_param("name", header="content-disposition")),
    "filename": text(p.get_filename()),
    "type": p.get_content_type(),
    "hex": p.get_payload(decode=True).hex(),
    "defects": len(p.defects),
} for p in msg.iter_parts()]
print(json.dumps(parts))
"#;

    #[test]
    fn multipart_body_parses_back_with_pythons_email_parser() {
        use std::io::Write;
        use std::process::{Command, Stdio};

        let boundary = "blooio-0123456789abcdef0123456789abcdef";
        let jpeg: &[u8] = b"\xFF\xD8\xFF\xE0\r\n--blooio-0123\r\n\r\n--\r\n\x00\xFF";
        let cases: [(&[u8], Option<&str>); 5] = [
            (b"\x89PNG\r\n\x1a\nrest-of-image", None),
            (jpeg, Some("beach.jpg")),
            (b"GIF89a\r\n", Some("my \"best\" pic\\1\r\n\x03.gif")),
            (b"RIFF\0\0\0\0WEBPVP8 ", Some("café ☃ 100%.webp")),
            (&ftyp(b"heic", &[b"mif1"]), Some("a; name=x.heic")),
        ];
        for (image, filename) in cases {
            let mut checked = CheckedImage::check(Image::Bytes(image)).unwrap();
            if let Some(name) = filename {
                checked.filename = name.to_owned();
            }
            let (content_type, len, mut reader) = checked.multipart_body(boundary).unwrap();
            let mut input = format!("Content-Type: {content_type}\r\n\r\n").into_bytes();
            let head = input.len();
            reader.read_to_end(&mut input).unwrap();
            assert_eq!((input.len() - head) as u64, len);

            let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
            let mut child = Command::new(&python)
                .args(["-c", PYTHON_PARTS])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap_or_else(|e| panic!("{python} is needed for this test: {e}"));
            child.stdin.take().unwrap().write_all(&input).unwrap();
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "python could not parse the body of {filename:?}"
            );
            let parts: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let hex: String = image.iter().map(|b| format!("{b:02x}")).collect();
            let expected_name = escape_quoted(filename.unwrap_or(&checked.filename));
            assert_eq!(
                parts,
                serde_json::json!([{
                    "disposition": "form-data",
                    "name": "background",
                    "filename": expected_name,
                    "type": checked.format.mime_type(),
                    "hex": hex,
                    "defects": 0,
                }]),
                "{filename:?}"
            );
        }
    }

    #[test]
    fn an_owned_image_lends_what_it_was_made_from() {
        let data = [1u8, 2, 3];
        let owned = OwnedImage::from(Image::Bytes(&data));
        assert!(matches!(owned.as_image(), Image::Bytes(b) if b == data && b.as_ptr() != data.as_ptr()));
        let owned = OwnedImage::from(Image::Path(Path::new("a/b.png")));
        assert!(matches!(owned.as_image(), Image::Path(p) if p == Path::new("a/b.png")));
        let shared: OwnedImage<std::sync::Arc<[u8]>> = OwnedImage::Bytes(data.into());
        assert!(matches!(shared.as_image(), Image::Bytes(b) if b == data));
    }

    #[test]
    fn filename_quotes_are_escaped() {
        for (name, quoted) in [
            ("a\"b\r\n.png", "a%22b%0D%0A.png"),
            // Other control characters would make the part's header unparseable.
            ("\u{FFFD}\n?\n\x03.png", "\u{FFFD}%0A?%0A%03.png"),
            ("tab\there\x7f", "tab%09here%7F"),
            ("café 100%.png", "café 100%.png"),
            // Read as an escape by RFC 9110's quoted-string, literally by browsers' parsers.
            ("a\\\\b\\.png", "a%5C%5Cb%5C.png"),
        ] {
            assert_eq!(escape_quoted(name), quoted);
        }
    }
}
