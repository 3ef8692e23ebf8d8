//! Exit codes: one per error class, so that a script can branch on `$?` without parsing text.
//!
//! A library error exits with 10 + its C ABI code (`HWINST_NOT_FOUND` = 7 → 17): the numbers
//! come from `hwinst_code`, the one place they are defined, so the command line, the C header
//! and the error documents cannot drift apart.

use hwinst::ffi::hwinst_code;
use hwinst::ErrorKind;
use std::fmt::Write as _;
use std::io;

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// The library's error: the configuration, the request, the answer or the wait.
    Library(hwinst::Error),
    /// The output could not be written (a reader that went away is still success: see
    /// [`CLOSED_STDOUT`]).
    Output(io::Error),
    /// `sim serve` and `demo`: the simulator could not start (its address or scenario), or
    /// its client configuration could not be written. Says what, for people.
    Simulator(String),
    /// `demo`: an instance did not end as its script says. Says which, for people.
    Demo(String),
    /// A usage error found after parsing (a bad line of `wait --targets`). Says what.
    Usage(String),
    /// `wait` for several instances: the fleet's condition was not met, with the kind of
    /// why (`FleetOutcome::status`). The results are already printed; says why, for people.
    Fleet(ErrorKind, String),
}

impl From<hwinst::Error> for Failure {
    fn from(error: hwinst::Error) -> Failure {
        Failure::Library(error)
    }
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Failure {
        Failure::Output(error)
    }
}

impl From<hwinst::sim::SimError> for Failure {
    fn from(error: hwinst::sim::SimError) -> Failure {
        Failure::Simulator(format!("the simulator cannot start: {error}"))
    }
}

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Library(error) => for_kind(error.kind()),
            Failure::Output(_) | Failure::Demo(_) => OTHER,
            Failure::Usage(_) => USAGE,
            Failure::Fleet(kind, _) => for_kind(*kind),
            // What to simulate, and where, is the simulator's configuration.
            Failure::Simulator(_) => for_kind(ErrorKind::Config),
        }
    }
}

/// Everything went as asked.
pub const SUCCESS: u8 = 0;
/// A failure that is not the library's: the output could not be written, or the demo did not
/// go as scripted.
pub const OTHER: u8 = 1;
/// The command line itself was wrong (clap exits with it).
pub const USAGE: u8 = 2;
/// Added to the C ABI's code: 1 and 2 are taken by the conventions above.
const LIBRARY_OFFSET: u8 = 10;

/// The exit code of a library error of this kind.
pub fn for_kind(kind: ErrorKind) -> u8 {
    LIBRARY_OFFSET + hwinst_code::from(kind) as u8
}

/// Every library error kind, with what it means to someone at a terminal.
const KINDS: [(ErrorKind, &str); 13] = [
    (
        ErrorKind::InvalidArgument,
        "refused before anything was sent, e.g. an unsafe ID",
    ),
    (
        ErrorKind::Config,
        "unusable configuration (credentials, region, file...; sim: address, scenario)",
    ),
    (
        ErrorKind::Transport,
        "DNS, connection, TLS or I/O failure; oversized answer",
    ),
    (
        ErrorKind::Timeout,
        "a request timed out, or `wait` reached its --timeout",
    ),
    (
        ErrorKind::Unauthorized,
        "HTTP 401: the credentials are missing, wrong or expired",
    ),
    (ErrorKind::Forbidden, "HTTP 403: not allowed"),
    (
        ErrorKind::NotFound,
        "HTTP 404: no such instance in this project and region",
    ),
    (
        ErrorKind::Throttled,
        "HTTP 429: still throttled after the retries",
    ),
    (
        ErrorKind::Server,
        "HTTP 5xx: still failing after the retries",
    ),
    (ErrorKind::Api, "another non-2xx HTTP answer"),
    (
        ErrorKind::Decode,
        "a 2xx answer that is not of the documented shape",
    ),
    (ErrorKind::Cancelled, "the wait was cancelled"),
    (
        ErrorKind::InstanceFailed,
        "`wait`: the instance (or one of several) failed or was deleted",
    ),
];

/// The "Exit codes" section of `--help`.
pub fn help_section() -> String {
    let mut text = format!(
        "Exit codes:\n  {SUCCESS:>2}  success\n  \
         {OTHER:>2}  the output could not be written, or the demo did not go as scripted\n  \
         {USAGE:>2}  usage error: unknown subcommand, flag or value (see --help)\n"
    );
    for (kind, meaning) in KINDS {
        let _ = writeln!(
            text,
            "  {:>2}  {:<16}  {meaning}",
            for_kind(kind),
            kind.as_str()
        );
    }
    text.push_str(CLOSED_STDOUT);
    text
}

/// What a closed or unwritable stdout does to the exit code (`report` in main.rs and
/// `commands::wait_many` keep to it).
pub const CLOSED_STDOUT: &str = "
The exit code is the outcome's whatever happens to stdout: a reader that goes away
early (hwinst -o json wait --targets f | head -c1) leaves a failed wait's code as it
is (23, 14, ...) and a successful one's 0; only a successful command whose output
cannot be written for another reason (a full disk) exits 1.
";
