//! The live display of waits (`hwinst wait`, and the several waits of `hwinst demo`): progress
//! bars on a terminal, one line per change elsewhere (a log, a pipe, CI), so that what a log
//! keeps is readable.
//!
//! The display goes where the results are not parsed: stdout in human mode, stderr with
//! `--output json` (whose stdout holds only the final document).

use crate::output::{clean, fleet_line, lifecycle_line, utc, Format};
use hwinst::{FleetEvent, Lifecycle, Source, Target};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{self, IsTerminal, Write};
use std::time::Duration;

/// Where the displays of one command's waits draw.
pub enum Surface {
    /// One bar per wait, stacked (a single wait is a stack of one).
    Bars(MultiProgress),
    /// Lines, on this stream.
    Lines(Stream),
    /// Nothing (`--quiet`).
    Quiet,
}

#[derive(Clone, Copy)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Surface {
    pub fn new(format: Format, quiet: bool) -> Surface {
        let stream = match format {
            Format::Human => Stream::Stdout,
            Format::Json => Stream::Stderr,
        };
        let terminal = match stream {
            Stream::Stdout => io::stdout().is_terminal(),
            Stream::Stderr => io::stderr().is_terminal(),
        };
        if quiet {
            Surface::Quiet
        } else if terminal {
            let target = match stream {
                Stream::Stdout => ProgressDrawTarget::stdout(),
                Stream::Stderr => ProgressDrawTarget::stderr(),
            };
            let bars = MultiProgress::with_draw_target(target);
            crate::verbose::around(&bars);
            Surface::Bars(bars)
        } else {
            Surface::Lines(stream)
        }
    }

    /// The display of one wait, for `source`'s instance `id`. Threads may each have their
    /// own, on one surface.
    pub fn display(&self, source: Source, id: &str) -> WaitDisplay {
        match self {
            Surface::Bars(bars) => {
                let bar = bars.add(ProgressBar::new(100));
                bar.set_style(style(false));
                bar.set_message(format!(
                    "{source} {} waiting for the first answer…",
                    clean(id)
                ));
                bar.enable_steady_tick(Duration::from_millis(100));
                WaitDisplay::Bar(bar)
            }
            Surface::Lines(stream) => WaitDisplay::Lines(*stream),
            Surface::Quiet => WaitDisplay::Quiet,
        }
    }
}

/// The displays of a fleet wait (`hwinst wait` with several instances, `hwinst demo`): one per
/// target, in the order of the targets; each change goes to its target's, and its line names
/// the target (an instance read through the ROMA list changes as `roma-list`, which would not
/// tell a `roma` target from a `roma-details` one).
pub struct FleetDisplay {
    displays: Vec<WaitDisplay>,
}

impl FleetDisplay {
    pub fn new(surface: &Surface, targets: &[Target]) -> FleetDisplay {
        let displays = targets
            .iter()
            .map(|t| surface.display(t.source, &t.instance_id))
            .collect();
        FleetDisplay { displays }
    }

    /// Shows a change on its target's display.
    pub fn show(&self, event: &FleetEvent) {
        if let Some(display) = self.displays.get(event.index) {
            display.show_line(event.lifecycle, fleet_line(event.target, event.lifecycle));
        }
    }

    /// Stops every bar where it is (see [`WaitDisplay::keep`]).
    pub fn keep(self) {
        self.displays.into_iter().for_each(WaitDisplay::keep);
    }
}

/// How one wait shows the lifecycle changes it sees.
pub enum WaitDisplay {
    /// A bar for the progress (a spinner when the source reports none) and the last change.
    Bar(ProgressBar),
    /// `2026-11-22T12:00:01Z apig eddc… creating 50% (status creating)` per change.
    Lines(Stream),
    /// Nothing.
    Quiet,
}

impl WaitDisplay {
    /// Shows a change. A line that cannot be written is dropped: the wait goes on, and its
    /// outcome still decides the exit code.
    pub fn show(&self, lifecycle: &Lifecycle) {
        self.show_line(lifecycle, lifecycle_line(lifecycle));
    }

    /// Shows a change as `line` (after the time it was seen, or beside the bar).
    fn show_line(&self, lifecycle: &Lifecycle, line: String) {
        match self {
            WaitDisplay::Bar(bar) => {
                bar.set_style(style(lifecycle.progress.is_some()));
                bar.set_position(lifecycle.progress.map_or(0, u64::from));
                bar.set_message(line);
            }
            WaitDisplay::Lines(stream) => {
                let observed = i64::try_from(lifecycle.observed_at_ms).ok().and_then(utc);
                // One `write_all` per line: lines of concurrent waits do not interleave.
                let line = format!("{} {line}\n", observed.as_deref().unwrap_or("-"));
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

    /// Stops the bar where it is, leaving its last state on the screen (the demo's waits,
    /// which end one after the other above the summary).
    pub fn keep(self) {
        if let WaitDisplay::Bar(bar) = self {
            bar.finish();
        }
    }
}

/// The bar's look: with a bar when the source reports progress, a spinner alone otherwise
/// (with the bar's width left blank, so that the messages of stacked waits line up).
fn style(with_progress: bool) -> ProgressStyle {
    let template = if with_progress {
        "{spinner} {elapsed:>4} [{bar:20}] {wide_msg}"
    } else {
        "{spinner} {elapsed:>4} {prefix:22} {wide_msg}"
    };
    ProgressStyle::with_template(template)
        .map(|style| style.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}
