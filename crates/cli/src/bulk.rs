//! `blooio background get|set --chats FILE`: one call per chat id of a list, a few at a time,
//! one JSON line per chat on stdout, a progress bar and a summary on stderr.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use blooio_core::{Bulk, BulkResult, BulkSummary, CancelToken, Client, ErrorKind, Image};
use serde_json::json;

/// The exit status when at least one chat failed (and the run was not stopped).
pub const SOME_FAILED: u8 = 18;
/// The exit status of a run stopped by Ctrl-C, as a shell reports SIGINT.
pub const INTERRUPTED: u8 = 130;

/// Where the chat ids come from.
#[derive(Debug, Clone)]
pub enum Chats {
    Stdin,
    File(PathBuf),
}

impl Chats {
    pub fn from_arg(arg: String) -> Chats {
        if arg == "-" {
            Chats::Stdin
        } else {
            Chats::File(arg.into())
        }
    }

    fn name(&self) -> String {
        match self {
            Chats::Stdin => "standard input".to_owned(),
            Chats::File(p) => p.display().to_string(),
        }
    }

    fn open(&self) -> io::Result<Box<dyn BufRead + Send>> {
        Ok(match self {
            Chats::Stdin => Box::new(BufReader::new(io::stdin())),
            Chats::File(p) => Box::new(BufReader::new(File::open(p)?)),
        })
    }
}

/// One chat id of the input, with its line number (from 1).
pub struct Line {
    number: u64,
    id: String,
    /// Why the line cannot be an id at all (not UTF-8); such a line is handed to the core as
    /// the empty id, which it refuses without sending, and reported with this reason.
    unusable: Option<String>,
}

impl AsRef<str> for Line {
    fn as_ref(&self) -> &str {
        if self.unusable.is_some() { "" } else { &self.id }
    }
}

/// What a line holds once trimmed: nothing (blank or a `#` comment), or a chat id.
fn chat_on(line: &str) -> Option<&str> {
    let line = line.trim();
    (!line.is_empty() && !line.starts_with('#')).then_some(line)
}

/// The longest line kept from a chat list; chat ids are far shorter, and a longer line (a
/// binary file given by mistake) is reported, not held.
const MAX_LINE_BYTES: usize = 4096;

/// Reads one line (through its `\n`) into `buf`, keeping at most [`MAX_LINE_BYTES`] of it and
/// skipping the rest. Returns the bytes read (0 at the end) and whether the line was cut.
fn read_line_capped(reader: &mut dyn BufRead, buf: &mut Vec<u8>) -> io::Result<(usize, bool)> {
    let (mut read, mut cut) = (0, false);
    loop {
        let chunk = match reader.fill_buf() {
            Ok(chunk) => chunk,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok((read, cut));
        }
        let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let room = MAX_LINE_BYTES.saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..take.min(room)]);
        cut |= take > room;
        reader.consume(take);
        read += take;
        if done {
            return Ok((read, cut));
        }
    }
}

/// The ids of a list, read as workers ask for them; a read error ends the list and is kept.
struct Lines {
    reader: Box<dyn BufRead + Send>,
    number: u64,
    error: Arc<Mutex<Option<(u64, io::Error)>>>,
}

impl Iterator for Lines {
    type Item = Line;

    fn next(&mut self) -> Option<Line> {
        let mut raw = Vec::new();
        loop {
            raw.clear();
            let cut = match read_line_capped(&mut self.reader, &mut raw) {
                Ok((0, _)) => return None,
                Ok((_, cut)) => {
                    self.number += 1;
                    cut
                }
                Err(e) => {
                    let mut slot = self.error.lock().unwrap_or_else(PoisonError::into_inner);
                    *slot = Some((self.number + 1, e));
                    return None;
                }
            };
            let (text, unusable) = match std::str::from_utf8(&raw) {
                _ if cut => (
                    String::from_utf8_lossy(&raw[..64]).into_owned(),
                    Some(format!(
                        "line {} is longer than {MAX_LINE_BYTES} bytes; a chat id is one short line",
                        self.number
                    )),
                ),
                Ok(text) => (text.to_owned(), None),
                Err(e) => (
                    String::from_utf8_lossy(&raw).into_owned(),
                    Some(format!(
                        "line {} is not UTF-8 text (a bad byte at offset {}); write chat ids in UTF-8",
                        self.number,
                        e.valid_up_to()
                    )),
                ),
            };
            if let Some(id) = chat_on(&text) {
                return Some(Line {
                    number: self.number,
                    id: id.to_owned(),
                    unusable,
                });
            }
        }
    }
}

/// How many chats a regular file lists, for the progress bar's total (`None` for stdin).
fn count_chats(chats: &Chats) -> Option<u64> {
    let Chats::File(path) = chats else { return None };
    let mut reader = BufReader::new(File::open(path).ok()?);
    let (mut n, mut line) = (0, Vec::new());
    loop {
        line.clear();
        match read_line_capped(&mut reader, &mut line).ok()? {
            (0, _) => return Some(n),
            (_, true) => n += 1, // reported as a line of its own
            (_, false) => n += u64::from(chat_on(&String::from_utf8_lossy(&line)).is_some()),
        }
    }
}

/// The JSON line for one chat's outcome.
fn result_line(done: &BulkResult<Line>) -> serde_json::Value {
    let line = &done.input;
    match &done.result {
        Ok(background) => json!({
            "line": line.number,
            "chat_id": line.id,
            "ok": true,
            "background": background,
            "attempts": background.attempts,
            "request_id": background.request_id,
        }),
        Err(e) => {
            let message = line.unusable.clone().unwrap_or_else(|| e.to_string());
            json!({
                "line": line.number,
                "chat_id": line.id,
                "ok": false,
                "error": {
                    "kind": e.kind().as_str(),
                    "message": message,
                    "status": e.status(),
                    "code": e.code(),
                    "attempts": e.attempts(),
                    "request_id": e.request_id(),
                },
            })
        }
    }
}

/// What a bulk command was asked to do.
pub struct Job {
    pub chats: Chats,
    pub parallel: usize,
    /// `Some(image)` to set, `None` to get.
    pub image: Option<PathBuf>,
}

/// Runs the job and returns the exit status; every message has been written when it returns.
pub fn run(client: &Client, job: Job) -> u8 {
    let reader = match job.chats.open() {
        Ok(r) => r,
        Err(e) => {
            eprintln!(
                "blooio: error: could not open the chat list {}: {e}",
                job.chats.name()
            );
            return crate::exit_code(ErrorKind::Io);
        }
    };
    let read_error = Arc::new(Mutex::new(None));
    let lines = Lines {
        reader,
        number: 0,
        error: Arc::clone(&read_error),
    };
    let mut bar = Bar::new(io::stderr().is_terminal(), count_chats(&job.chats));
    let mut failures: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut stdout = io::stdout().lock();
    let mut stdout_ok = true;
    let mut on_result = |done: BulkResult<Line>| {
        if let Err(e) = &done.result {
            *failures.entry(e.kind().as_str()).or_default() += 1;
        }
        if stdout_ok {
            // Flushed per line, so a reader of a pipe sees each chat as it ends.
            let written = writeln!(stdout, "{}", result_line(&done)).and_then(|()| stdout.flush());
            stdout_ok = written.is_ok(); // a closed pipe: keep counting, stop writing
        }
        bar.update(done.result.is_ok());
    };
    let token = CancelToken::new();
    crate::interrupt::cancel_on_sigint(token.clone());
    let bulk = Bulk::new(client).parallel(job.parallel).cancel_token(token);
    let outcome = match &job.image {
        None => bulk.get(lines, &mut on_result),
        Some(path) => bulk.set(Image::Path(path), lines, &mut on_result),
    };
    bar.finish();
    let summary = match outcome {
        Ok(summary) => summary,
        Err(e) => {
            // Refused before anything was sent: a bad image, a bad --parallel.
            eprintln!("blooio: error: {e}");
            return crate::exit_code(e.kind());
        }
    };
    report(&summary, &failures);
    let read_error = read_error.lock().unwrap_or_else(PoisonError::into_inner).take();
    if let Some((line, e)) = read_error {
        eprintln!(
            "blooio: error: could not read the chat list {} at line {line}: {e}; \
             the chats after it were not run",
            job.chats.name()
        );
        return crate::exit_code(ErrorKind::Io);
    }
    match summary.stopped {
        Some(ErrorKind::Cancelled) if crate::interrupt::interrupted() => INTERRUPTED,
        Some(kind) => crate::exit_code(kind),
        None if summary.failed > 0 => SOME_FAILED,
        None => 0,
    }
}

/// The summary line on stderr, and why the run stopped if it did.
fn report(summary: &BulkSummary, failures: &BTreeMap<&'static str, u64>) {
    let mut line = format!(
        "blooio: {} of {} chats succeeded",
        summary.succeeded,
        summary.finished()
    );
    if summary.failed > 0 {
        let kinds: Vec<String> = failures.iter().map(|(k, n)| format!("{k}: {n}")).collect();
        line.push_str(&format!(", {} failed ({})", summary.failed, kinds.join(", ")));
    }
    line.push_str(&format!(" in {:.2} s", summary.elapsed.as_secs_f64()));
    eprintln!("{line}");
    if summary.finished() == 0 {
        eprintln!("blooio: the chat list has no chat ids (blank lines and # comments are skipped)");
    }
    if summary.stopped == Some(ErrorKind::Cancelled) {
        eprintln!("blooio: interrupted: the calls in flight were cancelled and the chats after them not run");
    } else if let Some(kind) = summary.stopped {
        eprintln!(
            "blooio: stopped: a chat failed with {kind}, which every other chat would meet \
             too; the chats after it were not run (its JSON line on stdout says why)"
        );
    }
}

/// A one-line count of chats done on stderr, drawn only when stderr is a terminal.
struct Bar {
    enabled: bool,
    total: Option<u64>,
    done: u64,
    failed: u64,
}

impl Bar {
    fn new(enabled: bool, total: Option<u64>) -> Bar {
        Bar {
            enabled,
            total,
            done: 0,
            failed: 0,
        }
    }

    fn update(&mut self, ok: bool) {
        self.done += 1;
        self.failed += u64::from(!ok);
        if !self.enabled {
            return;
        }
        let text = match self.total {
            Some(total) if total > 0 => {
                let filled = (self.done.min(total) * 25 / total) as usize;
                format!(
                    "[{}{}] {}/{total} chats",
                    "#".repeat(filled),
                    " ".repeat(25 - filled),
                    self.done
                )
            }
            _ => format!("{} chats", self.done),
        };
        let mut err = io::stderr().lock();
        let _ = write!(err, "\r{text}, {} failed", self.failed);
        let _ = err.flush();
    }

    fn finish(&mut self) {
        if self.enabled && self.done > 0 {
            let _ = writeln!(io::stderr());
        }
    }
}
