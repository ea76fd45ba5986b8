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
    use super::ImageKind::{self, *};

    fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
        let size = 16 + 4 * compatible.len();
        let mut out = (size as u32).to_be_bytes().to_vec();
        out.extend_from_slice(b"ftyp");
        out.extend_from_slice(major);
        out.extend_from_slice(&[0, 0, 0, 0]);
        for brand in compatible {
            out.extend_from_slice(*brand);
        }
        out.extend_from_slice(b"....mdat filler");
        out
    }

    #[test]
    fn classic_formats() {
        assert_eq!(ImageKind::sniff(b"\xFF\xD8\xFF\xE0rest"), Some(Jpeg));
        assert_eq!(ImageKind::sniff(b"\x89PNG\r\n\x1a\nrest"), Some(Png));
        assert_eq!(ImageKind::sniff(b"GIF87a.."), Some(Gif));
        assert_eq!(ImageKind::sniff(b"GIF89a.."), Some(Gif));
        assert_eq!(ImageKind::sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Webp));
    }

    #[test]
    fn not_images() {
        assert_eq!(ImageKind::sniff(b""), None);
        assert_eq!(ImageKind::sniff(b"\xFF\xD8"), None);
        assert_eq!(ImageKind::sniff(b"GIF88a"), None);
        assert_eq!(ImageKind::sniff(b"RIFF\0\0\0\0WAVE"), None);
        assert_eq!(ImageKind::sniff(b"hello, world"), None);
        assert_eq!(ImageKind::sniff(b"%PDF-1.7"), None);
    }

    #[test]
    fn heic_and_heif_by_major_or_compatible_brand() {
        assert_eq!(ImageKind::sniff(&ftyp(b"heic", &[])), Some(Heic));
        assert_eq!(ImageKind::sniff(&ftyp(b"mif1", &[b"heic"])), Some(Heic));
        assert_eq!(ImageKind::sniff(&ftyp(b"mif1", &[b"miaf"])), Some(Heif));
        assert_eq!(ImageKind::sniff(&ftyp(b"msf1", &[])), Some(Heif));
        assert_eq!(ImageKind::sniff(&ftyp(b"isom", &[b"hevs"])), Some(Heic));
    }

    #[test]
    fn avif_alone_is_not_supported() {
        assert_eq!(ImageKind::sniff(&ftyp(b"avif", &[b"avif"])), None);
        // What real AVIF encoders write: HEIF's container brands beside the AVIF one.
        assert_eq!(ImageKind::sniff(&ftyp(b"avif", &[b"mif1", b"miaf"])), None);
        assert_eq!(ImageKind::sniff(&ftyp(b"mif1", &[b"avif"])), None);
        assert_eq!(ImageKind::sniff(&ftyp(b"isom", &[b"mp41"])), None);
    }

    #[test]
    fn brands_past_the_box_end_do_not_count() {
        let mut bytes = ftyp(b"avif", &[]);
        bytes.extend_from_slice(b"heic"); // after the box: image data, not a brand
        assert_eq!(ImageKind::sniff(&bytes), None);
    }
    #[test]
    fn a_box_shorter_than_its_header_is_not_an_image() {
        // Found by the client's differential fuzz target (fuzz/image_sniff): the client
        // refused this, the emulator took it as HEIF from its major brand.
        assert_eq!(ImageKind::sniff(b"\0\0\0\x08ftypheif"), None);
        assert_eq!(ImageKind::sniff(b"\0\0\0\x0fftypheic\0\0\0"), None);
        assert_eq!(ImageKind::sniff(b"\0\0\0\x01ftypheic\0\0\0\0\0\0\0\x20"), None);
        assert_eq!(ImageKind::sniff(b"\0\0\0\x10ftypheic\0\0\0\0"), Some(Heic));
    }
}
