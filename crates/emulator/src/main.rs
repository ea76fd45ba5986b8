//! `blooio-emulator`: run the emulator as a process, for tests in other languages and demos.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::time::Duration;

use blooio_emulator::{Emulator, EmulatorConfig, RequestOutcome, TlsMode};
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::oneshot;

const HELP: &str = "\
blooio-emulator: a local server speaking the Blooio chat-background API, for tests and demos

USAGE:
    blooio-emulator --api-key KEY [OPTIONS]

Prints the base URL (http://127.0.0.1:PORT/v2/api, or https://… with --tls) as the first
line on stdout, then logs
one line per API request to stderr (method, raw path, status, milliseconds; never the
Authorization header or the key).

OPTIONS:
    --listen ADDR          Address to listen on [default: 127.0.0.1:0, a free port]
    --api-key KEY          Accepted API key (Authorization: Bearer KEY); repeat for more.
                           At least one is required.
    --latency-ms N         Wait N milliseconds before every API response [default: 0]
    --no-active-number     Answer every API request 503 no_active_number
    --exit-on-stdin-eof    Exit when standard input reaches end of file, so a test harness
                           that dies cannot leave the emulator running
    --quiet                Do not log requests to stderr
    --tls                  Serve HTTPS with a fresh CA and a leaf for localhost, 127.0.0.1
                           and ::1. Plain HTTP is still answered on the same port (the
                           control API can be reached either way).
    --tls-ca-out PATH      With --tls: write the CA certificate (PEM) to PATH before the
                           base URL is printed, for clients to trust
    --tls-cert PATH        Serve HTTPS with this PEM certificate chain (leaf first) ...
    --tls-key PATH         ... and this PEM private key (both or neither)
    -h, --help             Print this help
    -V, --version          Print the version

ENDPOINTS:
    GET|PUT /v2/api/chats/{chatId}/background    the API (Bearer auth)
    GET     /media/backgrounds/{id}.{ext}        stored background images (no auth)
    /__emulator/...                              the control API (scripted faults, slow
                                                 answers, the request log, config, stats):
                                                 no auth, never recorded or faulted; see
                                                 \"Control API\" in crates/emulator/README.md

Exits cleanly on SIGINT or SIGTERM.
";

#[derive(Debug, PartialEq)]
struct Options {
    config: EmulatorConfig,
    tls_ca_out: Option<PathBuf>,
    exit_on_stdin_eof: bool,
    quiet: bool,
}

#[derive(Debug, PartialEq)]
enum Command {
    Run(Options),
    Help,
    Version,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut config = EmulatorConfig {
        api_keys: Vec::new(),
        ..EmulatorConfig::default()
    };
    let mut exit_on_stdin_eof = false;
    let mut quiet = false;
    let (mut tls, mut tls_ca_out, mut tls_cert, mut tls_key) = (false, None, None, None);
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        // Accept both `--flag value` and `--flag=value`.
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag.to_owned(), Some(value.to_owned())),
            _ => (arg, None),
        };
        let mut value = |what: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs {what}"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            "--listen" => {
                let addr = value("an address such as 127.0.0.1:8080")?;
                config.listen = addr
                    .parse::<SocketAddr>()
                    .map_err(|_| format!("--listen: '{addr}' is not an IP address with a port"))?;
            }
            "--api-key" => {
                let key = value("a key")?;
                if key.is_empty() {
                    return Err("--api-key must not be empty".to_owned());
                }
                config.api_keys.push(key);
            }
            "--latency-ms" => {
                let ms = value("a number of milliseconds")?;
                let ms = ms
                    .parse::<u64>()
                    .map_err(|_| format!("--latency-ms: '{ms}' is not a whole number"))?;
                config.latency = Duration::from_millis(ms);
            }
            "--no-active-number" => config.no_active_number = true,
            "--exit-on-stdin-eof" => exit_on_stdin_eof = true,
            "--quiet" => quiet = true,
            "--tls" => tls = true,
            "--tls-ca-out" => tls_ca_out = Some(PathBuf::from(value("a file path")?)),
            "--tls-cert" => tls_cert = Some(PathBuf::from(value("a PEM certificate file")?)),
            "--tls-key" => tls_key = Some(PathBuf::from(value("a PEM private key file")?)),
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    if config.api_keys.is_empty() {
        return Err("no API key given: pass --api-key KEY (clients must send \
                    'Authorization: Bearer KEY')"
            .to_owned());
    }
    config.tls = match (tls, tls_cert, tls_key) {
        (_, Some(cert), Some(key)) => Some(TlsMode::Files { cert, key }),
        (_, Some(_), None) | (_, None, Some(_)) => {
            return Err("--tls-cert and --tls-key go together".to_owned());
        }
        (true, None, None) => Some(TlsMode::Generate),
        (false, None, None) => None,
    };
    if tls_ca_out.is_some() && config.tls != Some(TlsMode::Generate) {
        return Err("--tls-ca-out needs --tls (a CA is only generated then)".to_owned());
    }
    Ok(Command::Run(Options {
        config,
        tls_ca_out,
        exit_on_stdin_eof,
        quiet,
    }))
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Run(options)) => options,
        Ok(Command::Help) => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Version) => {
            println!("blooio-emulator {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("blooio-emulator: {message}\nTry 'blooio-emulator --help'.");
            return ExitCode::from(2);
        }
    };
    // Listen for signals before the URL is printed, so an early SIGTERM is not lost.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
    let stop = runtime.and_then(|runtime| {
        let stop = {
            let _entered = runtime.enter();
            Stop::listen(options.exit_on_stdin_eof)?
        };
        Ok((runtime, stop))
    });
    let (runtime, stop) = match stop {
        Ok(both) => both,
        Err(err) => {
            eprintln!("blooio-emulator: cannot listen for signals: {err}");
            return ExitCode::FAILURE;
        }
    };

    let listen = options.config.listen;
    let emulator = match Emulator::start(options.config) {
        Ok(emulator) => emulator,
        Err(err) if err.kind() == io::ErrorKind::InvalidInput => {
            eprintln!("blooio-emulator: {err}");
            return ExitCode::FAILURE;
        }
        Err(err) => {
            eprintln!("blooio-emulator: cannot listen on {listen}: {err}");
            return ExitCode::FAILURE;
        }
    };
    if let (Some(path), Some(pem)) = (&options.tls_ca_out, emulator.tls_ca_pem())
        && let Err(err) = std::fs::write(path, pem)
    {
        eprintln!(
            "blooio-emulator: cannot write the CA to {}: {err}",
            path.display()
        );
        return ExitCode::FAILURE;
    }
    if !options.quiet {
        let log = stderr_logger();
        emulator.on_request(move |outcome| {
            // Never block the server on a full stderr pipe: drop the line instead.
            let _ = log.try_send(log_line(outcome));
        });
    }

    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{}", emulator.base_url())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    drop(stdout);

    let reason = runtime.block_on(stop.wait());
    drop(emulator);
    if !options.quiet {
        eprintln!("blooio-emulator: {reason}, stopped");
    }
    ExitCode::SUCCESS
}

fn log_line(outcome: &RequestOutcome) -> String {
    format!(
        "{} {} {} {}ms",
        outcome.method,
        outcome.raw_path,
        outcome.status,
        outcome.elapsed.as_millis()
    )
}

/// A thread that writes log lines to stderr, fed through a bounded queue.
fn stderr_logger() -> SyncSender<String> {
    let (lines, queue) = sync_channel::<String>(4096);
    std::thread::spawn(move || {
        for line in queue {
            let _ = writeln!(std::io::stderr().lock(), "{line}");
        }
    });
    lines
}

/// What ends the process: SIGINT, SIGTERM, or (if asked) end of standard input.
struct Stop {
    interrupt: Signal,
    terminate: Signal,
    stdin_closed: Option<oneshot::Receiver<()>>,
}

impl Stop {
    /// Starts listening; must be called inside a tokio runtime.
    fn listen(on_stdin_eof: bool) -> io::Result<Stop> {
        let stdin_closed = on_stdin_eof.then(|| {
            let (closed, stdin_closed) = oneshot::channel();
            // A plain thread: a blocking read that is never joined cannot delay exit.
            std::thread::spawn(move || {
                let _ = io::copy(&mut io::stdin().lock(), &mut io::sink());
                let _ = closed.send(());
            });
            stdin_closed
        });
        Ok(Stop {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
            stdin_closed,
        })
    }

    /// Waits for the first of them and says which.
    async fn wait(self) -> &'static str {
        let Stop {
            mut interrupt,
            mut terminate,
            stdin_closed,
        } = self;
        let stdin_closed = async {
            match stdin_closed {
                Some(closed) => {
                    let _ = closed.await;
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = interrupt.recv() => "SIGINT",
            _ = terminate.recv() => "SIGTERM",
            () = stdin_closed => "standard input closed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, String> {
        parse_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn all_options() {
        let Command::Run(options) = parse(&[
            "--listen=127.0.0.1:9999",
            "--api-key",
            "a",
            "--api-key=b",
            "--latency-ms",
            "50",
            "--no-active-number",
            "--exit-on-stdin-eof",
        ])
        .unwrap() else {
            panic!("expected a run");
        };
        assert_eq!(options.config.listen, "127.0.0.1:9999".parse().unwrap());
        assert_eq!(options.config.api_keys, ["a", "b"]);
        assert_eq!(options.config.latency, Duration::from_millis(50));
        assert!(options.config.no_active_number && options.exit_on_stdin_eof && !options.quiet);
    }

    #[test]
    fn refusals() {
        assert!(parse(&[]).unwrap_err().contains("--api-key"));
        assert!(parse(&["--api-key"]).unwrap_err().contains("needs"));
        assert!(parse(&["--api-key", "k", "--listen", "nowhere"]).is_err());
        assert!(parse(&["--api-key", "k", "--latency-ms", "-1"]).is_err());
        assert!(parse(&["--api-key", "k", "--frobnicate"]).is_err());
        assert_eq!(parse(&["--help"]), Ok(Command::Help));
        assert!(parse(&["--api-key", "k", "--tls-cert", "c.pem"]).is_err());
        assert!(parse(&["--api-key", "k", "--tls-ca-out", "ca.pem"]).is_err());
    }

    #[test]
    fn tls_options() {
        let Ok(Command::Run(o)) = parse(&["--api-key", "k", "--tls", "--tls-ca-out", "/tmp/ca.pem"]) else {
            panic!("expected a run");
        };
        assert_eq!(o.config.tls, Some(TlsMode::Generate));
        assert_eq!(o.tls_ca_out, Some(PathBuf::from("/tmp/ca.pem")));
        let Ok(Command::Run(o)) = parse(&["--api-key", "k", "--tls-cert=c.pem", "--tls-key", "k.pem"]) else {
            panic!("expected a run");
        };
        assert_eq!(
            o.config.tls,
            Some(TlsMode::Files {
                cert: "c.pem".into(),
                key: "k.pem".into()
            })
        );
    }
}
