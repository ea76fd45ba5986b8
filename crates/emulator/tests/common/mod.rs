//! Helpers shared by the integration tests: an emulator per test, `curl` as the HTTP client
//! for well-behaved traffic, and a hand-written HTTP/1.1 client for the misbehaviour cases.
#![allow(dead_code)]

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use blooio_emulator::{Emulator, EmulatorConfig, Fault};

pub const KEY: &str = "test-key";
pub const AUTH: &str = "Authorization: Bearer test-key";

pub fn start() -> Emulator {
    Emulator::start(EmulatorConfig::default()).expect("the emulator starts")
}

/// An emulator with `fault` scripted for its next API request.
pub fn start_with(fault: Fault) -> Emulator {
    let emu = start();
    emu.script(fault);
    emu
}

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

// ---------- test images: valid magic numbers, then filler ----------

pub fn jpeg(filler: &[u8]) -> Vec<u8> {
    [&[0xFF, 0xD8, 0xFF, 0xE0][..], filler].concat()
}

pub fn png(filler: &[u8]) -> Vec<u8> {
    [&b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"[..], filler].concat()
}

pub fn gif(filler: &[u8]) -> Vec<u8> {
    [&b"GIF89a"[..], filler].concat()
}

pub fn webp(filler: &[u8]) -> Vec<u8> {
    [&b"RIFF\x24\0\0\0WEBPVP8 "[..], filler].concat()
}

/// An ISO-BMFF file starting with an `ftyp` box of the given brands.
pub fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]], filler: &[u8]) -> Vec<u8> {
    let size = (16 + 4 * compatible.len()) as u32;
    let mut out = size.to_be_bytes().to_vec();
    out.extend_from_slice(b"ftyp");
    out.extend_from_slice(major);
    out.extend_from_slice(&[0, 0, 0, 0]);
    for brand in compatible {
        out.extend_from_slice(*brand);
    }
    out.extend_from_slice(filler);
    out
}

/// A file in this test binary's scratch directory.
pub fn temp_file(name: &str, content: &[u8]) -> PathBuf {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "emulator-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

// ---------- the binary ----------

/// Starts the `blooio-emulator` binary on a free loopback port, exiting when its stdin closes,
/// with `args` added (an `--api-key` among them); returns it and the base URL, its first
/// stdout line. Its stdin, stdout and stderr are pipes.
pub fn spawn_binary(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_blooio-emulator"))
        .args(["--listen", "127.0.0.1:0", "--exit-on-stdin-eof"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut first = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut first)
        .unwrap();
    (child, first.trim_end().to_owned())
}

// ---------- curl ----------

/// One response, as curl or a raw socket saw it.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        blooio_emulator::header_value(&self.headers, name)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// Asserts a JSON error of this status and kind, with the documented shape.
    pub fn assert_error(&self, status: u16, kind: &str) -> serde_json::Value {
        assert_eq!(self.status, status, "{}", String::from_utf8_lossy(&self.body));
        assert_eq!(self.header("content-type"), Some("application/json"));
        let body = self.json();
        assert_eq!(body["error"], kind, "{body}");
        assert_eq!(body["status"], status);
        assert_eq!(body["code"], kind.to_ascii_uppercase());
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
        body
    }

    pub fn message(&self) -> String {
        self.json()["message"].as_str().unwrap_or_default().to_owned()
    }
}

/// Runs `/usr/bin/curl -sS -i ARGS…` and parses the (last) response.
pub fn curl(args: &[&str]) -> Answer {
    let out = Command::new("/usr/bin/curl")
        .args(["-sS", "-i", "--max-time", "20"])
        .args(args)
        .output()
        .expect("curl runs");
    assert!(
        out.status.success(),
        "curl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    parse_responses(&out.stdout).pop().expect("a response")
}

/// Splits curl's `-i` output (possibly several responses, and `100 Continue` heads).
pub fn parse_responses(mut raw: &[u8]) -> Vec<Answer> {
    let mut answers = Vec::new();
    while !raw.is_empty() {
        let end = find(raw, b"\r\n\r\n").expect("a complete head") + 4;
        let head = std::str::from_utf8(&raw[..end]).unwrap();
        raw = &raw[end..];
        let (status, headers) = parse_head(head);
        if status == 100 {
            continue;
        }
        let len = content_length(&headers).unwrap_or(raw.len());
        answers.push(Answer {
            status,
            headers,
            body: raw[..len].to_vec(),
        });
        raw = &raw[len..];
    }
    answers
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn parse_head(head: &str) -> (u16, Vec<(String, String)>) {
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers)
}

/// One control-API request (`/__emulator/PATH`) with curl, over plain HTTP (an HTTPS emulator
/// answers it too); `body` is sent as JSON.
pub fn control(emu: &Emulator, method: &str, path: &str, body: Option<&str>) -> Answer {
    let url = format!(
        "{}/__emulator/{path}",
        emu.plain_base_url().trim_end_matches("/v2/api")
    );
    let mut args = vec!["-X", method, url.as_str()];
    if let Some(body) = body {
        args.extend(["-H", "Content-Type: application/json", "--data-binary", body]);
    }
    curl(&args)
}

/// `POST /__emulator/{path}` with a JSON `body`, through [`control`].
pub fn post(emu: &Emulator, path: &str, body: &str) -> Answer {
    control(emu, "POST", path, Some(body))
}

/// The reference page's GET command.
pub fn get(emu: &Emulator, encoded_chat: &str) -> Answer {
    let url = format!("{}/chats/{encoded_chat}/background", emu.base_url());
    curl(&["-X", "GET", &url, "-H", AUTH])
}

/// The reference page's PUT command: `-F "background=@FILE;type=TYPE"`.
pub fn put(emu: &Emulator, encoded_chat: &str, image: &[u8], mime: &str) -> Answer {
    let file = temp_file("image.bin", image);
    let form = format!("background=@{};type={mime}", file.display());
    put_with(emu, encoded_chat, &["-F", &form])
}

/// An authorised PUT of a chat's background with curl, the body made by `args` (`-F …`,
/// `--data-binary …`, headers).
pub fn put_with(emu: &Emulator, encoded_chat: &str, args: &[&str]) -> Answer {
    let url = format!("{}/chats/{encoded_chat}/background", emu.base_url());
    curl(&[&["-X", "PUT", url.as_str(), "-H", AUTH], args].concat())
}

// ---------- a hand-written HTTP/1.1 client ----------

pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connects");
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream
}

/// A keep-alive GET of a chat's background.
pub fn get_request(chat: &str) -> String {
    format!("GET /v2/api/chats/{chat}/background HTTP/1.1\r\nHost: emulator\r\n{AUTH}\r\n\r\n")
}

/// A new connection on which a keep-alive GET of `chat`'s background has been sent.
pub fn send_get(addr: SocketAddr, chat: &str) -> TcpStream {
    let mut stream = connect(addr);
    stream
        .write_all(get_request(chat).as_bytes())
        .expect("the request is sent");
    stream
}

/// `n` keep-alive GETs of `chat` one after another on one connection: their answers, and the
/// connection's reader for what follows.
pub fn gets_on_one_connection(addr: SocketAddr, chat: &str, n: usize) -> (Vec<Answer>, BufReader<TcpStream>) {
    let mut stream = connect(addr);
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let answers = (0..n)
        .map(|_| {
            stream.write_all(get_request(chat).as_bytes()).unwrap();
            read_answer(&mut reader).unwrap()
        })
        .collect();
    (answers, reader)
}

/// The head of a hand-written multipart PUT announcing `content_length` body bytes.
pub fn put_head(chat: &str, boundary: &str, content_length: usize) -> String {
    format!(
        "PUT /v2/api/chats/{chat}/background HTTP/1.1\r\nHost: emulator\r\n{AUTH}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {content_length}\r\n\r\n"
    )
}

/// The opening of a multipart body: the boundary and the head of its `background` file part.
pub fn part_head(boundary: &str, filename: &str, mime: &str) -> String {
    format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"background\"; filename=\"{filename}\"\r\n\
         Content-Type: {mime}\r\n\r\n"
    )
}

/// The Content-Length of a head's headers, if it has one.
pub fn content_length(headers: &[(String, String)]) -> Option<usize> {
    blooio_emulator::header_value(headers, "content-length").map(|v| v.parse().expect("a number"))
}

/// Reads just the head of one response.
pub fn read_head(reader: &mut impl BufRead) -> io::Result<(u16, Vec<(String, String)>)> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("connection closed after {} head bytes", head.len()),
            ));
        }
        head.push_str(&line);
        if line == "\r\n" {
            return Ok(parse_head(&head));
        }
    }
}

/// Reads one whole response (Content-Length framed).
pub fn read_answer(reader: &mut impl BufRead) -> io::Result<Answer> {
    let (status, headers) = read_head(reader)?;
    let len = content_length(&headers).unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body)?;
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// Sends `request` on a fresh connection and reads the answer.
pub fn exchange(addr: SocketAddr, request: &str) -> io::Result<Answer> {
    let mut stream = connect(addr);
    stream.write_all(request.as_bytes())?;
    read_answer(&mut BufReader::new(stream))
}

/// Reads until EOF or an error; returns the bytes read and whether it ended in an error.
pub fn read_to_end(stream: &mut impl Read) -> (Vec<u8>, Option<io::Error>) {
    let mut bytes = Vec::new();
    let mut buf = [0; 8192];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return (bytes, None),
            Ok(n) => bytes.extend_from_slice(&buf[..n]),
            Err(e) => return (bytes, Some(e)),
        }
    }
}
