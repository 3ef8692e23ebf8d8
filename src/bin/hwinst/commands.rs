//! The subcommands that ask the cloud: each calls the library once (or waits) and prints the
//! answer in the chosen format.

use crate::exit::Failure;
use crate::output::{self, Format};
use crate::progress::{FleetDisplay, Surface};
use crate::{ListArgs, ProgressService, WaitArgs};
use hwinst::{
    Client, FleetMode, FleetOptions, FleetOutcome, InstanceOutcome, Lifecycle, RomaInstanceSummary,
    RomaListQuery, Source, Target, WaitOptions,
};
use serde::Serialize;
use std::io::{self, Write};
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

/// Prints `model` as JSON, or as `human` writes it.
fn print(
    format: Format,
    model: &impl Serialize,
    human: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    match format {
        Format::Json => output::json(&mut out, model)?,
        Format::Human => human(&mut out)?,
    }
    out.flush()?;
    Ok(())
}

/// A remark for people beside the results (stderr, so that stdout stays the results only).
fn note(text: &str) {
    let _ = writeln!(io::stderr(), "{text}");
}

pub fn progress(
    client: &Client,
    format: Format,
    service: ProgressService,
    id: &str,
) -> Result<(), Failure> {
    match service {
        ProgressService::Roma => {
            let progress = client.roma_creation_progress(id)?;
            let lifecycle = Lifecycle::from_roma_process(id, &progress);
            print(format, &progress, |out| {
                let (view, sub_services) = output::roma_progress_view(&progress, &lifecycle);
                view.write(out)?;
                if let Some(table) = sub_services {
                    writeln!(out)?;
                    table.write(out)?;
                }
                Ok(())
            })
        }
        ProgressService::Apig => {
            let progress = client.apig_creation_progress(id)?;
            let lifecycle = Lifecycle::from_apig(id, &progress);
            print(format, &progress, |out| {
                output::apig_progress_view(&progress, &lifecycle).write(out)
            })
        }
    }
}

pub fn show(client: &Client, format: Format, id: &str) -> Result<(), Failure> {
    let instance = client.roma_instance(id)?;
    let lifecycle = Lifecycle::from_roma_details(id, &instance);
    print(format, &instance, |out| {
        output::roma_instance_view(&instance, &lifecycle).write(out)
    })
}

pub fn status(client: &Client, format: Format, id: &str) -> Result<(), Failure> {
    let status = client.clouddc_instance_status(id)?;
    let lifecycle = Lifecycle::from_clouddc(id, &status);
    print(format, &status, |out| {
        output::clouddc_status_view(&status, &lifecycle).write(out)
    })
}

pub fn lifecycle(client: &Client, format: Format, source: Source, id: &str) -> Result<(), Failure> {
    let lifecycle = client.lifecycle(source, id)?;
    print(format, &lifecycle, |out| {
        output::lifecycle_view(&lifecycle).write(out)
    })
}

/// One page, or with `--all` every instance from `--offset` on, in pages of `--limit`.
pub fn list(client: &Client, format: Format, args: &ListArgs) -> Result<(), Failure> {
    let mut query = RomaListQuery::new();
    if let Some(status) = &args.status {
        query = query.status(status);
    }
    if let Some(limit) = args.limit {
        query = query.limit(limit);
    }
    if let Some(offset) = args.offset {
        query = query.offset(offset);
    }
    if args.all {
        let all = client.roma_instances(&query).all()?;
        return print(format, &all, |out| instance_table(out, &all.instances));
    }
    let page = client.roma_list_instances(&query)?;
    print(format, &page, |out| instance_table(out, &page.instances))?;
    let shown = page.instances.len() as i64;
    let next = i64::from(args.offset.unwrap_or(0)) + shown;
    let more = page.total().filter(|total| shown > 0 && next < *total);
    if let (Format::Human, Some(total)) = (format, more) {
        note(&format!(
            "{shown} of {total} instances shown; --offset {next} for the next page, \
             --all for every one"
        ));
    }
    Ok(())
}

fn instance_table(out: &mut dyn Write, instances: &[RomaInstanceSummary]) -> io::Result<()> {
    if instances.is_empty() {
        note("No instances found.");
        return Ok(());
    }
    output::instance_table(instances).write(out)
}

/// One instance (`SOURCE ID`): the single wait. Several IDs or `--targets`: the fleet wait.
pub fn wait(client: &Client, format: Format, args: &WaitArgs) -> Result<(), Failure> {
    let targets = match (&args.targets, args.source, args.ids.as_slice()) {
        (Some(file), _, _) => read_targets(file)?,
        (None, Some(source), [id]) => return wait_one(client, format, args, source, id),
        (None, Some(source), ids) => ids.iter().map(|id| Target::new(source, id)).collect(),
        // clap requires SOURCE and ID without --targets.
        (None, None, _) => return Err(Failure::Usage("name SOURCE and ID, or --targets".into())),
    };
    wait_many(client, format, args, &targets)
}

/// The wait options every wait of `args` uses, with `cancel` cancelling it.
fn wait_options(args: &WaitArgs, cancel: &hwinst::CancelToken) -> WaitOptions {
    WaitOptions::new()
        .until(args.until.iter().copied())
        .timeout(args.timeout.into())
        .initial_interval(args.interval.into())
        .max_interval(args.max_interval.into())
        .not_found_grace(args.not_found_grace.into())
        .settle(args.settle)
        .cancel_token(cancel.clone())
}

fn wait_one(
    client: &Client,
    format: Format,
    args: &WaitArgs,
    source: Source,
    id: &str,
) -> Result<(), Failure> {
    let cancel = hwinst::CancelToken::new();
    let options = wait_options(args, &cancel);
    let _signals = crate::signals::CancelOnSignals::new(&cancel);
    let surface = Surface::new(format, args.quiet);
    let display = surface.display(source, id);
    // What the user waited, in real time (the CLI's client runs on the system clock).
    #[allow(clippy::disallowed_methods)]
    let started = Instant::now();
    let outcome = client.wait(source, id, &options, |lifecycle| {
        display.show(lifecycle);
        ControlFlow::Continue(())
    });
    display.finish();
    let lifecycle = outcome?;
    // Tenths of a second: enough for people, without humantime's nanoseconds.
    let waited = Duration::from_millis(started.elapsed().as_millis() as u64 / 100 * 100);
    print(format, &lifecycle, |out| {
        output::lifecycle_view(&lifecycle)
            .row("waited", Some(humantime::format_duration(waited)))
            .write(out)
    })
}

/// The most a `--targets` file may hold: far more lines than any fleet has instances.
const MAX_TARGETS_FILE: u64 = 16 * 1024 * 1024;

/// `--targets FILE` (`-`: stdin): one `SOURCE ID` a line; blank lines and `#` comments
/// skipped. A bad line is a usage error naming its number.
fn read_targets(file: &std::path::Path) -> Result<Vec<Target>, Failure> {
    let shown = file.display();
    let text = if file.as_os_str() == "-" {
        let mut text = String::new();
        io::Read::read_to_string(&mut io::stdin(), &mut text)
            .map_err(|e| Failure::Usage(format!("--targets -: cannot read stdin: {e}")))?;
        text
    } else {
        crate::config::read_capped(file, MAX_TARGETS_FILE)
            .map_err(|e| Failure::Usage(format!("--targets {shown}: cannot read it: {e}")))?
    };
    parse_targets(&text).map_err(|problem| Failure::Usage(format!("--targets {shown}: {problem}")))
}

fn parse_targets(text: &str) -> Result<Vec<Target>, String> {
    let mut targets = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [source, id] = fields[..] else {
            return Err(format!(
                "line {}: expected \"SOURCE ID\", e.g. \"apig eddc4d25480b4cd6\"",
                n + 1
            ));
        };
        let source = source
            .parse::<Source>()
            .ok()
            .filter(|source| Source::POLLABLE.contains(source))
            .ok_or_else(|| {
                format!(
                    "line {}: unknown source {:?}; sources are roma, roma-details, apig, clouddc",
                    n + 1,
                    output::clean(source)
                )
            })?;
        targets.push(Target::new(source, id));
    }
    if targets.is_empty() {
        return Err("no targets (one \"SOURCE ID\" a line)".to_owned());
    }
    Ok(targets)
}

fn wait_many(
    client: &Client,
    format: Format,
    args: &WaitArgs,
    targets: &[Target],
) -> Result<(), Failure> {
    let cancel = hwinst::CancelToken::new();
    let mut options = FleetOptions::new()
        .wait_options(wait_options(args, &cancel))
        .mode(if args.any {
            FleetMode::Any
        } else {
            FleetMode::All
        })
        .fail_fast(args.fail_fast)
        .concurrency(args.concurrency)
        .batch_roma(!args.no_batch_roma);
    for (service, rate) in &args.rate {
        options = options.max_requests_per_second(*service, *rate);
    }
    let _signals = crate::signals::CancelOnSignals::new(&cancel);
    let surface = Surface::new(format, args.quiet);
    let display = FleetDisplay::new(&surface, targets);
    let fleet = client.wait_many(targets, &options, |event| display.show(event));
    display.keep();
    let fleet = fleet?;
    let printed = match format {
        Format::Json => {
            let document: serde_json::Value =
                serde_json::from_str(&fleet.document()).expect("the fleet document is JSON");
            print(format, &document, |_| Ok(()))
        }
        Format::Human => print(format, &(), |out| fleet_summary(out, &fleet)),
    };
    // The outcome's code, whatever happened to stdout (exit::CLOSED_STDOUT).
    match fleet.status() {
        Ok(()) => printed,
        Err(kind) => Err(Failure::Fleet(kind, fleet_problem(&fleet, kind))),
    }
}

/// Each instance's ending, and what the wait cost.
pub fn fleet_summary(out: &mut dyn Write, fleet: &FleetOutcome) -> io::Result<()> {
    let mut table = output::Table::new(&["INSTANCE", "SOURCE", "OUTCOME", "LAST", "POLLS"]);
    for instance in &fleet.instances {
        table.row([
            Some(instance.instance_id.clone()),
            Some(instance.source.to_string()),
            Some(instance.outcome.as_str().to_owned()),
            instance.lifecycle.as_ref().map(lifecycle_brief),
            Some(instance.polls.to_string()),
        ]);
    }
    table.write(out)?;
    writeln!(out, "{}", fleet_cost(fleet))
}

/// `12 requests (apig 8, roma 2, clouddc 2), 1 answered 429, in 4.2 s`.
pub fn fleet_cost(fleet: &FleetOutcome) -> String {
    let r = &fleet.requests;
    format!(
        "{} requests (apig {}, roma {}, clouddc {}), {} answered 429, in {:.1} s",
        r.total(),
        r.apig,
        r.roma,
        r.clouddc,
        fleet.throttled,
        fleet.elapsed.as_secs_f64()
    )
}

/// A lifecycle in a few words: `running 100% (status success)`, without source and ID.
fn lifecycle_brief(lifecycle: &Lifecycle) -> String {
    let line = output::lifecycle_line(lifecycle);
    let skip = format!(
        "{} {} ",
        lifecycle.source,
        output::clean(&lifecycle.instance_id)
    );
    line.strip_prefix(&skip).unwrap_or(&line).to_owned()
}

/// Why a fleet wait's condition was not met, in one line: how many instances ended how,
/// and the first one's error.
fn fleet_problem(fleet: &FleetOutcome, kind: hwinst::ErrorKind) -> String {
    let mut counts: Vec<(InstanceOutcome, usize)> = Vec::new();
    for instance in &fleet.instances {
        match counts.iter_mut().find(|(o, _)| *o == instance.outcome) {
            Some((_, n)) => *n += 1,
            None => counts.push((instance.outcome, 1)),
        }
    }
    let counts: Vec<String> = counts
        .iter()
        .map(|(outcome, n)| format!("{n} {}", outcome.as_str()))
        .collect();
    let first = fleet
        .instances
        .iter()
        .find_map(|i| Some((i, i.error.as_ref().filter(|e| e.kind() == kind)?)));
    let mut text = format!(
        "the fleet wait ended {}: {}",
        kind.as_str(),
        counts.join(", ")
    );
    if let Some((instance, error)) = first {
        text.push_str(&format!(
            "; {} {}: {error}",
            instance.source,
            output::clean(&instance.instance_id)
        ));
    }
    text
}

/// `hwinst config show`: the settings `builder` gives and where each came from, and what is
/// missing or wrong, whether or not they make a client (a user runs this command when
/// something is missing). `args` tells which settings the flags gave, and whether "the
/// configuration" was a file or the environment.
pub fn config_show(
    builder: hwinst::ClientBuilder,
    format: Format,
    args: &crate::config::ConfigArgs,
) -> Result<(), Failure> {
    let report = builder.report();
    let file = crate::config::config_file(args);
    // The library knows "the configuration"; the command line knows which.
    let configured = |flag: bool, flag_name: &str, variable: &str| match (flag, &file) {
        (true, _) => flag_name.to_owned(),
        (false, Some(path)) => format!("the configuration file {}", path.display()),
        (false, None) => format!("the environment ({variable})"),
    };
    let from = |origin: &str, flag: bool, flag_name: &str, variable: &str| {
        if origin == "the configuration" || flag {
            configured(flag, flag_name, variable)
        } else {
            origin.to_owned()
        }
    };
    let credentials_from = match (&report.credentials, &args.profile) {
        (None, _) => None,
        (Some(_), Some(_)) => Some(format!("--profile: {}", report.credentials_from)),
        (Some(_), None) => Some(from(&report.credentials_from, false, "", "HWINST_TOKEN")),
    };
    let region_from = from(
        &report.region_from,
        args.region.is_some(),
        "--region",
        "HUAWEICLOUD_SDK_REGION",
    );
    let project_from = (!report.project_id_from.is_empty()).then(|| {
        from(
            &report.project_id_from,
            args.project_id.is_some(),
            "--project-id",
            "HUAWEICLOUD_SDK_PROJECT_ID",
        )
    });
    let endpoint = |service: hwinst::Service| {
        report
            .endpoints
            .iter()
            .find(|(s, _)| *s == service)
            .map(|(_, endpoint)| endpoint.as_ref())
    };
    let endpoints: serde_json::Map<String, serde_json::Value> = hwinst::Service::ALL
        .into_iter()
        .map(|s| {
            let url = endpoint(s).and_then(|e| e.ok()).map(String::as_str);
            (s.name().to_owned(), url.into())
        })
        .collect();
    let endpoint_problems: serde_json::Map<String, serde_json::Value> = hwinst::Service::ALL
        .into_iter()
        .filter_map(|s| {
            let reason = endpoint(s)?.err()?;
            Some((s.name().to_owned(), reason.as_str().into()))
        })
        .collect();
    let secret = report.access_key.as_ref().map(|_| "(set; never shown)");
    let document = serde_json::json!({
        "complete": report.problems.is_empty(),
        "credentials": {
            "kind": report.credentials,
            "from": credentials_from,
            "access_key": report.access_key,
        },
        "region": {
            "value": report.region,
            "from": report.region.as_ref().map(|_| &region_from),
        },
        "project_id": {
            "value": report.project_id,
            "from": project_from,
        },
        "endpoints": endpoints,
        "endpoint_problems": endpoint_problems,
        "problems": report.problems,
    });
    const MISSING: &str = "MISSING";
    print(format, &document, |out| {
        let mut view = output::View::default();
        view.row("credentials", Some(report.credentials.unwrap_or(MISSING)))
            .row("credentials from", credentials_from.as_ref())
            .row("access key", report.access_key.as_ref())
            .row("secret key", secret)
            .row(
                "region",
                Some(match &report.region {
                    Some(r) => format!("{r}, from {region_from}"),
                    None => format!("{MISSING} (or give every endpoint)"),
                }),
            )
            .row(
                "project_id",
                Some(match (&report.project_id, &project_from) {
                    (Some(id), Some(from)) => format!("{id}, from {from}"),
                    (Some(id), None) => id.clone(),
                    (None, Some(how)) => format!("to be looked up: {how}"),
                    (None, None) => MISSING.to_owned(),
                }),
            );
        for service in hwinst::Service::ALL {
            view.row(
                service.name(),
                Some(match endpoint(service) {
                    Some(Ok(url)) => url.clone(),
                    Some(Err(reason)) => format!("none: {reason}"),
                    None => MISSING.to_owned(),
                }),
            );
        }
        view.write(out)?;
        if !report.problems.is_empty() {
            writeln!(out, "\nNo client can be built from these settings until:")?;
            for problem in &report.problems {
                writeln!(out, "  - {}", output::clean(problem))?;
            }
        }
        Ok(())
    })
}
