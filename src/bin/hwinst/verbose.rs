//! `-v`: what the library logs (target `hwinst`) on stderr, one line each: `-v` its retries,
//! `Retry-After` pauses, IAM token requests and project look-ups; `-vv` every attempt too. The
//! library never logs a credential, and other crates' logs (the HTTP client's, which may show
//! headers) are not shown.
//!
//! A dozen lines rather than a logging crate: one target, one format, and lines written between
//! two redraws of the progress bars rather than through them.

use indicatif::MultiProgress;
use log::{LevelFilter, Log, Metadata, Record};
use std::io::{self, Write};
use std::sync::{Mutex, OnceLock, PoisonError};

struct StderrLogger {
    level: LevelFilter,
    /// The bars being drawn, if any.
    bars: Mutex<Option<MultiProgress>>,
}

static LOGGER: OnceLock<StderrLogger> = OnceLock::new();

/// Shows the library's records up to the level `-v` repeated `count` times asks for (none
/// without `-v`).
pub fn init(count: u8) {
    let level = match count {
        0 => return,
        1 => LevelFilter::Info,
        2 => LevelFilter::Debug,
        _ => LevelFilter::Trace,
    };
    let logger = LOGGER.get_or_init(|| StderrLogger {
        level,
        bars: Mutex::new(None),
    });
    if log::set_logger(logger).is_ok() {
        log::set_max_level(level);
    }
}

/// From now on, log lines are written while `bars` are not drawn.
pub fn around(bars: &MultiProgress) {
    if let Some(logger) = LOGGER.get() {
        *logger.bars.lock().unwrap_or_else(PoisonError::into_inner) = Some(bars.clone());
    }
}

impl Log for StderrLogger {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.level() <= self.level && metadata.target() == "hwinst"
    }

    fn log(&self, record: &Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let level = record.level().as_str().to_ascii_lowercase();
        let write = || {
            let _ = writeln!(io::stderr(), "hwinst: {level}: {}", record.args());
        };
        match &*self.bars.lock().unwrap_or_else(PoisonError::into_inner) {
            Some(bars) => bars.suspend(write),
            None => write(),
        }
    }

    fn flush(&self) {}
}
