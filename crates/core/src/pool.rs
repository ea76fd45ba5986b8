//! The connection pool, one per process: what makes a client safe to share across `fork()`.
//!
//! A child that used the pool it inherited would read and write the parent's kept-alive
//! sockets, and answers would cross between processes. So the pool remembers the process that
//! built it, and a call from any other process builds a new one first. Dropping the inherited
//! pool closes only the child's copies of its descriptors (nothing is written to them and
//! nothing is shut down), so the parent's connections carry on undisturbed.

use std::sync::{RwLock, TryLockError};
use std::time::Duration;

use ureq::config::Config;

/// The agent (its connections and resolver cache) of one process at a time.
pub(crate) struct Pool {
    /// The pool lives in the first slot. The second is used only by a fork's child whose first
    /// slot was locked by a thread of the parent at the moment of the fork (a lock the child can
    /// never take, since that thread does not exist there).
    slots: [RwLock<Option<Owned>>; 2],
    /// What an agent is built from, again after a fork.
    config: Config,
}

/// An agent and the process that built it; no other process may use it.
struct Owned {
    pid: u32,
    agent: ureq::Agent,
}

impl Owned {
    fn new(config: &Config) -> Owned {
        use ureq::unversioned::transport::{ConnectProxyConnector, Connector, RustlsConnector, TcpConnector};
        // ureq's default chain (proxy, TCP, TLS) with the cancellation watch between the
        // socket and TLS, so the handshake and every read and write can be cancelled.
        let connector =
            ().chain(ConnectProxyConnector::default())
                .chain(TcpConnector::default())
                .chain(crate::cancel::WatchConnector)
                .chain(RustlsConnector::default());
        // Not `config.into()`: that agent would resolve the host on a new thread per request.
        let agent = ureq::Agent::with_parts(config.clone(), connector, crate::resolver::Resolver::default());
        Owned {
            pid: std::process::id(),
            agent,
        }
    }
}

impl Pool {
    pub(crate) fn new(config: Config) -> Pool {
        Pool {
            slots: [RwLock::new(Some(Owned::new(&config))), RwLock::new(None)],
            config,
        }
    }

    /// This process's agent. Costs a `getpid`, an uncontended read lock and the agent's
    /// reference counts (`make bench` measures it: well under a microsecond).
    pub(crate) fn agent(&self) -> ureq::Agent {
        let pid = std::process::id();
        match read_own(&self.slots[0], pid) {
            Some(agent) => agent,
            None => self.agent_after_fork(pid),
        }
    }

    /// The slow path of [`Pool::agent`]: the pool belongs to another process (this is a fork's
    /// child), or another thread is replacing it. Never waits on a lock for long, since one held
    /// by a parent's thread at the moment of the fork stays held in the child for good.
    #[cold]
    fn agent_after_fork(&self, pid: u32) -> ureq::Agent {
        for _ in 0..100 {
            for slot in &self.slots {
                match slot.try_write() {
                    Ok(mut owned) => return self.own(&mut owned, pid),
                    Err(TryLockError::Poisoned(p)) => return self.own(&mut p.into_inner(), pid),
                    Err(TryLockError::WouldBlock) => {
                        if let Some(agent) = read_own(slot, pid) {
                            return agent;
                        }
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        // Both slots held for 100 ms, by threads that did not cross the fork. Correct, if slower:
        // an agent of this call's own, sharing no connection with anyone.
        Owned::new(&self.config).agent
    }

    /// The agent in `slot`, replacing (and so dropping) one that another process built.
    fn own(&self, slot: &mut Option<Owned>, pid: u32) -> ureq::Agent {
        match slot {
            Some(owned) if owned.pid == pid => owned.agent.clone(),
            _ => slot.insert(Owned::new(&self.config)).agent.clone(),
        }
    }
}

/// The agent in `slot` if this process built it, without waiting for the lock.
fn read_own(slot: &RwLock<Option<Owned>>, pid: u32) -> Option<ureq::Agent> {
    let owned = match slot.try_read() {
        Ok(o) => o,
        Err(TryLockError::Poisoned(p)) => p.into_inner(),
        Err(TryLockError::WouldBlock) => return None,
    };
    owned.as_ref().filter(|o| o.pid == pid).map(|o| o.agent.clone())
}
