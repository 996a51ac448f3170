//! The connection threads: one per open connection, at most `MAX_CONNECTION_THREADS`; a
//! connection accepted beyond that waits in a queue until a thread is free.

use std::collections::VecDeque;
use std::net::TcpStream;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// A thread serves its connection for as long as the client keeps it open, and sleeps through
/// the injected latency and hangs, so unbounded threads would grow with whatever clients open
/// (a benchmark's sockets, every request a hang fault holds). Chromium opens at most 6
/// connections per origin; 64 leaves room for tests that drive many raw connections while
/// bounding the server to 64 stacks.
pub const MAX_CONNECTION_THREADS: usize = 64;

type Serve = dyn Fn(TcpStream, &Pool) + Send + Sync;

pub struct Pool {
    state: Mutex<State>,
    arrived: Condvar,
    serve: Box<Serve>,
}

#[derive(Default)]
struct State {
    waiting: VecDeque<TcpStream>,
    threads: usize,
    idle: usize,
}

impl Pool {
    /// `serve` runs once per connection, on one of the pool's threads.
    pub fn new(serve: impl Fn(TcpStream, &Pool) + Send + Sync + 'static) -> Arc<Pool> {
        Arc::new(Pool { state: Mutex::default(), arrived: Condvar::new(), serve: Box::new(serve) })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The state is a queue and two counters, consistent whenever the lock is released.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues an accepted connection; starts a thread for it unless an idle one will take it or
    /// the cap is reached.
    pub fn admit(self: &Arc<Self>, stream: TcpStream) {
        let mut state = self.state();
        state.waiting.push_back(stream);
        if state.waiting.len() > state.idle && state.threads < MAX_CONNECTION_THREADS {
            let pool = Arc::clone(self);
            let spawned = std::thread::Builder::new().name("connection".into()).spawn(move || pool.work());
            match spawned {
                Ok(_) => state.threads += 1,
                // The connection stays queued for a thread that frees up.
                Err(e) => eprintln!("fake-azure: cannot start a connection thread: {e}"),
            }
        }
        self.arrived.notify_one();
    }

    /// Whether accepted connections wait that no idle thread will take: an idle kept-alive
    /// connection then gives way to them.
    pub fn others_wait(&self) -> bool {
        let state = self.state();
        state.waiting.len() > state.idle
    }

    fn work(&self) {
        loop {
            let stream = {
                let mut state = self.state();
                loop {
                    if let Some(stream) = state.waiting.pop_front() {
                        break stream;
                    }
                    state.idle += 1;
                    state = self.arrived.wait(state).unwrap_or_else(|poisoned| poisoned.into_inner());
                    state.idle -= 1;
                }
            };
            // A panic ends that connection only (its message is printed), never the thread's slot.
            let _ = catch_unwind(AssertUnwindSafe(|| (self.serve)(stream, self)));
        }
    }
}
