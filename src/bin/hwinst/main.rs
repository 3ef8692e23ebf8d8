//! `hwinst`: where a Huawei Cloud ROMA Connect, APIG or Cloud DC instance is in its
//! provisioning lifecycle, from the command line.
//!
//! This file is the command line's surface (every subcommand, flag and help text) and its
//! dispatch. The subcommands that ask the cloud build one client from the configuration
//! (`config`) and live in `commands`; what they print is `output`, the live display of waits
//! `progress`, and what the process exits with `exit`. `sim serve` (`serve`) and `demo`
//! (`demo`) run the simulator and need no configuration.

mod commands;
mod config;
mod demo;
mod exit;
mod output;
mod progress;
mod serve;
mod signals;
mod verbose;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use exit::Failure;
use hwinst::{Phase, RomaListStatus, Source, Vocabulary};
use output::Format;
use std::io::{self, Write};
use std::process::ExitCode;

const ABOUT: &str = "Tell where a Huawei Cloud ROMA Connect, API Gateway or Cloud DC instance is \
                     in its provisioning lifecycle, and wait until it is ready.";

const LONG_ABOUT: &str = "\
Tell where a Huawei Cloud ROMA Connect, API Gateway (APIG, dedicated edition) or Cloud DC \
instance is in its provisioning lifecycle, and wait until it is ready.

Each service describes provisioning in its own words. hwinst shows the service's answer and \
maps it onto one lifecycle for all three: a phase (pending, creating, running, updating, \
stopping, stopped, deleting, deleted, failed or unknown), a progress in percent where the \
service reports one, and whether the phase is terminal (stays until someone acts).

Settings come from a configuration file (--config, or HWINST_CONFIG) or, without one, from \
the environment; the flags under \"Configuration\" override either. Credentials are never \
flags, because a command line is visible to other users (ps) and kept in shell history: \
they come from the file, else from the first place of the default chain that has them: the \
environment (HWINST_TOKEN, or HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or a federated \
identity: HUAWEICLOUD_SDK_IDP_ID and HUAWEICLOUD_SDK_ID_TOKEN_FILE), the official SDKs' \
profile file (~/.huaweicloud/credentials, section [basic]), a KooCLI profile \
(~/.hcloud/config.json; --profile or HWINST_PROFILE choose one), the CCE pod-identity \
endpoint, the ECS metadata service of a VM with an agency. `hwinst config show` says which.";

const ENVIRONMENT: &str = "\
Environment (read when no configuration file is given):
  HWINST_TOKEN                    an IAM token, sent as X-Auth-Token
  HUAWEICLOUD_SDK_AK, _SK         an access key pair: every request is signed
  HUAWEICLOUD_SDK_SECURITY_TOKEN  with the key pair: temporary credentials
  HUAWEICLOUD_SDK_IDP_ID, HUAWEICLOUD_SDK_ID_TOKEN_FILE
                                  a federated OIDC identity (wins over the key pair):
                                  the ID token in the file is exchanged with IAM
  HUAWEICLOUD_SDK_REGION          the region, e.g. cn-north-4
  HUAWEICLOUD_SDK_PROJECT_ID      the project (else looked up by region)
  HUAWEICLOUD_SDK_IAM_ENDPOINT    IAM's endpoint
  HUAWEICLOUD_SDK_REGION_{SERVICE}_{REGION}
                                  one service's endpoint in one region
  HUAWEICLOUD_SDK_CREDENTIALS_FILE
                                  the profile file (default ~/.huaweicloud/credentials)
  HWINST_PROFILE                  the KooCLI profile the chain reads (default: current)
  HC_CONTAINER_CREDENTIALS_FULL_URI, HC_CONTAINER_AUTHORIZATION_TOKEN_FILE
                                  CCE pod identity
  HWINST_METADATA_ENDPOINT        the ECS metadata service (default
                                  http://169.254.169.254; \"none\" turns it off)
  HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY
                                  the proxy

Output:
  Results go to stdout: key/value views and tables, or with --output json one
  JSON document, the service's answer as hwinst decodes it (every field kept).
  Remarks and errors go to stderr; an error is one line, \"hwinst: ...\", which
  never shows a credential. With --output json, every failure but a usage error
  also writes the error document to stdout, as the C library writes it:
  {\"code\",\"message\",\"http_status\",\"error_code\",\"error_msg\",
   \"request_id\",\"retryable\",\"lifecycle\"}
";

const EXAMPLES: &str = "\
Examples:
  hwinst demo                  # a first look, without a cloud account
  export HUAWEICLOUD_SDK_REGION=cn-north-4 HUAWEICLOUD_SDK_PROJECT_ID=0a1b2c3d4e5f
  export HWINST_TOKEN=...      # or HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK
  hwinst progress apig eddc4d25480b4cd6b512f270a1b8b341
  hwinst show b037d389-62a4-464a-8461-c88797ad4f23
  hwinst list --status RUNNING
  hwinst wait apig eddc4d25480b4cd6b512f270a1b8b341 --timeout 20m
  hwinst --output json list --all | jq -r '.instances[].id'
  hwinst --config ~/.config/hwinst.json status 5e3d1b3c2a5c4d8e
";

/// `hwinst --help`: what to set, what comes out, examples, exit codes.
fn top_level_help(long: bool) -> String {
    let environment = if long { ENVIRONMENT } else { "" };
    let sep = if long { "\n" } else { "" };
    format!("{environment}{sep}{EXAMPLES}\n{}", exit::help_section())
}

#[derive(Debug, Parser)]
#[command(
    name = "hwinst",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = top_level_help(false),
    after_long_help = top_level_help(true),
    arg_required_else_help = true,
    max_term_width = 100
)]
struct Cli {
    #[command(flatten)]
    config: config::ConfigArgs,

    /// How to print results: human (views and tables) or json (one document on stdout, for
    /// scripts; see Output in --help).
    #[arg(
        short,
        long,
        value_enum,
        value_name = "FORMAT",
        default_value_t = Format::Human,
        global = true,
        help_heading = "Output (any subcommand)"
    )]
    output: Format,

    /// Show what the library does on the way, on stderr: -v its retries (with the cause and
    /// the pause), Retry-After pauses, IAM token requests and project look-ups; -vv every
    /// request too. Never a credential.
    #[arg(
        short,
        long,
        action = clap::ArgAction::Count,
        global = true,
        help_heading = "Output (any subcommand)"
    )]
    verbose: u8,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show an instance's creation progress (ROMA Connect or API Gateway).
    #[command(after_help = "\
Examples:
  hwinst progress apig eddc4d25480b4cd6b512f270a1b8b341
  hwinst progress roma b037d389-62a4-464a-8461-c88797ad4f23 --output json")]
    Progress {
        /// Which service's creation progress.
        #[arg(value_enum)]
        service: ProgressService,
        /// The instance's ID.
        id: String,
    },

    /// Show a ROMA Connect instance's details.
    #[command(after_help = "\
The human view shows the main fields; --output json shows every field the service sent.

Example:
  hwinst show b037d389-62a4-464a-8461-c88797ad4f23")]
    Show {
        /// The instance's ID.
        id: String,
    },

    /// List ROMA Connect instances (one page, or --all).
    #[command(after_help = "\
Examples:
  hwinst list                          the service's first page
  hwinst list --limit 20 --offset 40   the third page of 20
  hwinst list --all --status RUNNING   every running instance
  hwinst list --all --output json      {\"total\":N,\"instances\":[...]}

In human mode, remarks (no instances, more pages to come) go to stderr.")]
    List(ListArgs),

    /// Show a Cloud DC instance's status.
    #[command(after_help = "\
Example:
  hwinst status 5e3d1b3c2a5c4d8e")]
    Status {
        /// The instance's ID.
        id: String,
    },

    /// Show an instance's lifecycle: its phase, progress and status, read from one source.
    #[command(after_help = "\
Example:
  hwinst lifecycle roma-details b037d389-62a4-464a-8461-c88797ad4f23")]
    Lifecycle {
        /// Where to read it: which service and API.
        #[arg(value_parser = source_parser())]
        source: Source,
        /// The instance's ID.
        id: String,
    },

    /// Wait until instances reach a phase (running by default), showing their progress.
    #[command(after_help = "\
While waiting, each change is shown: as a live progress bar on a terminal, or as one
line per change otherwise (\"2026-11-22T12:00:01Z apig eddc... creating 50%\"). In
human mode this goes to stdout, followed by the final lifecycle. With --output json
it goes to stderr, and stdout gets only the final lifecycle document (or the error
document).

Several IDs, or --targets FILE, wait for a fleet at once: one bar (or line) per
instance, polls shared out by one scheduler within each service's --rate budget, then
a table of how each ended (with --output json, the fleet document:
{\"instances\":[{\"source\",\"instance_id\",\"outcome\",\"lifecycle\",\"error\",\"polls\"}],
\"requests\",\"throttled\",\"elapsed_ms\"}). Each instance is polled as one wait polls.

Throttling, server errors and connection failures are polled through until the
timeout; \"not found\" is polled through for --not-found-grace after the start.

Exit codes: 0 the instance reached a target phase (several: every one, or with --any
one of them); 14 the timeout passed; 23 it failed or was deleted (unless that was a
target); 22 cancelled (Ctrl-C); others: hwinst --help.

Examples:
  hwinst wait apig eddc4d25480b4cd6b512f270a1b8b341
  hwinst wait clouddc 5e3d1b3c2a5c4d8e --until running,stopped --timeout 1h
  hwinst wait roma-details b037d389-62a4-464a-8461-c88797ad4f23 --until deleted
  hwinst -o json wait apig eddc4d25480b4cd6b512f270a1b8b341 2>/dev/null | jq .phase
  hwinst wait apig gw-1 gw-2 gw-3 --rate apig=2 --fail-fast
  printf 'apig gw-1\\nroma r-1\\nclouddc dc-1\\n' | hwinst wait --targets - --timeout 1h")]
    Wait(WaitArgs),

    /// Show the settings hwinst would use and where each came from (no secret is shown).
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },

    /// Run a local simulator of the services, to try hwinst or test tools offline.
    Sim {
        #[command(subcommand)]
        command: SimCommand,
    },

    /// See hwinst at work on simulated instances, without a cloud account (about 10 s).
    #[command(after_help = "\
A simulator starts in this process (on loopback, at a free port) and plays six instances:
API Gateway instances that are created (one of them throttled twice on the way, with
HTTP 429 and Retry-After, which pauses every API Gateway poll until it passes), a ROMA
Connect instance that is created and one whose creation fails, a Cloud DC instance that
is installed and one whose installation fails. hwinst waits for all of them at once with
one fleet wait (as `hwinst wait` with several IDs does: 4 requests in flight at most,
a budget of 4 requests/s per service, times --speed above 1), showing their progress
(bars on a terminal, else one line per change), then prints what each ended as beside
what its script says, the requests the wait sent, and what the simulator saw.

It needs no configuration and sends nothing outside this machine.

Exit codes: 0 every instance ended as scripted (the failures included); 1 one did not;
12 the simulator could not start.

Examples:
  hwinst demo
  hwinst demo --speed 4
  hwinst demo --output json | jq '.instances[] | {id, outcome}'")]
    Demo(DemoArgs),
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Read the settings as any command would (finding the credentials: the configuration
    /// file, else the environment, else ~/.huaweicloud/credentials, a KooCLI profile, CCE pod
    /// identity, the ECS metadata service) and show the credentials, region, project and
    /// endpoints, with where each came from, and what is missing or wrong. Exits 0 when the
    /// settings could be read, complete or not (-o json: "complete"); sends no request to the
    /// services.
    #[command(after_help = "\
Examples:
  hwinst config show
  hwinst --profile dev config show
  hwinst -o json config show | jq -r .credentials.from")]
    Show,
}

#[derive(Debug, Subcommand)]
enum SimCommand {
    /// Serve the simulator until stdin closes or it is killed; its base URL is the first line of stdout.
    #[command(after_help = "\
Every service and IAM are served under the one base URL, printed as the first line of
stdout (http://127.0.0.1:PORT). GET /_sim/config gives a client configuration for it
(--write-config writes it to a file first), and /_sim/ holds an admin API to add
instances and faults and see the requests: docs/simulator.md describes it all.

It needs no configuration and listens on loopback addresses only: it accepts fake
credentials, and anyone who reaches its admin API can change it.

It stops, exiting 0, when its standard input closes (Ctrl-D at a terminal, or the
program that started it closing the pipe or exiting), or on Ctrl-C. With stdin from
/dev/null or a file (as `hwinst sim serve &` gets in a script), closing cannot signal
anything, so it serves until it is killed.

Exit codes: 0 stopped as asked; 12 the address, the scenario file or the configuration
file cannot be used.

Examples:
  hwinst sim serve --write-config sim.json
  hwinst sim serve --addr 127.0.0.1:8080 --scenario scenario.json
  hwinst sim serve --scenario scenario.json --write-config sim.json > sim.url &
  until [ -s sim.url ]; do sleep 0.1; done     # the URL is printed once it serves
  hwinst --config sim.json status dc-1; kill %1")]
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Where to listen: 127.0.0.1:PORT, [::1]:PORT or localhost:PORT (port 0: a free one).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub addr: String,

    /// What to simulate: a scenario file (JSON: instances, faults, credentials, speed; see
    /// docs/simulator.md) [default: no instances, token sim-token].
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<std::path::PathBuf>,

    /// Write the client configuration for this simulator to FILE before printing the URL,
    /// for hwinst --config FILE (the same document as GET /_sim/config).
    #[arg(long, value_name = "FILE")]
    pub write_config: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many times faster than the default pace the instances move, e.g. 4 or 0.5.
    #[arg(long, value_name = "X", default_value_t = 1.0, value_parser = parse_speed)]
    pub speed: f64,
}

/// The slowest and fastest `--speed`: beyond them the demo's pauses and budgets stop making
/// sense (and 1e-300 would make a timeout no `Duration` holds).
const SPEEDS: std::ops::RangeInclusive<f64> = 0.01..=100.0;

fn parse_speed(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(speed) if SPEEDS.contains(&speed) => Ok(speed),
        _ => Err(format!(
            "expected a number from {} to {}, e.g. 4 or 0.5",
            SPEEDS.start(),
            SPEEDS.end()
        )),
    }
}

/// The services whose creation progress can be asked for.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ProgressService {
    /// ROMA Connect: GET /v2/{project_id}/instances/{id}/process
    Roma,
    /// API Gateway: GET /v2/{project_id}/apigw/instances/{id}/progress
    Apig,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only instances in this status, e.g. RUNNING (--help lists the service's words).
    #[arg(long, value_name = "STATUS", long_help = list_status_help())]
    pub status: Option<String>,

    #[arg(long, value_name = "N", help = format!(
        "At most N instances (with --all: N per request) [default: the service's; with --all, {}]",
        hwinst::DEFAULT_PAGE_SIZE
    ))]
    pub limit: Option<u32>,

    /// Skip the first N instances.
    #[arg(long, value_name = "N")]
    pub offset: Option<u32>,

    /// Every instance, fetched page after page (instead of one page).
    #[arg(long)]
    pub all: bool,
}

fn list_status_help() -> String {
    let words: Vec<&str> = RomaListStatus::WORDS
        .iter()
        .filter(|(spelling, meaning)| meaning.word() == *spelling)
        .map(|(spelling, _)| *spelling)
        .collect();
    format!(
        "Only instances in this status: {} (any other word is passed on as it is).",
        words.join(", ")
    )
}

#[derive(Debug, Args)]
pub struct WaitArgs {
    /// Where to read the lifecycle: which service and API.
    #[arg(value_parser = source_parser(), required_unless_present = "targets")]
    pub source: Option<Source>,

    /// The instance's ID; several IDs wait for them all at once (a fleet wait).
    #[arg(value_name = "ID", required_unless_present = "targets")]
    pub ids: Vec<String>,

    /// Wait for the instances listed in FILE, one "SOURCE ID" a line (sources may be mixed;
    /// blank lines and lines starting with # are skipped); - reads stdin.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["source", "ids"])]
    pub targets: Option<std::path::PathBuf>,

    /// Stop when the instance reaches this phase; repeat the flag or separate phases with
    /// commas for several. Reaching failed or deleted ends the wait (exit code 23) unless
    /// listed.
    #[arg(
        long,
        value_name = "PHASE",
        value_parser = phase_parser(),
        value_delimiter = ',',
        default_values_t = hwinst::WaitOptions::new().target_phases().to_vec()
    )]
    pub until: Vec<Phase>,

    /// Give up after this long (exit code 14), e.g. 90s, 20m, 1h30m.
    #[arg(long, value_name = "DURATION", default_value_t = hwinst::DEFAULT_WAIT_TIMEOUT.into())]
    pub timeout: humantime::Duration,

    /// The pause after the first poll; each later pause is half as long again, up to
    /// --max-interval (every pause shortened at random by up to half).
    #[arg(long, value_name = "DURATION", default_value_t = hwinst::DEFAULT_INITIAL_INTERVAL.into())]
    pub interval: humantime::Duration,

    /// The longest pause between polls.
    #[arg(long, value_name = "DURATION", default_value_t = hwinst::DEFAULT_MAX_INTERVAL.into())]
    pub max_interval: humantime::Duration,

    /// For how long after the start "not found" means "not visible yet" (a new instance can
    /// take a moment to appear) rather than "no such instance".
    #[arg(long, value_name = "DURATION", default_value_t = hwinst::DEFAULT_NOT_FOUND_GRACE.into())]
    pub not_found_grace: humantime::Duration,

    /// A target phase counts once seen on N polls in a row (for statuses that flap).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub settle: u32,

    /// Show no progress: only the final lifecycle (or the error).
    #[arg(short, long)]
    pub quiet: bool,

    /// Several instances: end at the first that reaches a target phase (default: when
    /// every one has an outcome).
    #[arg(long, help_heading = "Several instances")]
    pub any: bool,

    /// Several instances: end at the first that fails.
    #[arg(long, help_heading = "Several instances")]
    pub fail_fast: bool,

    /// Several instances: the most requests in flight at once (and worker threads).
    #[arg(long, value_name = "N", default_value_t = hwinst::DEFAULT_CONCURRENCY,
          help_heading = "Several instances")]
    pub concurrency: usize,

    /// Several instances: the request budget of one service shared by all its polls, e.g.
    /// apig=2 (repeatable) [default: 0.5 per service].
    #[arg(long, value_name = "SERVICE=N", value_parser = parse_rate,
          help_heading = "Several instances")]
    pub rate: Vec<(hwinst::Service, f64)>,

    /// Several instances: read ROMA instances one request each (with their progress) rather
    /// than through one paged list request for all of them (statuses only).
    #[arg(long, help_heading = "Several instances")]
    pub no_batch_roma: bool,
}

/// `--rate apig=2`: a service and a positive number of requests per second.
fn parse_rate(text: &str) -> Result<(hwinst::Service, f64), String> {
    let (name, rate) = text
        .split_once('=')
        .ok_or_else(|| "expected SERVICE=N, e.g. apig=2".to_owned())?;
    let service = hwinst::Service::ALL
        .into_iter()
        .find(|service| service.to_string() == name.trim())
        .ok_or_else(|| format!("unknown service {name:?}; services are roma, apig, clouddc"))?;
    match rate.trim().parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate > 0.0 => Ok((service, rate)),
        _ => Err("expected a number of requests per second greater than zero".to_owned()),
    }
}

/// The sources the library can poll, named and described for `--help` and value errors.
fn source_parser() -> impl TypedValueParser<Value = Source> {
    let help = |source: Source| match source {
        Source::Roma => "ROMA Connect creation progress (GET .../instances/{id}/process)",
        Source::RomaDetails => "ROMA Connect instance details (GET .../apic/instances/{id})",
        Source::Apig => "API Gateway creation progress (GET .../apigw/instances/{id}/progress)",
        Source::Clouddc => "Cloud DC instance status (GET .../instances/{id}/status)",
        _ => "",
    };
    PossibleValuesParser::new(
        Source::POLLABLE.map(|source| PossibleValue::new(source.as_str()).help(help(source))),
    )
    .try_map(|name| name.parse::<Source>())
}

/// The phases, named as the library names them.
fn phase_parser() -> impl TypedValueParser<Value = Phase> {
    PossibleValuesParser::new(Phase::ALL.map(Phase::as_str)).try_map(|name| name.parse::<Phase>())
}

fn main() -> ExitCode {
    // Usage errors exit with clap's 2, `--help` and `--version` with 0.
    let cli = Cli::parse();
    let format = cli.output;
    verbose::init(cli.verbose);
    match run(cli) {
        Ok(()) => ExitCode::from(exit::SUCCESS),
        Err(failure) => report(&failure, format),
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    let format = cli.output;
    let client = || config::client(&cli.config);
    match &cli.command {
        Command::Progress { service, id } => commands::progress(&client()?, format, *service, id),
        Command::Show { id } => commands::show(&client()?, format, id),
        Command::List(args) => commands::list(&client()?, format, args),
        Command::Status { id } => commands::status(&client()?, format, id),
        Command::Lifecycle { source, id } => commands::lifecycle(&client()?, format, *source, id),
        Command::Wait(args) => commands::wait(&client()?, format, args),
        Command::Config {
            command: ConfigCommand::Show,
        } => commands::config_show(config::builder(&cli.config)?, format, &cli.config),
        Command::Sim {
            command: SimCommand::Serve(args),
        } => serve::serve(args),
        Command::Demo(args) => demo::demo(format, args),
    }
}

/// Says what failed (stderr; in JSON mode also the error document on stdout) and gives the
/// exit code. A reader that went away (`hwinst list | head -1`) is not a failure.
fn report(failure: &Failure, format: Format) -> ExitCode {
    match failure {
        Failure::Output(e) if e.kind() == io::ErrorKind::BrokenPipe => {
            return ExitCode::from(exit::SUCCESS)
        }
        Failure::Output(e) => {
            let _ = writeln!(io::stderr(), "hwinst: cannot write the output: {e}");
        }
        Failure::Library(error) => {
            if format == Format::Json {
                let mut out = io::stdout().lock();
                // The C ABI's document, pretty-printed like every other JSON output.
                let document: serde_json::Value =
                    serde_json::from_str(&error.document()).expect("the error document is JSON");
                let _ = output::json(&mut out, &document);
                let _ = out.flush();
            }
            // A newcomer's first run usually lacks credentials or a region: say where to look.
            let hint = match error.kind() {
                hwinst::ErrorKind::Config => " (hwinst --help lists the settings)",
                _ => "",
            };
            let _ = writeln!(io::stderr(), "hwinst: {error}{hint}");
        }
        Failure::Simulator(problem) => {
            if format == Format::Json {
                // The same document as every other failure's, with the configuration's code.
                let document = hwinst::Error::Config(problem.clone()).document();
                if let Ok(document) = serde_json::from_str::<serde_json::Value>(&document) {
                    let mut out = io::stdout().lock();
                    let _ = output::json(&mut out, &document);
                    let _ = out.flush();
                }
            }
            let _ = writeln!(io::stderr(), "hwinst: {problem}");
        }
        // The summary on stdout already shows what went wrong (as JSON too).
        Failure::Demo(problem) | Failure::Fleet(_, problem) | Failure::Usage(problem) => {
            let _ = writeln!(io::stderr(), "hwinst: {problem}");
        }
    }
    ExitCode::from(failure.exit_code())
}
