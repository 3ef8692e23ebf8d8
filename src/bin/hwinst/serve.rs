//! `hwinst sim serve`: the simulator as a process, for tests in other languages and for trying
//! tools offline. It needs no client configuration: it is the thing clients are pointed at.

use crate::exit::Failure;
use crate::ServeArgs;
use hwinst::sim::{Scenario, Simulator};
use std::io::{self, Write};
use std::path::Path;

/// Starts the simulator, says where it is, and serves until stdin closes (or, when stdin cannot
/// close, until killed).
pub fn serve(args: &ServeArgs) -> Result<(), Failure> {
    let scenario = match &args.scenario {
        Some(path) => Scenario::from_file(path)?,
        None => Scenario::default(),
    };
    let sim = Simulator::start_on(&args.addr, scenario)?;
    // The simulator's configuration document, read once for the file and the hint.
    let config: serde_json::Value =
        serde_json::from_str(&sim.config_json()).expect("the simulator writes JSON");
    // Written before the URL is printed: whoever reads the URL may use the file at once.
    if let Some(path) = &args.write_config {
        write_config(path, &config)?;
    }
    let mut out = io::stdout().lock();
    writeln!(out, "{}", sim.base_url())?;
    out.flush()?;
    drop(out);
    hint(&sim, &config, args.write_config.as_deref());

    if stdin_can_close() {
        // Whoever started the simulator holds its stdin; when they close it (or exit), it
        // stops. A read error ends it the same way: nobody can stop it through stdin any more.
        let _ = io::copy(&mut io::stdin().lock(), &mut io::sink());
    } else {
        // Stdin is /dev/null or a file (`hwinst sim serve &` in a script): it would "close" at
        // once, so the simulator serves until it is killed instead.
        loop {
            std::thread::park();
        }
    }
    drop(sim);
    Ok(())
}

/// Whether stdin is something whose closing means "stop": a terminal, a pipe or a socket.
#[cfg(unix)]
fn stdin_can_close() -> bool {
    use std::io::IsTerminal;
    use std::os::fd::AsFd;
    use std::os::unix::fs::FileTypeExt;
    let stdin = io::stdin();
    if stdin.is_terminal() {
        return true;
    }
    let file_type = stdin
        .as_fd()
        .try_clone_to_owned()
        .map(std::fs::File::from)
        .and_then(|file| file.metadata())
        .map(|metadata| metadata.file_type());
    // Unknown (fd 0 closed): nothing can signal "stop" through it, so serve until killed.
    file_type.is_ok_and(|t| t.is_fifo() || t.is_socket())
}

/// Whether stdin is something whose closing means "stop" (elsewhere than Unix: always).
#[cfg(not(unix))]
fn stdin_can_close() -> bool {
    true
}

/// Writes the client configuration document, readable by its owner only on Unix: it holds the
/// simulator's credentials, and a scenario's may look like real ones.
fn write_config(path: &Path, config: &serde_json::Value) -> Result<(), Failure> {
    let failed = |e: io::Error| {
        Failure::Simulator(format!(
            "cannot write the client configuration to {}: {e}",
            path.display()
        ))
    };
    // Pretty-printed, for people who open it; the document itself comes from the simulator.
    let document = serde_json::to_string_pretty(config)
        .map_err(io::Error::from)
        .map_err(failed)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(failed)?;
    file.write_all(format!("{document}\n").as_bytes())
        .map_err(failed)
}

/// How to use the simulator, on stderr (stdout is its URL alone). Shows no credential.
fn hint(sim: &Simulator, config: &serde_json::Value, written: Option<&Path>) {
    let url = sim.base_url();
    let setting = |key: &str| config[key].as_str().unwrap_or("-").to_owned();
    let config_file = match written {
        Some(path) => path.display().to_string(),
        None => "sim.json".to_owned(),
    };
    let fetch = match written {
        Some(_) => String::new(),
        None => format!("  curl -s {url}/_sim/config > sim.json\n"),
    };
    // The default credential chain's sources it also serves (the token itself is not shown).
    let pod = if sim.serves_pod_identity() {
        format!(
            "  HC_CONTAINER_CREDENTIALS_FULL_URI={}\n  \
             HC_CONTAINER_AUTHORIZATION_TOKEN_FILE=<a file holding the scenario's \
             pod_identity.token>\n",
            sim.pod_identity_url()
        )
    } else {
        String::new()
    };
    // The federated OIDC identity IAM trusts (the ID tokens themselves are not shown).
    let oidc = match sim.idp_id() {
        Some(idp_id) => format!(
            "Federated OIDC identity (IAM at the same URL):\n  \
             HUAWEICLOUD_SDK_IAM_ENDPOINT={url} HUAWEICLOUD_SDK_IDP_ID={idp_id}\n  \
             HUAWEICLOUD_SDK_ID_TOKEN_FILE=<a file holding one of the scenario's \
             oidc.id_tokens, or an ID token from: curl -s -X POST {url}/_sim/id_tokens>\n"
        ),
        None => String::new(),
    };
    let _ = write!(
        io::stderr(),
        "hwinst simulator at {url} (region {}, project {})\n\
         Add an instance (docs/simulator.md: the admin API, faults, scenarios):\n  \
         curl -s -X POST {url}/_sim/instances -d '{{\"service\":\"apig\",\"id\":\"gw-1\"}}'\n\
         Point hwinst at it:\n\
         {fetch}  hwinst --config {config_file} wait apig gw-1\n\
         Temporary credentials for the default chain (ECS metadata{}):\n  \
         HWINST_METADATA_ENDPOINT={}\n\
         {pod}\
         {oidc}\
         Stop it: close its stdin (Ctrl-D), or Ctrl-C, or kill it.\n",
        setting("region"),
        setting("project_id"),
        if pod.is_empty() {
            ""
        } else {
            ", CCE pod identity"
        },
        sim.metadata_url(),
    );
}
