//! The client: its settings from a configuration file or the environment, then the flags.
//!
//! Credentials are deliberately not flags: a command line is visible to every user of the
//! machine (`ps`) and kept in shell history.

use clap::Args;
use hwinst::{Client, ClientBuilder, CredentialSource, Error, Service};
use std::path::{Path, PathBuf};

/// The flags that say which cloud to talk to and how.
#[derive(Debug, Args)]
#[command(
    next_help_heading = "Configuration (before or after the subcommand; sim and demo need none)"
)]
pub struct ConfigArgs {
    /// Read the settings from this JSON file [default: $HWINST_CONFIG]: the configuration
    /// document of the C library (hwinst_client_new), e.g. {"region": "cn-north-4",
    /// "credentials": {"token": "..."}}. Without a file, they come from the environment
    /// (listed in hwinst --help). The flags below override either.
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    /// The region, e.g. cn-north-4: it gives each service its endpoint.
    #[arg(long, value_name = "REGION", global = true)]
    pub region: Option<String>,

    /// The project ID (without it, AK/SK, IAM-password and OIDC credentials look it up by region).
    #[arg(long, value_name = "ID", global = true)]
    pub project_id: Option<String>,

    /// A service's base URL, instead of the region's; repeat for several services.
    /// SERVICE is roma, apig, clouddc or iam, e.g. --endpoint apig=https://apig.example.com
    #[arg(
        long,
        value_name = "SERVICE=URL",
        value_parser = parse_endpoint,
        global = true
    )]
    pub endpoint: Vec<EndpointSetting>,

    /// Take the credentials from this KooCLI profile (~/.hcloud/config.json), whatever the
    /// file or the environment say. Without it, the credentials come from the file, else
    /// from the default chain: the environment, ~/.huaweicloud/credentials, KooCLI's current
    /// profile (or $HWINST_PROFILE), CCE pod identity, the ECS metadata service.
    #[arg(long, value_name = "NAME", global = true)]
    pub profile: Option<String>,

    /// The longest one call may take, retries included, e.g. 10s or 2m (default: the file's
    /// timeouts_ms.request, else 30s).
    #[arg(long, value_name = "DURATION", global = true)]
    pub request_timeout: Option<humantime::Duration>,
}

/// One `--endpoint SERVICE=URL`.
#[derive(Debug, Clone)]
pub struct EndpointSetting {
    /// `None` for IAM.
    service: Option<Service>,
    url: String,
}

/// The names `--endpoint` accepts: the services', then IAM's.
fn endpoint_names() -> impl Iterator<Item = &'static str> {
    Service::ALL.into_iter().map(Service::name).chain(["iam"])
}

fn parse_endpoint(text: &str) -> Result<EndpointSetting, String> {
    let names = || endpoint_names().collect::<Vec<_>>().join(", ");
    let (name, url) = text
        .split_once('=')
        .ok_or_else(|| format!("expected SERVICE=URL, with SERVICE one of {}", names()))?;
    let service = match Service::ALL.into_iter().find(|s| s.name() == name) {
        Some(service) => Some(service),
        None if name == "iam" => None,
        None => {
            return Err(format!(
                "unknown service {name:?}; services are {}",
                names()
            ))
        }
    };
    Ok(EndpointSetting {
        service,
        url: url.to_owned(),
    })
}

/// The configuration file these flags or the environment name, if any.
pub fn config_file(args: &ConfigArgs) -> Option<PathBuf> {
    // Empty counts as unset, as for every variable the library reads.
    args.config.clone().or_else(|| {
        std::env::var_os("HWINST_CONFIG")
            .filter(|path| !path.is_empty())
            .map(PathBuf::from)
    })
}

/// The client these flags, the file and the environment describe.
pub fn client(args: &ConfigArgs) -> hwinst::Result<Client> {
    builder(args)?.build()
}

/// The settings these flags, the file and the environment give, not yet built into a client.
/// Fails only when the file or the environment cannot be read as settings at all.
pub fn builder(args: &ConfigArgs) -> hwinst::Result<ClientBuilder> {
    let mut builder = match config_file(args) {
        Some(path) => from_file(&path)?,
        None => ClientBuilder::from_env()?,
    };
    if let Some(name) = &args.profile {
        builder = builder.credential_source(CredentialSource::Koocli(Some(name.clone())));
    }
    if let Some(region) = &args.region {
        builder = builder.region(region);
    }
    if let Some(project_id) = &args.project_id {
        builder = builder.project_id(project_id);
    }
    for EndpointSetting { service, url } in &args.endpoint {
        builder = match service {
            Some(service) => builder.endpoint(*service, url),
            None => builder.iam_endpoint(url),
        };
    }
    if let Some(timeout) = args.request_timeout {
        builder = builder.request_timeout(timeout.into());
    }
    Ok(builder)
}

/// A builder from the configuration file at `path`. Every problem with the file, JSON
/// syntax included, is a configuration error naming the file.
fn from_file(path: &Path) -> hwinst::Result<ClientBuilder> {
    let in_file = |problem: String| Error::Config(format!("{}: {problem}", path.display()));
    let text = read_capped(path, MAX_CONFIG_FILE)
        .map_err(|e| in_file(format!("cannot read the configuration file: {e}")))?;
    ClientBuilder::from_config_json(&text).map_err(|e| match e {
        Error::InvalidArgument(problem) | Error::Config(problem) => in_file(problem),
        other => other,
    })
}

/// The most a configuration file may hold (a real one is a few hundred bytes).
const MAX_CONFIG_FILE: u64 = 1024 * 1024;

/// The text of a file the command line was given, refused past `cap` bytes (`/dev/zero` is
/// not read until memory runs out). Pipes are read (`--config <(...)`, `--targets <(...)`):
/// the user named them.
pub fn read_capped(path: &Path, cap: u64) -> std::io::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(cap.saturating_add(1))
        .read_to_string(&mut text)?;
    if text.len() as u64 > cap {
        return Err(std::io::Error::other(format!(
            "it holds more than {} KiB",
            cap / 1024
        )));
    }
    Ok(text)
}
