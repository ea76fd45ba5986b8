//! The floor: the least a client can do for one GET over a kept-alive HTTP/1.1 connection.
//!
//! One request prepared once and written with one syscall; the response read into a reused
//! buffer, the status checked, the body found by `Content-Length` and skipped over. No URL
//! handling, no header map, no JSON decoding, no retries, no pool. Anything a real client spends
//! beyond this is its own overhead.

use std::io::{self, Read, Write};
use std::net::TcpStream;

pub struct Floor {
    stream: TcpStream,
    request: Vec<u8>,
    buf: Vec<u8>,
    /// Bytes of `buf` that belong to the next response (none, with a well-behaved server).
    filled: usize,
}

impl Floor {
    /// Connects to `http://host:port/prefix` and prepares `GET prefix/chats/{chat}/background`.
    /// `chat` must already be safe in a path (the benchmark uses an opaque id).
    pub fn connect(base_url: &str, key: &str, chat: &str) -> io::Result<Floor> {
        let rest = base_url
            .strip_prefix("http://")
            .ok_or_else(|| invalid("the floor speaks plain http:// only"))?;
        let (authority, prefix) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let stream = TcpStream::connect(authority)?;
        stream.set_nodelay(true)?;
        let request = format!(
            "GET {prefix}/chats/{chat}/background HTTP/1.1\r\nHost: {authority}\r\n\
             Authorization: Bearer {key}\r\nAccept: application/json\r\n\r\n"
        )
        .into_bytes();
        Ok(Floor {
            stream,
            request,
            buf: vec![0; 16 * 1024],
            filled: 0,
        })
    }

    /// One round trip; returns the body's length.
    pub fn get(&mut self) -> io::Result<usize> {
        self.stream.write_all(&self.request)?;
        // Read until the end of the head.
        let head_end = loop {
            if let Some(i) = find(&self.buf[..self.filled], b"\r\n\r\n") {
                break i + 4;
            }
            self.fill()?;
        };
        let head = &self.buf[..head_end];
        if !head.starts_with(b"HTTP/1.1 200 ") {
            return Err(invalid("the server did not answer 200"));
        }
        let body_len = content_length(head).ok_or_else(|| invalid("no Content-Length"))?;
        let end = head_end + body_len;
        while self.filled < end {
            self.fill()?;
        }
        // Keep whatever follows (nothing, normally) at the front of the buffer.
        self.buf.copy_within(end..self.filled, 0);
        self.filled -= end;
        Ok(body_len)
    }

    fn fill(&mut self) -> io::Result<()> {
        if self.filled == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        match self.stream.read(&mut self.buf[self.filled..])? {
            0 => Err(io::ErrorKind::UnexpectedEof.into()),
            n => {
                self.filled += n;
                Ok(())
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn content_length(head: &[u8]) -> Option<usize> {
    head.split(|&b| b == b'\n').find_map(|line| {
        let (name, value) = line.split_at(line.iter().position(|&b| b == b':')?);
        if !name.eq_ignore_ascii_case(b"content-length") {
            return None;
        }
        std::str::from_utf8(&value[1..]).ok()?.trim().parse().ok()
    })
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_owned())
}
