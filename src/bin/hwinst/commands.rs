//! The subcommands that ask the cloud: each calls the library once (or waits) and prints the
//! answer in the chosen format.

use crate::exit::Failure;
use crate::output::{self, Format};
use crate::progress::Surface;
use crate::{ListArgs, ProgressService, WaitArgs};
use hwinst::{Client, Lifecycle, RomaInstanceSummary, RomaListQuery, Source, WaitOptions};
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
    let more = page.total.filter(|total| shown > 0 && next < *total);
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

pub fn wait(client: &Client, format: Format, args: &WaitArgs) -> Result<(), Failure> {
    let options = WaitOptions::new()
        .until(args.until.iter().copied())
        .timeout(args.timeout.into())
        .initial_interval(args.interval.into())
        .max_interval(args.max_interval.into())
        .not_found_grace(args.not_found_grace.into());
    let cancel = hwinst::CancelToken::new();
    let options = options.cancel_token(cancel.clone());
    let _signals = crate::signals::CancelOnSignals::new(&cancel);
    let surface = Surface::new(format, args.quiet);
    let display = surface.display(args.source, &args.id);
    let started = Instant::now();
    let outcome = client.wait(args.source, &args.id, &options, |lifecycle| {
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
