//! Deciding an upload's image type from its magic numbers.

/// ISO-BMFF brands that mean HEVC-coded HEIF, i.e. HEIC.
const HEIC_BRANDS: [&[u8; 4]; 8] = [
    b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs",
];
/// Generic HEIF brands.
const HEIF_BRANDS: [&[u8; 4]; 3] = [b"mif1", b"msf1", b"heif"];
/// AV1-coded HEIF: refused unless a HEIC brand is present too.
const AVIF_BRANDS: [&[u8; 4]; 2] = [b"avif", b"avis"];
/// How far into an `ftyp` box we look for compatible brands.
const MAX_FTYP_LEN: usize = 4096;

/// The MIME type of the supported image format the bytes' magic numbers say, or `None` if it
/// is not one. The type is all the emulator keeps of the format: the media URL's extension is
/// derived from it ([`extension`]).
pub(crate) fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        sniff_heif(bytes)
    }
}

/// The file extension of a MIME type [`sniff`] answers: its subtype, but `jpg` for JPEG.
pub(crate) fn extension(mime: &str) -> &str {
    match mime {
        "image/jpeg" => "jpg",
        other => other.strip_prefix("image/").unwrap_or(other),
    }
}

/// HEIC/HEIF: an ISO-BMFF `ftyp` box whose major brand or one of whose compatible brands
/// is a HEIF brand. AVIF (an `avif` brand and no HEIC brand) is not supported.
fn sniff_heif(bytes: &[u8]) -> Option<&'static str> {
    if bytes.len() < 12 || &bytes[4..8] != b"ftyp" {
        return None;
    }
    let declared = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
    // A box shorter than an `ftyp` header (size, type, major brand, minor version) is not one;
    // 1 would announce a 64-bit size, which no image's `ftyp` box needs.
    if (1..16).contains(&declared) {
        return None;
    }
    // A size of 0 means "to the end of the file".
    let box_end = if declared == 0 { bytes.len() } else { declared };
    let box_end = box_end.min(bytes.len()).min(MAX_FTYP_LEN);
    let major = &bytes[8..12];
    // Bytes 12..16 are the minor version; compatible brands follow until the box ends.
    let compatible = bytes.get(16..box_end.max(16)).unwrap_or_default();
    let mut found = None;
    let mut avif = false;
    for brand in std::iter::once(major).chain(compatible.chunks_exact(4)) {
        if HEIC_BRANDS.iter().any(|b| b.as_slice() == brand) {
            return Some("image/heic");
        }
        if AVIF_BRANDS.iter().any(|b| b.as_slice() == brand) {
            avif = true;
        }
        if HEIF_BRANDS.iter().any(|b| b.as_slice() == brand) {
            found = Some("image/heif");
        }
    }
    // An AVIF file lists `mif1` too (it is HEIF's container), but AVIF is not a supported format.
    if avif { None } else { found }
}

#[cfg(test)]
mod tests {
    use super::{extension, sniff};

    #[test]
    fn answers_every_shared_case() {
        crate::sniff_cases::check(sniff);
    }

    #[test]
    fn extensions_are_the_usual_ones() {
        let types = [
            "image/jpeg",
            "image/png",
            "image/gif",
            "image/webp",
            "image/heic",
            "image/heif",
        ];
        let extensions = types.map(extension);
        assert_eq!(extensions, ["jpg", "png", "gif", "webp", "heic", "heif"]);
    }
}
