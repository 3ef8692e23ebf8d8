//! The library's log records (target `hwinst`), captured per thread: tests run in parallel
//! threads, and each reads only its own (the client logs on the calling thread).

use log::{Level, Log, Metadata, Record};
use std::sync::{Mutex, Once};
use std::thread::ThreadId;

struct Capture(Mutex<Vec<(ThreadId, Level, String, String)>>);

impl Log for Capture {
    fn enabled(&self, _: &Metadata) -> bool {
        true
    }

    fn log(&self, record: &Record) {
        let entry = (
            std::thread::current().id(),
            record.level(),
            record.target().to_owned(),
            record.args().to_string(),
        );
        self.0.lock().unwrap().push(entry);
    }

    fn flush(&self) {}
}

static CAPTURE: Capture = Capture(Mutex::new(Vec::new()));

/// Installs the capture as the process's logger, at trace level, once.
pub fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        log::set_logger(&CAPTURE).unwrap();
        log::set_max_level(log::LevelFilter::Trace);
    });
}

/// Every record of the process so far, from every thread and crate but the mock server's
/// (which logs what it receives, secrets included: the server's side, not the client's), as
/// "LEVEL target: message".
pub fn all_lines() -> Vec<String> {
    CAPTURE
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, _, target, _)| !target.starts_with("mockito"))
        .map(|(_, level, target, message)| format!("{level} {target}: {message}"))
        .collect()
}

/// This thread's records so far, as (level, message), after checking that each has the
/// `hwinst` target and holds none of `secrets`. The first call installs the logger.
pub fn records(secrets: &[&str]) -> Vec<(Level, String)> {
    install();
    let me = std::thread::current().id();
    let all = CAPTURE.0.lock().unwrap();
    all.iter()
        .filter(|(thread, ..)| *thread == me)
        .filter(|(_, _, target, _)| target.starts_with("hwinst"))
        .map(|(_, level, target, message)| {
            assert_eq!(target, "hwinst", "{message}");
            for secret in secrets {
                assert!(!message.contains(secret), "a secret in the log: {message}");
            }
            (*level, message.clone())
        })
        .collect()
}
