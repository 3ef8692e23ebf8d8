//! What the commands print: key/value views and tables for people, one JSON document for
//! scripts.
//!
//! Human views pick the fields people look for; JSON keeps everything, exactly as the library
//! serialises its models. Text from the server is printed with its control characters
//! replaced, so that a name cannot move the cursor or change the terminal's colours.

use clap::ValueEnum;
use hwinst::{
    ApigCreationProgress, ClouddcInstanceStatus, Lifecycle, LifecycleError, RomaCreationProgress,
    RomaInstance, RomaInstanceSummary, Source, Target,
};
use serde::Serialize;
use std::fmt::{Display, Write as _};
use std::io::{self, Write};
use std::time::{Duration, UNIX_EPOCH};

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Key/value views and tables, for people.
    Human,
    /// One JSON document on stdout, for scripts: the result, or the error document.
    Json,
}

/// Writes `value` as one pretty-printed JSON document.
pub fn json(out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

/// `key: value` lines, keys aligned; rows without a value are left out.
#[derive(Default)]
pub struct View {
    rows: Vec<(&'static str, String)>,
}

impl View {
    /// Adds a row when there is a value that is not blank.
    pub fn row(&mut self, key: &'static str, value: Option<impl Display>) -> &mut View {
        if let Some(value) = value {
            let text = clean(&value.to_string());
            if !text.is_empty() {
                self.rows.push((key, text));
            }
        }
        self
    }

    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let width = self
            .rows
            .iter()
            .map(|(key, _)| key.len())
            .max()
            .unwrap_or(0)
            + 1;
        for (key, value) in &self.rows {
            writeln!(out, "{:<width$}  {value}", format!("{key}:"))?;
        }
        Ok(())
    }
}

/// Columns aligned on the widest cell, an upper-case header, `-` for an empty cell.
pub struct Table {
    header: &'static [&'static str],
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &'static [&'static str]) -> Table {
        Table {
            header,
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: impl IntoIterator<Item = Option<String>>) {
        let cells = cells
            .into_iter()
            .map(|cell| cell.map(|c| clean(&c)).filter(|c| !c.is_empty()))
            .map(|cell| cell.unwrap_or_else(|| "-".to_owned()))
            .collect();
        self.rows.push(cells);
    }

    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let header: Vec<String> = self.header.iter().map(|h| h.to_string()).collect();
        let lines = || std::iter::once(&header).chain(&self.rows);
        let widths: Vec<usize> = (0..header.len())
            .map(|column| {
                lines()
                    .map(|cells| cells.get(column).map_or(0, |c| c.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for cells in lines() {
            let mut line = String::new();
            for (cell, width) in cells.iter().zip(&widths) {
                let _ = write!(line, "{cell:<width$}  ");
            }
            writeln!(out, "{}", line.trim_end())?;
        }
        Ok(())
    }
}

/// `text` on one line, without control characters or surrounding blanks.
pub fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// A time in Unix milliseconds as an RFC 3339 UTC date (`2026-11-22T12:00:01Z`); `None` for
/// 0 or less, which the services send for "not yet".
pub fn utc(ms: i64) -> Option<String> {
    /// humantime formats up to the end of year 9999.
    const LAST_MS: i64 = 253_402_300_800_000;
    match ms {
        ..=0 => None,
        LAST_MS.. => Some(ms.to_string()),
        _ => {
            let time = UNIX_EPOCH + Duration::from_millis(ms.unsigned_abs());
            Some(humantime::format_rfc3339_seconds(time).to_string())
        }
    }
}

fn percent(progress: impl Display) -> String {
    format!("{progress}%")
}

fn yes_no(yes: bool) -> &'static str {
    if yes {
        "yes"
    } else {
        "no"
    }
}

/// `APIG.9999: the reason`, from a lifecycle's error.
fn error_text(error: &LifecycleError) -> String {
    code_and_message(&error.error_code, &error.error_msg)
}

/// `APIG.9999: the reason`, leaving out what is absent or blank.
fn code_and_message(code: &Option<String>, message: &Option<String>) -> String {
    [code, message]
        .into_iter()
        .flatten()
        .map(|s| clean(s))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(": ")
}

/// One line for a lifecycle, as `wait` shows each change (after a time, or beside its bar):
/// `apig eddc4d25… creating 50% (status creating)`.
pub fn lifecycle_line(lifecycle: &Lifecycle) -> String {
    described(lifecycle.source, &lifecycle.instance_id, lifecycle)
}

/// One line for a change of a fleet wait's `target`: the target as given, then where it is;
/// `(read from roma-list)` when the lifecycle was read through the ROMA list.
pub fn fleet_line(target: &Target, lifecycle: &Lifecycle) -> String {
    let mut line = described(target.source, &target.instance_id, lifecycle);
    if lifecycle.source != target.source {
        let _ = write!(line, " (read from {})", lifecycle.source);
    }
    line
}

/// `source id phase [progress] [(status …)] [: error]`.
fn described(source: Source, instance_id: &str, lifecycle: &Lifecycle) -> String {
    let mut line = format!("{source} {} {}", clean(instance_id), lifecycle.phase);
    if let Some(progress) = lifecycle.progress {
        let _ = write!(line, " {}", percent(progress));
    }
    if let Some(status) = &lifecycle.status {
        let _ = write!(line, " (status {})", clean(status));
    }
    if let Some(error) = &lifecycle.error {
        let _ = write!(line, ": {}", error_text(error));
    }
    line
}

/// The rows every single-instance view starts with: where the instance is.
fn lifecycle_rows(lifecycle: &Lifecycle) -> View {
    let mut view = View::default();
    view.row("instance", Some(&lifecycle.instance_id))
        .row("source", Some(lifecycle.source))
        .row("phase", Some(lifecycle.phase))
        .row("progress", lifecycle.progress.map(percent))
        .row("terminal", Some(yes_no(lifecycle.terminal)))
        .row("status", lifecycle.status.as_ref())
        .row("error", lifecycle.error.as_ref().map(error_text));
    view
}

/// `hwinst lifecycle`, and the result of `hwinst wait`.
pub fn lifecycle_view(lifecycle: &Lifecycle) -> View {
    let mut view = lifecycle_rows(lifecycle);
    view.row(
        "observed",
        i64::try_from(lifecycle.observed_at_ms).ok().and_then(utc),
    );
    view
}

/// `hwinst progress apig`.
pub fn apig_progress_view(progress: &ApigCreationProgress, lifecycle: &Lifecycle) -> View {
    let mut view = lifecycle_rows(lifecycle);
    view.row("started", progress.start_time().and_then(utc))
        .row("ended", progress.end_time().and_then(utc));
    view
}

/// `hwinst progress roma`: the instance, then a table of its sub-services (`None` without).
pub fn roma_progress_view(
    progress: &RomaCreationProgress,
    lifecycle: &Lifecycle,
) -> (View, Option<Table>) {
    let mut view = lifecycle_rows(lifecycle);
    let instance = progress.instance.as_ref();
    view.row(
        "name",
        progress.name.as_ref().or_else(|| instance?.name.as_ref()),
    )
    .row("engine", instance.and_then(|i| i.engine.as_ref()))
    .row("version", instance.and_then(|i| i.engine_version.as_ref()))
    .row("started", progress.start_time().and_then(utc))
    .row("ended", progress.end_time().and_then(utc))
    .row("taken", progress.taken_time())
    .row("server time", progress.current_time().and_then(utc));
    let items = progress.item.as_deref().unwrap_or_default();
    let table = (!items.is_empty()).then(|| {
        let mut table = Table::new(&["SUB-SERVICE", "STATUS", "PROGRESS", "STARTED", "ERROR"]);
        for item in items {
            table.row([
                item.name.clone(),
                item.status.as_ref().map(|s| s.as_str().to_owned()),
                item.progress().map(percent),
                item.start_time().and_then(utc),
                Some(code_and_message(&item.error_code, &item.error_msg)),
            ]);
        }
        table
    });
    (view, table)
}

/// `hwinst show`.
pub fn roma_instance_view(instance: &RomaInstance, lifecycle: &Lifecycle) -> View {
    let mut view = lifecycle_rows(lifecycle);
    let maintenance = match (&instance.maintain_begin, &instance.maintain_end) {
        (Some(begin), Some(end)) => Some(format!("{begin}–{end}")),
        _ => None,
    };
    let charging = instance.charging_mode().map(|mode| match mode {
        0 => "pay-per-use".to_owned(),
        1 => "yearly/monthly".to_owned(),
        other => other.to_string(),
    });
    view.row("status number", instance.instance_status())
        .row("name", instance.instance_name.as_ref())
        .row("edition", instance.spec.as_ref().map(|s| s.as_str()))
        .row("version", instance.instance_version.as_ref())
        .row("created", instance.create_time().and_then(utc))
        .row("description", instance.description.as_ref())
        .row("project", instance.project_id.as_ref())
        .row(
            "enterprise project",
            instance.enterprise_project_id.as_ref(),
        )
        .row("vpc", instance.vpc_id.as_ref())
        .row("subnet", instance.subnet_id.as_ref())
        .row("security group", instance.security_group_id.as_ref())
        .row("ingress ip", instance.ingress_ip.as_ref())
        .row("eip", instance.eip_address.as_ref())
        .row("roma eip", instance.roma_eip_address.as_ref())
        .row("nat eip", instance.nat_eip_address.as_ref())
        .row(
            "bandwidth",
            instance.bandwidth_size().map(|b| format!("{b} Mbit/s")),
        )
        .row(
            "zones",
            instance.available_zone_ids.as_ref().map(|z| z.join(", ")),
        )
        .row("maintenance", maintenance)
        .row("charging", charging)
        .row("cipher", instance.cipher_type.as_ref().map(|c| c.as_str()));
    view
}

/// `hwinst status`.
pub fn clouddc_status_view(status: &ClouddcInstanceStatus, lifecycle: &Lifecycle) -> View {
    let mut view = lifecycle_rows(lifecycle);
    view.row("operation", status.operation_state.as_ref()).row(
        "failed operation",
        status
            .error
            .as_ref()
            .and_then(|e| e.error_type.as_ref())
            .map(|t| t.as_str()),
    );
    view
}

/// `hwinst list`.
pub fn instance_table(instances: &[RomaInstanceSummary]) -> Table {
    let mut table = Table::new(&["ID", "NAME", "STATUS", "PHASE", "CREATED"]);
    for instance in instances {
        table.row([
            instance.id.clone(),
            instance.name.clone(),
            instance.status.as_ref().map(|s| s.as_str().to_owned()),
            Some(instance.lifecycle().phase.to_string()),
            instance.create_time.clone(),
        ]);
    }
    table
}
