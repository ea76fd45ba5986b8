//! `blooio`: get and set a chat's background from the command line.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use blooio_core::{CallOptions, ChatBackground, Client, Error, ErrorKind, Image};

mod bulk;
mod interrupt;

const USAGE: &str = "\
blooio — get and set a Blooio chat's background

USAGE:
    blooio background get CHAT_ID [OPTIONS]
    blooio background set CHAT_ID IMAGE [OPTIONS]
    blooio background get --chats FILE [--parallel N] [OPTIONS]
    blooio background set IMAGE --chats FILE [--parallel N] [OPTIONS]

CHAT_ID is a phone number (+15551234567), an email, a group id (grp_...) or a
comma-separated list of phones/emails. IMAGE is a JPEG, PNG, GIF, WebP, HEIC or
HEIF file of at most 10 MiB.

OPTIONS:
    --api-key KEY          API key (default: $BLOOIO_API_KEY; prefer the variable,
                           command lines are visible to other users)
    --base-url URL         API base URL (default: $BLOOIO_BASE_URL, else
                           https://api.blooio.com/v2/api)
    --timeout SECS         time one attempt may take (default 60)
    --connect-timeout SECS time a connection may take to open (default 5)
    --max-retries N        retries of transient failures (default 2)
    --allow-insecure-http  allow plain http:// to a non-loopback host
    --ca-file PATH         trust exactly the CA certificates in this PEM bundle
                           (default: $SSL_CERT_FILE / $SSL_CERT_DIR, else the bundled
                           Mozilla roots); certificate checks cannot be turned off
    --platform-verifier    verify with the operating system's trust store instead
    --proxy URL            send requests through this HTTP proxy (CONNECT for https),
                           even to loopback hosts (default: $HTTPS_PROXY, $ALL_PROXY, ...)
    --chats FILE           run for every chat id in FILE (`-`: standard input), one
                           id per line; blank lines and lines starting with # are
                           skipped, spaces around an id are ignored
    --parallel N           with --chats: calls at once, 1 to 64 (default 4)
    -h, --help             show this help
    -V, --version          show the version

The response is printed as JSON on stdout; errors go to stderr.

With --chats, stdout gets one JSON line per chat, as each call ends (not in
input order; \"line\" is the chat's line in FILE):
    {\"line\":3,\"chat_id\":\"+15551234567\",\"ok\":true,\"background\":{...},
     \"attempts\":1,\"request_id\":\"req_...\"}
    {\"line\":4,\"chat_id\":\"+1 555\",\"ok\":false,\"error\":{\"kind\":\"invalid_chat_id\",
     \"message\":\"...\",\"status\":null,\"code\":null,\"attempts\":0,\"request_id\":null}}
An invalid id fails its own line only. The image is checked and read once.
When the server answers 429 with Retry-After, every call waits out that one
pause. stderr gets a progress bar (on a terminal) and a summary line.

EXIT STATUS:
    0  success              8  rate limited (429)
    2  usage error          9  device unavailable (502)
    3  invalid config      10  no active number (503)
    4  invalid chat id     11  other server error (5xx)
    5  invalid image       12  other HTTP status
    6  cannot read file    13  timeout
    7  bad request (400)   14  connection failed
   15  authentication (401) 16  undecodable response
   17  TLS: the server's certificate was refused (not retried)
   18  with --chats: at least one chat failed (its JSON line says why)
  130  with --chats: interrupted by Ctrl-C (calls in flight cancelled, summary written)
With --chats the status is 0 only if every chat succeeded. A failure every chat
would meet (401, a refused certificate) stops the run with its own status
above; so do an unusable image (5, 6) or chat list (6) before anything is sent.
";

/// The documented exit status for each kind of failure.
fn exit_code(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::InvalidConfig => 3,
        ErrorKind::InvalidChatId => 4,
        ErrorKind::InvalidImage => 5,
        ErrorKind::Io => 6,
        ErrorKind::BadRequest => 7,
        ErrorKind::RateLimited => 8,
        ErrorKind::DeviceUnavailable => 9,
        ErrorKind::NoActiveNumber => 10,
        ErrorKind::ServerError => 11,
        ErrorKind::HttpStatus => 12,
        ErrorKind::Timeout => 13,
        ErrorKind::Connection => 14,
        ErrorKind::Authentication => 15,
        ErrorKind::Decode => 16,
        ErrorKind::Tls => 17,
        _ => 1,
    }
}

enum Command {
    Get { chat_id: String },
    Set { chat_id: String, image: PathBuf },
    Bulk(bulk::Job),
}

struct Args {
    command: Command,
    client: blooio_core::ClientBuilder,
}

enum Parsed {
    Run(Box<Args>),
    Help,
    Version,
}

fn parse(args: Vec<String>) -> Result<Parsed, String> {
    let mut client = Client::builder().binding("cli");
    let mut positional = Vec::new();
    let mut chats = None;
    let mut parallel = None;
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |what: &str| {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{name} needs {what}"))
        };
        // Only the conversion is checked here; the bounds are the core's (checked on build).
        let seconds = |v: String| -> Result<Duration, String> {
            v.parse::<f64>()
                .ok()
                .and_then(|s| Duration::try_from_secs_f64(s).ok())
                .ok_or_else(|| format!("{name} takes a number of seconds, not {v:?}"))
        };
        client = match name.as_str() {
            "-h" | "--help" => return Ok(Parsed::Help),
            "-V" | "--version" => return Ok(Parsed::Version),
            "--api-key" => client.api_key(value("a key")?),
            "--base-url" => client.base_url(value("a URL")?),
            "--timeout" => client.timeout(seconds(value("seconds")?)?),
            "--connect-timeout" => client.connect_timeout(seconds(value("seconds")?)?),
            "--max-retries" => {
                let v = value("a number")?;
                client.max_retries(
                    v.parse()
                        .map_err(|_| format!("--max-retries takes a whole number, not {v:?}"))?,
                )
            }
            "--allow-insecure-http" => client.allow_insecure_http(true),
            "--ca-file" => client.ca_file(value("a PEM file")?),
            "--platform-verifier" => client.platform_verifier(true),
            "--proxy" => client.proxy(value("a proxy URL")?),
            "--chats" => {
                chats = Some(bulk::Chats::from_arg(value("a file of chat ids (or -)")?));
                client
            }
            "--parallel" => {
                let v = value("a number")?;
                // The bounds are the core's (checked before the run starts).
                parallel = Some(
                    v.parse()
                        .map_err(|_| format!("--parallel takes a whole number, not {v:?}"))?,
                );
                client
            }
            "--" => {
                positional.extend(it.by_ref());
                client
            }
            s if s.starts_with('-') && s.len() > 1 && !looks_like_phone(s) => {
                return Err(format!("unknown option {s}"));
            }
            _ => {
                positional.push(arg);
                client
            }
        };
    }
    let mut positional = positional.into_iter();
    if let Some(chats) = chats {
        let parallel = parallel.unwrap_or(blooio_core::bulk::DEFAULT_PARALLEL);
        let image = match (positional.next().as_deref(), positional.next().as_deref()) {
            (Some("background"), Some("get")) => match positional.next() {
                None => None,
                Some(_) => {
                    return Err("usage: blooio background get --chats FILE (no CHAT_ID with --chats)".into());
                }
            },
            (Some("background"), Some("set")) => match (positional.next(), positional.next()) {
                (Some(image), None) => Some(image.into()),
                _ => return Err("usage: blooio background set IMAGE --chats FILE".into()),
            },
            (None, _) => return Err("no command given".into()),
            _ => return Err("unknown command; expected `background get` or `background set`".into()),
        };
        let job = bulk::Job {
            chats,
            parallel,
            image,
        };
        return Ok(Parsed::Run(Box::new(Args {
            command: Command::Bulk(job),
            client,
        })));
    }
    if parallel.is_some() {
        return Err("--parallel goes with --chats FILE".into());
    }
    let command = match (positional.next().as_deref(), positional.next().as_deref()) {
        (Some("background"), Some("get")) => match (positional.next(), positional.next()) {
            (Some(chat_id), None) => Command::Get { chat_id },
            _ => return Err("usage: blooio background get CHAT_ID".into()),
        },
        (Some("background"), Some("set")) => {
            match (positional.next(), positional.next(), positional.next()) {
                (Some(chat_id), Some(image), None) => Command::Set {
                    chat_id,
                    image: image.into(),
                },
                _ => return Err("usage: blooio background set CHAT_ID IMAGE".into()),
            }
        }
        (None, _) => return Err("no command given".into()),
        _ => return Err("unknown command; expected `background get` or `background set`".into()),
    };
    Ok(Parsed::Run(Box::new(Args { command, client })))
}

/// Negative-looking arguments are options, except things like `-1` that nobody means as one.
fn looks_like_phone(s: &str) -> bool {
    s[1..].bytes().all(|b| b.is_ascii_digit())
}

/// One chat's get or set, reported by `main`; a bulk job reports as it goes.
enum Outcome {
    One(Result<ChatBackground, Error>),
    Bulk(u8),
}

fn run(args: Args) -> Outcome {
    let client = match args.client.build() {
        Ok(client) => client,
        Err(e) => return Outcome::One(Err(e)),
    };
    Outcome::One(match args.command {
        Command::Bulk(job) => return Outcome::Bulk(bulk::run(&client, job)),
        Command::Get { chat_id } => client.get_chat_background(&chat_id),
        Command::Set { chat_id, image } => {
            let mut bar = ProgressBar::new(std::io::stderr().is_terminal());
            let progress = CallOptions::new().progress(|sent, total| {
                bar.update(sent, total);
                true
            });
            let result = client.set_chat_background_with(&chat_id, Image::Path(&image), progress);
            bar.finish();
            result
        }
    })
}

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
struct ProgressBar {
    enabled: bool,
    drawn_percent: Option<u64>,
}

impl ProgressBar {
    fn new(enabled: bool) -> Self {
        Self {
            enabled,
            drawn_percent: None,
        }
    }

    fn update(&mut self, sent: u64, total: u64) {
        let percent = sent.saturating_mul(100) / total.max(1);
        if !self.enabled || self.drawn_percent == Some(percent) {
            return;
        }
        self.drawn_percent = Some(percent);
        let filled = (percent / 4) as usize;
        let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r[{}{}] {percent:>3}% {:.1}/{:.1} MiB",
            "#".repeat(filled),
            " ".repeat(25 - filled),
            mib(sent),
            mib(total)
        );
        let _ = err.flush();
    }

    fn finish(&mut self) {
        if self.enabled && self.drawn_percent.is_some() {
            let _ = writeln!(std::io::stderr());
        }
    }
}

fn main() -> ExitCode {
    let parsed = match parse(std::env::args().skip(1).collect()) {
        Ok(p) => p,
        Err(message) => {
            eprintln!("blooio: {message}\n\nRun `blooio --help` for usage.");
            return ExitCode::from(2);
        }
    };
    let args = match parsed {
        Parsed::Help => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Parsed::Version => {
            println!("blooio {}", blooio_core::VERSION);
            return ExitCode::SUCCESS;
        }
        Parsed::Run(args) => *args,
    };
    let result = match run(args) {
        Outcome::Bulk(code) => return ExitCode::from(code),
        Outcome::One(result) => result,
    };
    match result {
        Ok(background) => {
            let json = if std::io::stdout().is_terminal() {
                serde_json::to_string_pretty(&background)
            } else {
                serde_json::to_string(&background)
            };
            println!("{}", json.unwrap_or_else(|_| background.to_json()));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("blooio: error: {e}");
            let mut detail = vec![format!("kind {}", e.kind())];
            detail.extend(e.status().map(|s| format!("HTTP {s}")));
            detail.extend(e.code().map(|c| format!("code {c}")));
            detail.extend(e.request_id().map(|r| format!("request id {r}")));
            eprintln!("blooio: ({})", detail.join(", "));
            ExitCode::from(exit_code(e.kind()))
        }
    }
}
