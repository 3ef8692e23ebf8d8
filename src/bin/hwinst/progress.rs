//! The live display of `hwinst wait`: a progress bar on a terminal, one line per change
//! elsewhere (a log, a pipe, CI), so that what a log keeps is readable.
//!
//! The display goes where the results are not parsed: stdout in human mode, stderr with
//! `--output json` (whose stdout holds only the final document).

use crate::output::{lifecycle_line, utc, Format};
use hwinst::Lifecycle;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{self, IsTerminal, Write};
use std::time::Duration;

/// How a wait shows the lifecycle changes it sees.
pub enum WaitDisplay {
    /// A bar for the progress (a spinner when the source reports none) and the last change.
    Bar(ProgressBar),
    /// `2026-11-22T12:00:01Z apig eddc… creating 50% (status creating)` per change.
    Lines(Stream),
    /// Nothing (`--quiet`).
    Quiet,
}

#[derive(Clone, Copy)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl WaitDisplay {
    pub fn new(format: Format, quiet: bool) -> WaitDisplay {
        let stream = match format {
            Format::Human => Stream::Stdout,
            Format::Json => Stream::Stderr,
        };
        let terminal = match stream {
            Stream::Stdout => io::stdout().is_terminal(),
            Stream::Stderr => io::stderr().is_terminal(),
        };
        if quiet {
            WaitDisplay::Quiet
        } else if terminal {
            let target = match stream {
                Stream::Stdout => ProgressDrawTarget::stdout(),
                Stream::Stderr => ProgressDrawTarget::stderr(),
            };
            let bar = ProgressBar::with_draw_target(Some(100), target);
            bar.set_style(style(false));
            bar.set_message("waiting for the first answer…");
            bar.enable_steady_tick(Duration::from_millis(100));
            WaitDisplay::Bar(bar)
        } else {
            WaitDisplay::Lines(stream)
        }
    }

    /// Shows a change. A line that cannot be written is dropped: the wait goes on, and its
    /// outcome still decides the exit code.
    pub fn show(&self, lifecycle: &Lifecycle) {
        match self {
            WaitDisplay::Bar(bar) => {
                bar.set_style(style(lifecycle.progress.is_some()));
                bar.set_position(lifecycle.progress.map_or(0, u64::from));
                bar.set_message(lifecycle_line(lifecycle));
            }
            WaitDisplay::Lines(stream) => {
                let observed = i64::try_from(lifecycle.observed_at_ms).ok().and_then(utc);
                let line = format!(
                    "{} {}\n",
                    observed.as_deref().unwrap_or("-"),
                    lifecycle_line(lifecycle)
                );
                let _ = match stream {
                    Stream::Stdout => io::stdout().write_all(line.as_bytes()),
                    Stream::Stderr => io::stderr().write_all(line.as_bytes()),
                };
            }
            WaitDisplay::Quiet => {}
        }
    }

    /// Removes the bar, before the result or the error is printed.
    pub fn finish(self) {
        if let WaitDisplay::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

/// The bar's look: with a bar when the source reports progress, a spinner alone otherwise.
fn style(with_progress: bool) -> ProgressStyle {
    let template = if with_progress {
        "{spinner} {elapsed:>4} [{bar:30}] {wide_msg}"
    } else {
        "{spinner} {elapsed:>4} {wide_msg}"
    };
    ProgressStyle::with_template(template)
        .map(|style| style.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}
