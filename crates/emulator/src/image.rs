//! Deciding an upload's image type from its magic numbers.

/// The image formats the API accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ImageKind {
    Jpeg,
    Png,
    Gif,
    Webp,
    Heic,
    Heif,
}

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

impl ImageKind {
    /// The type the bytes' magic numbers say, or `None` if it is not a supported image.
    pub(crate) fn sniff(bytes: &[u8]) -> Option<ImageKind> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageKind::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(ImageKind::Png)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(ImageKind::Gif)
        } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(ImageKind::Webp)
        } else {
            sniff_heif(bytes)
        }
    }

    pub(crate) fn extension(self) -> &'static str {
        match self {
            ImageKind::Jpeg => "jpg",
            ImageKind::Png => "png",
            ImageKind::Gif => "gif",
            ImageKind::Webp => "webp",
            ImageKind::Heic => "heic",
            ImageKind::Heif => "heif",
        }
    }

    pub(crate) fn mime(self) -> &'static str {
        match self {
            ImageKind::Jpeg => "image/jpeg",
            ImageKind::Png => "image/png",
            ImageKind::Gif => "image/gif",
            ImageKind::Webp => "image/webp",
            ImageKind::Heic => "image/heic",
            ImageKind::Heif => "image/heif",
        }
    }
}

/// HEIC/HEIF: an ISO-BMFF `ftyp` box whose major brand or one of whose compatible brands
/// is a HEIF brand. AVIF (an `avif` brand and no HEIC brand) is not supported.
fn sniff_heif(bytes: &[u8]) -> Option<ImageKind> {
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
            return Some(ImageKind::Heic);
        }
        if AVIF_BRANDS.iter().any(|b| b.as_slice() == brand) {
            avif = true;
        }
        if HEIF_BRANDS.iter().any(|b| b.as_slice() == brand) {
            found = Some(ImageKind::Heif);
        }
    }
    // An AVIF file lists `mif1` too (it is HEIF's container), but AVIF is not a supported format.
    if avif { None } else { found }
}

#[cfg(test)]
mod tests {
    use super::ImageKind;

    #[test]
    fn answers_every_shared_case() {
        crate::sniff_cases::check(|bytes| ImageKind::sniff(bytes).map(ImageKind::mime));
    }
}
