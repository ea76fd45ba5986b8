//! `blooio-bench`: the Rust half of `make bench` (bench/run.py drives it).
//!
//! Each subcommand does one measurement in this process and prints one JSON object on stdout;
//! the driver starts a fresh process for every measurement whose memory it reads.
//!
//! ```text
//! blooio-bench serve [--latency-ms N] [--api-key K]          the emulator, in a process of its own
//! blooio-bench get   --client core,community,floor COMMON --warmup N --calls N --rounds N
//! blooio-bench put   --client core|community COMMON --file PATH --uploads N
//! blooio-bench scale COMMON --threads N --calls-per-thread N --rounds N
//! blooio-bench forkcheck --calls N --rounds N                  the per-call fork-safety check
//! COMMON: --base-url URL --api-key KEY --chat ID
//! ```

mod floor;
mod memory;
mod serve;

use std::collections::HashMap;
use std::hint::black_box;
use std::process::ExitCode;
use std::sync::Barrier;
use std::time::Instant;

type Fallible<T> = Result<T, Box<dyn std::error::Error>>;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(command) = args.next() else {
        eprintln!("usage: blooio-bench serve|get|put|scale [--option value]...");
        return ExitCode::from(2);
    };
    let result = Options::parse(args).and_then(|o| match command.as_str() {
        "serve" => serve::run(&o),
        "get" => get(&o),
        "put" => put(&o),
        "scale" => scale(&o),
        "forkcheck" => fork_check(&o),
        other => Err(format!("unknown command {other:?}").into()),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("blooio-bench {command}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `--name value` pairs.
struct Options(HashMap<String, String>);

impl Options {
    fn parse(mut args: impl Iterator<Item = String>) -> Fallible<Options> {
        let mut map = HashMap::new();
        while let Some(flag) = args.next() {
            let name = flag
                .strip_prefix("--")
                .ok_or_else(|| format!("expected --option, got {flag:?}"))?;
            let value = args.next().ok_or_else(|| format!("--{name} needs a value"))?;
            map.insert(name.to_owned(), value);
        }
        Ok(Options(map))
    }

    fn text(&self, name: &str) -> Fallible<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| format!("--{name} is required").into())
    }

    fn text_or<'a>(&'a self, name: &str, default: &'a str) -> &'a str {
        self.0.get(name).map_or(default, String::as_str)
    }

    fn number(&self, name: &str, default: u64) -> Fallible<u64> {
        match self.0.get(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| format!("--{name} must be a number, got {v:?}").into()),
        }
    }
}

/// One client under test, behind the only operation the GET benchmark needs.
enum GetClient {
    Core(blooio_core::Client),
    Community {
        client: blooio::BlockingClient,
        creds: blooio::BlooioCreds,
    },
    Floor(floor::Floor),
}

impl GetClient {
    fn new(kind: &str, o: &Options) -> Fallible<GetClient> {
        let base_url = o.text("base-url")?;
        let key = o.text("api-key")?;
        Ok(match kind {
            "core" => GetClient::Core(core_client(base_url, key)?),
            "community" => {
                let config = blooio::ClientConfig::new().with_base_url(base_url);
                GetClient::Community {
                    client: blooio::BlockingClient::from_config(config)?,
                    creds: blooio::BlooioCreds::new(key.to_owned()),
                }
            }
            "floor" => GetClient::Floor(floor::Floor::connect(base_url, key, o.text("chat")?)?),
            other => return Err(format!("unknown client {other:?} (core, community, floor)").into()),
        })
    }

    /// One GET; returns something derived from the answer so nothing is optimised away.
    fn get(&mut self, chat: &str) -> Fallible<usize> {
        Ok(match self {
            GetClient::Core(c) => c.get_chat_background(chat)?.background_id.map_or(0, |s| s.len()),
            GetClient::Community { client, creds } => client
                .account(creds)
                .chat(chat)
                .background()?
                .background_id
                .map_or(0, |s| s.len()),
            GetClient::Floor(f) => f.get()?,
        })
    }
}

fn core_client(base_url: &str, key: &str) -> Fallible<blooio_core::Client> {
    Ok(blooio_core::Client::builder()
        .api_key(key)
        .base_url(base_url)
        // A benchmark must see failures, not hide them behind retries.
        .max_retries(0)
        .build()?)
}

/// GET round trip per call on one thread over one kept-alive connection, after a warm-up.
/// `--client a,b,c` measures several, their rounds interleaved so that a machine whose speed
/// drifts (it is shared) slows them all alike.
fn get(o: &Options) -> Fallible<()> {
    let chat = o.text("chat")?;
    let mut clients = o
        .text("client")?
        .split(',')
        .map(|kind| Ok((kind, GetClient::new(kind, o)?)))
        .collect::<Fallible<Vec<_>>>()?;
    for (_, client) in &mut clients {
        for _ in 0..o.number("warmup", 200)? {
            black_box(client.get(chat)?);
        }
    }
    let calls = o.number("calls", 2000)?.max(1);
    let (mut per_call_ns, mut cpu_per_call_ns) = (serde_json::Map::new(), serde_json::Map::new());
    let push = |map: &mut serde_json::Map<String, serde_json::Value>, kind: &str, ns: f64| {
        map.entry(kind.to_owned())
            .or_insert_with(|| serde_json::Value::Array(Vec::new()))
            .as_array_mut()
            .expect("an array")
            .push(ns.into());
    };
    for _ in 0..o.number("rounds", 5)? {
        for (kind, client) in &mut clients {
            let (start, cpu_start) = (Instant::now(), memory::process_cpu_ns());
            for _ in 0..calls {
                black_box(client.get(chat)?);
            }
            let cpu = memory::process_cpu_ns() - cpu_start;
            push(
                &mut per_call_ns,
                kind,
                start.elapsed().as_nanos() as f64 / calls as f64,
            );
            push(&mut cpu_per_call_ns, kind, cpu / calls as f64);
        }
    }
    print_json(serde_json::json!({ "per_call_ns": per_call_ns, "cpu_per_call_ns": cpu_per_call_ns }));
    Ok(())
}

/// What the fork-safety check adds to every call: `Client::rearm_after_fork` is that check
/// alone (which process owns the pool, and a handle on it), with no request. Needs no server.
fn fork_check(o: &Options) -> Fallible<()> {
    let client = core_client("http://127.0.0.1:9/v2/api", "bl_bench_key")?;
    let calls = o.number("calls", 1_000_000)?.max(1);
    let mut per_call_ns = Vec::new();
    for _ in 0..o.number("rounds", 5)? {
        let start = Instant::now();
        for _ in 0..calls {
            client.rearm_after_fork();
        }
        per_call_ns.push(start.elapsed().as_nanos() as f64 / calls as f64);
    }
    print_json(serde_json::json!({ "per_call_ns": per_call_ns }));
    Ok(())
}

/// Uploads from a file path, and how much this process's peak RSS grew over an idle client that
/// has already made one request (so the connection, TLS-free here, and the pool exist).
fn put(o: &Options) -> Fallible<()> {
    let kind = o.text("client")?;
    let chat = o.text("chat")?;
    let file = o.text("file")?;
    let base_url = o.text("base-url")?;
    let key = o.text("api-key")?;
    let uploads = o.number("uploads", 1)?.max(1);
    let mut per_upload_ns = Vec::new();
    let mut timed = |upload: &mut dyn FnMut() -> Fallible<()>| -> Fallible<()> {
        let start = Instant::now();
        upload()?;
        per_upload_ns.push(start.elapsed().as_nanos() as f64);
        Ok(())
    };
    let (idle, after);
    match kind {
        "core" => {
            let client = core_client(base_url, key)?;
            black_box(client.get_chat_background(chat)?);
            idle = memory::peak_rss_kib()?;
            for _ in 0..uploads {
                timed(&mut || {
                    black_box(client.set_chat_background_file(chat, file)?);
                    Ok(())
                })?;
            }
            after = memory::peak_rss_kib()?;
        }
        "community" => {
            let config = blooio::ClientConfig::new().with_base_url(base_url);
            let client = blooio::BlockingClient::from_config(config)?;
            let creds = blooio::BlooioCreds::new(key.to_owned());
            black_box(client.account(&creds).chat(chat).background()?);
            idle = memory::peak_rss_kib()?;
            for _ in 0..uploads {
                timed(&mut || {
                    // The crate takes the image as bytes: reading the file is part of the upload.
                    // Its default part type, application/octet-stream, is refused by the API's
                    // parser (see shared/api/NOTES.md), so name the file and type as its docs show.
                    let bytes = std::fs::read(file)?;
                    let op = blooio::resources::chats::SetChatBackground::new(chat, bytes)
                        .filename(file_name(file))
                        .content_type("image/png");
                    black_box(client.account(&creds).chat(chat).set_background_with(op)?);
                    Ok(())
                })?;
            }
            after = memory::peak_rss_kib()?;
        }
        other => return Err(format!("unknown client {other:?} (core, community)").into()),
    }
    print_json(serde_json::json!({
        "client": kind,
        "file_bytes": std::fs::metadata(file)?.len(),
        "hwm_idle_kib": idle,
        "hwm_after_kib": after,
        "per_upload_ns": per_upload_ns,
    }));
    Ok(())
}

/// The same number of GETs on one thread, then spread over `threads` threads sharing one
/// client (one connection pool). Run against an emulator that answers after a delay.
fn scale(o: &Options) -> Fallible<()> {
    let chat = o.text("chat")?;
    let client = core_client(o.text("base-url")?, o.text("api-key")?)?;
    let threads = o.number("threads", 8)?.max(1) as usize;
    let per_thread = o.number("calls-per-thread", 4)?.max(1) as usize;
    let parallel = |client: &blooio_core::Client| -> Fallible<f64> {
        let barrier = Barrier::new(threads + 1);
        let started = std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    s.spawn(|| {
                        barrier.wait();
                        for _ in 0..per_thread {
                            client.get_chat_background(chat).map(black_box)?;
                        }
                        Ok::<(), blooio_core::Error>(())
                    })
                })
                .collect();
            barrier.wait();
            let start = Instant::now();
            for w in workers {
                w.join().expect("a worker thread panicked")?;
            }
            Ok::<f64, blooio_core::Error>(start.elapsed().as_nanos() as f64)
        })?;
        Ok(started)
    };
    let serial = |client: &blooio_core::Client| -> Fallible<f64> {
        let start = Instant::now();
        for _ in 0..threads * per_thread {
            black_box(client.get_chat_background(chat)?);
        }
        Ok(start.elapsed().as_nanos() as f64)
    };
    // Warm-up: open as many pooled connections as there will be threads.
    parallel(&client)?;
    let (mut serial_ns, mut parallel_ns) = (Vec::new(), Vec::new());
    for _ in 0..o.number("rounds", 3)? {
        serial_ns.push(serial(&client)?);
        parallel_ns.push(parallel(&client)?);
    }
    print_json(serde_json::json!({
        "client": o.text_or("label", "core"),
        "threads": threads,
        "requests": threads * per_thread,
        "serial_ns": serial_ns,
        "parallel_ns": parallel_ns,
    }));
    Ok(())
}

fn file_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map_or_else(|| "image.png".into(), |n| n.to_string_lossy().into_owned())
}

fn print_json(value: serde_json::Value) {
    println!("{value}");
}
