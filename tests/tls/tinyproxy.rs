//! Debian's tinyproxy for the Rust HTTPS tests (included with `#[path]` by crates/core and
//! crates/cli): started on a free loopback port with a config and log of its own, stopped
//! (and its directory removed) when dropped. The shell suites use tests/tls/with-tls.sh.
#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Tinyproxy {
    child: Child,
    dir: PathBuf,
    pub url: String,
}

impl Tinyproxy {
    /// Starts tinyproxy allowing CONNECT to `connect_port` only. Panics with the reason when it
    /// is missing (`bash .ci/install/60-tls.sh` installs it) or does not start.
    pub fn start(connect_port: u16) -> Tinyproxy {
        let bin = ["/usr/bin/tinyproxy", "/usr/sbin/tinyproxy"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect("tinyproxy is installed (bash .ci/install/60-tls.sh)");
        let dir =
            std::env::temp_dir().join(format!("blooio-tinyproxy-{}-{connect_port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("proxy.log");
        std::fs::write(&log, "").unwrap();
        // tinyproxy drops root privileges to nobody, who must be able to write its log.
        let _ = Command::new("chmod").arg("777").arg(&dir).status();
        let _ = Command::new("chmod").arg("666").arg(&log).status();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut config = format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 30\nMaxClients 50\nLogFile \"{}\"\nLogLevel Info\n\
             Allow 127.0.0.1\nConnectPort {connect_port}\nDisableViaHeader Yes\n",
            log.display()
        );
        if is_root() {
            config.push_str("User nobody\nGroup nogroup\n");
        }
        let conf = dir.join("tinyproxy.conf");
        std::fs::write(&conf, config).unwrap();
        let child = Command::new(bin)
            .arg("-d")
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tinyproxy starts");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "tinyproxy did not listen on {port}");
            std::thread::sleep(Duration::from_millis(20));
        }
        Tinyproxy {
            child,
            dir,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    /// What tinyproxy logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("proxy.log")).unwrap_or_default()
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
