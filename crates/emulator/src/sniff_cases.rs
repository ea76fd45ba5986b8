//! The image-sniffing cases that both the emulator's sniffer and the client's
//! (`blooio_core::ImageFormat::sniff`) are tested against.
//!
//! The two sniffers stay separate code on purpose: a server that shared the client's sniffer
//! could not catch its bugs. What they share is this list of inputs and the answer each must
//! give, so that a case added for one is a case for both (the differential fuzz target
//! `fuzz/image_sniff` then looks for the inputs nobody thought of).

/// An ISO-BMFF `ftyp` box with this major brand and these compatible brands, its size field
/// exact, followed by an empty `mdat` box (bytes that are not part of it).
pub fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
    let size = 16 + 4 * compatible.len();
    let mut out = u32::try_from(size).expect("a small box").to_be_bytes().to_vec();
    out.extend_from_slice(b"ftyp");
    out.extend_from_slice(major);
    out.extend_from_slice(&[0, 0, 0, 0]);
    for brand in compatible {
        out.extend_from_slice(*brand);
    }
    out.extend_from_slice(b"\0\0\0\x08mdat");
    out
}

/// Asserts that `sniff` (bytes to a MIME type, `None` when not a supported image) answers every
/// case as it must; the panic names the input.
pub fn check(sniff: impl Fn(&[u8]) -> Option<&'static str>) {
    for (mime, bytes) in cases() {
        assert_eq!(sniff(&bytes), mime, "{:?}", String::from_utf8_lossy(&bytes));
    }
}

/// Each input, with the MIME type a sniffer must answer for it (`None`: not a supported
/// image), grouped by answer.
pub fn cases() -> Vec<(Option<&'static str>, Vec<u8>)> {
    // A box that runs to the end of the file (size 0), with its HEIC brand in it.
    let mut to_the_end = ftyp(b"mif1", &[b"heic"]);
    to_the_end[..4].copy_from_slice(&[0; 4]);
    // An AVIF box followed by bytes that spell a HEIC brand: after the box, so image data.
    let mut past_the_end = ftyp(b"avif", &[]);
    past_the_end.extend_from_slice(b"heic");
    let by_answer: [(Option<&'static str>, Vec<Vec<u8>>); 7] = [
        (
            Some("image/jpeg"),
            vec![b"\xFF\xD8\xFF\xE0".to_vec(), b"\xFF\xD8\xFF\xE0rest".to_vec()],
        ),
        (Some("image/png"), vec![b"\x89PNG\r\n\x1a\nrest".to_vec()]),
        (
            Some("image/gif"),
            vec![b"GIF87a..".to_vec(), b"GIF89a..".to_vec()],
        ),
        (Some("image/webp"), vec![b"RIFF\0\0\0\0WEBPVP8 ".to_vec()]),
        (
            Some("image/heic"),
            vec![
                ftyp(b"heic", &[]),
                ftyp(b"heic", &[b"mif1"]),
                ftyp(b"mif1", &[b"heic"]),
                ftyp(b"isom", &[b"hevs"]),
                to_the_end,
                // The shortest box with a whole header.
                b"\0\0\0\x10ftypheic\0\0\0\0".to_vec(),
            ],
        ),
        (
            Some("image/heif"),
            vec![ftyp(b"mif1", &[b"miaf"]), ftyp(b"msf1", &[]), ftyp(b"heif", &[])],
        ),
        (
            None,
            vec![
                // Too short, other magic numbers, other RIFF and ISO-BMFF content.
                b"".to_vec(),
                b"\xFF\xD8".to_vec(),
                b"GIF88a".to_vec(),
                b"GIF90a".to_vec(),
                b"RIFF\0\0\0\0WAVE".to_vec(),
                b"RIFF\0\0\0\0WAVEfmt ".to_vec(),
                b"hello, world".to_vec(),
                b"%PDF-1.7".to_vec(),
                b"<svg xmlns=...".to_vec(),
                ftyp(b"isom", &[b"mp41"]),
                // AVIF, alone and as encoders write it (HEIF's container brands beside it).
                ftyp(b"avif", &[b"avif"]),
                ftyp(b"avif", &[b"mif1", b"miaf"]),
                ftyp(b"mif1", &[b"avif"]),
                past_the_end,
                // Boxes shorter than their own header, and a 64-bit size (1) no image needs.
                b"\0\0\0\x08ftypheif".to_vec(),
                b"\0\0\0\x08ftypheic\0\0\0\0".to_vec(),
                b"\0\0\0\x0fftypheic\0\0\0".to_vec(),
                b"\0\0\0\x01ftypheic\0\0\0\0\0\0\0\x20".to_vec(),
            ],
        ),
    ];
    by_answer
        .into_iter()
        .flat_map(|(mime, inputs)| inputs.into_iter().map(move |bytes| (mime, bytes)))
        .collect()
}
