//! Federated OIDC identities through the Rust API, against an IAM and a service on a mock
//! server: the configuration's `credentials.oidc` and the profile file's `idp_id` +
//! `id_token_file`; the two unsigned IAM calls exactly as the official SDKs send them; the
//! temporary keys renewed 40 minutes before they expire (simulated time), with the token
//! file read again (rotated); a missing project ID looked up with the temporary keys; a
//! refused ID token and a missing token file, named; no ID token, IAM token or temporary key
//! in any error, log record or `Debug` output.

use crate::common::{self, PROJECT};
use hwinst::{Client, ClientBuilder, Clock, CredentialSource, ErrorKind, ManualClock, Service};
use mockito::{Matcher, Mock, Server, ServerGuard};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

const ID: &str = "eddc4d25480b4cd6b512f270a1b8b341";
const IDP: &str = "github-actions";

/// The secrets of one issue: the ID token read from the file, IAM's token for it, and the
/// temporary credentials it gave.
struct Issue {
    id_token: &'static str,
    subject_token: &'static str,
    ak: &'static str,
    sk: &'static str,
    security_token: &'static str,
}

const FIRST: Issue = Issue {
    id_token: "eyJ-id-token-1-s3cr3t.payload.sig",
    subject_token: "MIIsubject-1-s3cr3t",
    ak: "OIDCAK000000000000001",
    sk: "oidc-sk-1-s3cr3t-0000000000000000000000",
    security_token: "oidc-st-1-s3cr3t",
};

const SECOND: Issue = Issue {
    id_token: "eyJ-id-token-2-s3cr3t.payload.sig",
    subject_token: "MIIsubject-2-s3cr3t",
    ak: "OIDCAK000000000000002",
    sk: "oidc-sk-2-s3cr3t-0000000000000000000000",
    security_token: "oidc-st-2-s3cr3t",
};

/// Every secret any test here hands out.
const SECRETS: [&str; 8] = [
    FIRST.id_token,
    FIRST.subject_token,
    FIRST.sk,
    FIRST.security_token,
    SECOND.id_token,
    SECOND.subject_token,
    SECOND.sk,
    SECOND.security_token,
];

fn no_secret(text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "a secret in: {text}");
    }
}

fn rfc3339(at: SystemTime) -> String {
    time::OffsetDateTime::from(at)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// IAM's two steps for `issue`, its credentials expiring `life` after `now`: step 1 only for
/// the ID token of the issue (sent with `X-Idp-Id`), step 2 only for IAM's token of step 1.
fn iam(server: &mut ServerGuard, issue: &Issue, now: SystemTime, life: Duration) -> [Mock; 2] {
    let exchange = server
        .mock("POST", "/v3.0/OS-AUTH/id-token/tokens")
        .match_header("x-idp-id", IDP)
        .match_header("content-type", "application/json;charset=UTF-8")
        .match_header("authorization", Matcher::Missing)
        .match_body(Matcher::Json(
            json!({"auth": {"id_token": {"id": issue.id_token}}}),
        ))
        .with_status(201)
        .with_header("x-subject-token", issue.subject_token)
        .with_body(json!({"token": {"expires_at": rfc3339(now + life)}}).to_string())
        .create();
    let credentials = server
        .mock("POST", "/v3.0/OS-CREDENTIAL/securitytokens")
        .match_header("authorization", Matcher::Missing)
        .match_header("x-auth-token", Matcher::Missing)
        .match_body(Matcher::Json(json!({"auth": {"identity": {
            "methods": ["token"],
            "token": {"id": issue.subject_token, "duration_seconds": 21600},
        }}})))
        .with_status(201)
        .with_body(
            json!({"credential": {
                "access": issue.ak, "secret": issue.sk, "securitytoken": issue.security_token,
                "expires_at": rfc3339(now + life),
            }})
            .to_string(),
        )
        .create();
    [exchange, credentials]
}

/// APIG's progress, answered only when signed with the temporary keys of `issue`, expected
/// `hits` times.
fn apig(server: &mut ServerGuard, issue: &Issue, hits: usize) -> Mock {
    server
        .mock(
            "GET",
            format!("/v2/{PROJECT}/apigw/instances/{ID}/progress").as_str(),
        )
        .match_header(
            "authorization",
            Matcher::Regex(format!("^SDK-HMAC-SHA256 Access={}, ", issue.ak)),
        )
        .match_header("x-security-token", issue.security_token)
        .with_body(r#"{"progress":100,"status":"success"}"#)
        .expect(hits)
        .create()
}

/// A directory of its own for each test's files.
fn dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hwinst-it-oidc-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A client of `server` (IAM included) with `credentials` from the configuration document.
fn configured(server: &ServerGuard, credentials: serde_json::Value) -> ClientBuilder {
    let url = server.url();
    let config = json!({
        "project_id": PROJECT,
        "credentials": credentials,
        "proxy": "none",
        "endpoints": {"roma": url, "apig": url, "clouddc": url, "iam": url},
        "retry": {"max_attempts": 1},
    });
    ClientBuilder::from_config_json(&config.to_string()).unwrap()
}

#[test]
fn the_configuration_s_oidc_identity_signs_with_keys_renewed_40_minutes_before_expiry() {
    common::capture::install();
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let six_hours = Duration::from_secs(6 * 3600);
    let files = dir("renewal");
    let token_file = files.join("id-token");
    // As CI writes it: a trailing line break, trimmed.
    std::fs::write(&token_file, format!("{}\n", FIRST.id_token)).unwrap();
    let first = iam(&mut server, &FIRST, clock.wall_time(), six_hours);
    let signed_first = apig(&mut server, &FIRST, 2);

    let client = configured(
        &server,
        json!({"oidc": {"idp_id": IDP, "id_token_file": token_file}}),
    )
    .clock(clock.clone())
    .build()
    .unwrap();
    first.iter().for_each(|m| m.assert());
    client.apig_creation_progress(ID).unwrap();
    let settings = client.settings();
    assert_eq!(settings.access_key.as_deref(), Some(FIRST.ak));
    assert!(settings.credentials.contains("OIDC"), "{settings:?}");

    // The CI system rotates the token file; 5 h 15 min later the keys are still 45 minutes
    // from expiry: not renewed.
    std::fs::write(&token_file, SECOND.id_token).unwrap();
    let second = iam(
        &mut server,
        &SECOND,
        clock.wall_time() + six_hours,
        six_hours,
    );
    clock.advance(Duration::from_secs(5 * 3600 + 15 * 60));
    client.apig_creation_progress(ID).unwrap();
    signed_first.assert();
    // Expected once each: not matched means not asked yet.
    assert!(second.iter().all(|m| !m.matched()), "renewed too early");

    // 10 minutes on, 35 minutes are left: renewed (as the official SDKs do, under 40), with
    // the rotated token.
    clock.advance(Duration::from_secs(10 * 60));
    let signed_second = apig(&mut server, &SECOND, 1);
    client.apig_creation_progress(ID).unwrap();
    second.iter().for_each(|m| m.assert());
    signed_second.assert();
    assert_eq!(client.settings().access_key.as_deref(), Some(SECOND.ak));
    first.iter().for_each(|m| m.assert());

    no_secret(&format!("{client:?} {:?}", client.settings()));
    // This thread's records of the library (what the CLI and the C ABI pass on).
    assert!(!common::capture::records(&SECRETS).is_empty());
    let _ = std::fs::remove_dir_all(files);
}

#[test]
fn the_profile_file_s_federated_identity_wins_over_its_keys_and_the_project_is_looked_up() {
    let mut server = Server::new();
    let files = dir("profile");
    let token_file = files.join("token");
    std::fs::write(&token_file, FIRST.id_token).unwrap();
    let profile = files.join("credentials");
    std::fs::write(
        &profile,
        format!(
            "[basic]\nak = STATICAK\nsk = static-s3cr3t-sk-0000\nidp_id = {IDP}\n\
             id_token_file = {}\niam_endpoint = {}\n",
            token_file.display(),
            server.url()
        ),
    )
    .unwrap();
    // Real time: this client reads the system clock, so IAM's answer is dated by it.
    #[allow(clippy::disallowed_methods)]
    let now = SystemTime::now();
    let issued = iam(&mut server, &FIRST, now, Duration::from_secs(3600));
    let projects = server
        .mock("GET", "/v3/projects")
        .match_query(Matcher::UrlEncoded("name".into(), "cn-north-4".into()))
        .match_header(
            "authorization",
            Matcher::Regex(format!("^SDK-HMAC-SHA256 Access={}, ", FIRST.ak)),
        )
        .match_header("x-security-token", FIRST.security_token)
        .with_body(json!({"projects": [{"id": PROJECT, "name": "cn-north-4"}]}).to_string())
        .expect(1)
        .create();
    let signed = apig(&mut server, &FIRST, 1);
    let client = Client::builder()
        .region("cn-north-4")
        .endpoint(Service::Apig, server.url())
        .credential_source(CredentialSource::ProfileFile(Some(profile)))
        .no_proxy()
        .build()
        .unwrap();
    client.apig_creation_progress(ID).unwrap();
    issued.iter().for_each(|m| m.assert());
    projects.assert();
    signed.assert();
    let settings = client.settings();
    assert!(
        settings.credentials_from.contains("profile file"),
        "{settings:?}"
    );
    assert_eq!(settings.project_id.as_deref(), Some(PROJECT));
    let _ = std::fs::remove_dir_all(files);
}

#[test]
fn a_refused_id_token_and_a_missing_token_file_are_errors_naming_the_identity() {
    common::capture::install();
    let mut server = Server::new();
    let files = dir("refused");
    let token_file = files.join("token");
    std::fs::write(&token_file, FIRST.id_token).unwrap();
    // IAM quotes the token it refuses: masked.
    let refused = server
        .mock("POST", "/v3.0/OS-AUTH/id-token/tokens")
        .with_status(401)
        .with_header("x-request-id", "req-oidc-1")
        .with_body(
            json!({"error": {"code": "IAM.0101", "message": format!(
                "The id token {} is invalid", FIRST.id_token)}})
            .to_string(),
        )
        .expect(1)
        .create();
    let credentials = json!({"oidc": {"idp_id": IDP, "id_token_file": token_file}});
    let err = configured(&server, credentials).build().unwrap_err();
    refused.assert();
    let text = err.to_string();
    assert_eq!(err.kind(), ErrorKind::Unauthorized, "{text}");
    for expected in [
        IDP,
        "IAM refused the ID token",
        "id-token/tokens",
        "req-oidc-1",
    ] {
        assert!(text.contains(expected), "{expected} not in {text}");
    }
    no_secret(&text);
    no_secret(&format!("{err:?}"));

    // Step 2 refused: IAM's token, quoted, is masked too.
    let mut server = Server::new();
    let exchange = server
        .mock("POST", "/v3.0/OS-AUTH/id-token/tokens")
        .with_status(201)
        .with_header("x-subject-token", FIRST.subject_token)
        .create();
    let refused = server
        .mock("POST", "/v3.0/OS-CREDENTIAL/securitytokens")
        .with_status(403)
        .with_body(format!(
            r#"{{"error_code":"IAM.0002","error_msg":"token {} has no permission"}}"#,
            FIRST.subject_token
        ))
        .create();
    let credentials = json!({"oidc": {"idp_id": IDP, "id_token_file": token_file}});
    let err = configured(&server, credentials).build().unwrap_err();
    exchange.assert();
    refused.assert();
    assert_eq!(err.kind(), ErrorKind::Unauthorized, "{err}");
    assert!(err.to_string().contains("IAM.0002"), "{err}");
    no_secret(&err.to_string());

    // No token file: a configuration error naming it, before IAM is asked.
    let missing = files.join("no-such-token");
    let credentials = json!({"oidc": {"idp_id": IDP, "id_token_file": missing}});
    let err = configured(&server, credentials).build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config, "{err}");
    assert!(err.to_string().contains("no-such-token"), "{err}");
    assert!(err.to_string().contains(IDP), "{err}");

    // Half an identity is refused by the configuration.
    let config = json!({"project_id": PROJECT, "credentials": {"oidc": {"idp_id": IDP}}});
    let err = ClientBuilder::from_config_json(&config.to_string()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config, "{err}");
    assert!(err.to_string().contains("id_token_file"), "{err}");

    // This thread's records of the library (what the CLI and the C ABI pass on).
    assert!(!common::capture::records(&SECRETS).is_empty());
    let _ = std::fs::remove_dir_all(files);
}

/// Against the simulator's IAM (`POST /v3.0/OS-AUTH/id-token/tokens` and `POST
/// /v3.0/OS-CREDENTIAL/securitytokens`), whose temporary keys its services accept.
#[cfg(all(feature = "sim", feature = "cli"))]
mod against_the_simulator {
    use super::{dir, PROJECT};
    use crate::common;
    use hwinst::sim::{InstanceSpec, Operation, Outcome, Scenario, Simulator};
    use hwinst::{Credentials, ErrorKind, ManualClock, Service, Source};
    use serde_json::Value;
    use std::path::Path;
    use std::process::Command;
    use std::sync::Arc;
    use std::time::Duration;

    const HOUR: Duration = Duration::from_secs(3600);
    const STATIC_SK: &str = "static-s3cr3t-sk-000000";

    fn sim() -> Simulator {
        Simulator::start(
            Scenario::default()
                .no_credentials()
                .project_id(PROJECT)
                .access_key(hwinst::sim::AccessKey::new("STATICAK", STATIC_SK))
                .instance(
                    InstanceSpec::new(Service::Apig)
                        .id("gw-1")
                        .outcome(Outcome::Steady),
                ),
        )
        .expect("the simulator")
    }

    /// Every secret the simulator issued or accepts (ID tokens included) is absent.
    fn no_secret(sim: &Simulator, text: &str) {
        common::assert_no_secret(sim, STATIC_SK, text);
    }

    #[test]
    fn renewed_across_expiry_with_the_rotated_token_file_on_the_simulator_s_clock() {
        let sim = sim();
        let clock = Arc::new(ManualClock::new());
        sim.set_clock(clock.clone());
        let files = dir("sim-renewal");
        let token_file = files.join("id-token");
        // The first ID token expires an hour after the client starts: a renewal that did not
        // read the (rotated) file again would be refused.
        let (first, _) = sim.issue_id_token(HOUR).unwrap();
        std::fs::write(&token_file, &first).unwrap();
        let client = sim
            .client_builder()
            .credentials(Credentials::oidc(sim.idp_id().unwrap(), &token_file))
            .retry(hwinst::RetryPolicy::none())
            .clock(clock.clone())
            .build()
            .unwrap();
        assert_eq!(common::requests_for(&sim, Operation::IamIdToken), 1);
        assert_eq!(common::requests_for(&sim, Operation::IamSecurityTokens), 1);
        let keys = |client: &hwinst::Client| client.settings().access_key.unwrap();
        let first_keys = keys(&client);
        let (second, _) = sim.issue_id_token(24 * HOUR).unwrap();
        std::fs::write(&token_file, format!("{second}\n")).unwrap();

        // 6-hour keys, renewed when less than 40 minutes are left: not at 5 h 15 min...
        clock.advance(5 * HOUR + 15 * 60 * Duration::from_secs(1));
        client.lifecycle(Source::Apig, "gw-1").unwrap();
        assert_eq!(keys(&client), first_keys);
        // ... at 5 h 25 min, with the rotated token (the first one expired 4 hours ago).
        clock.advance(10 * Duration::from_secs(60));
        assert_eq!(
            client.lifecycle(Source::Apig, "gw-1").unwrap().phase,
            hwinst::Phase::Running
        );
        let second_keys = keys(&client);
        assert_ne!(second_keys, first_keys);
        // And again past the second keys' renewal point, across the first keys' expiry.
        clock.advance(6 * HOUR);
        client.lifecycle(Source::Apig, "gw-1").unwrap();
        assert_ne!(keys(&client), second_keys);
        assert_eq!(common::requests_for(&sim, Operation::IamIdToken), 3);
        assert_eq!(common::requests_for(&sim, Operation::IamSecurityTokens), 3);
        let refused: Vec<_> = sim
            .requests()
            .into_iter()
            .filter(|r| r.status >= 400)
            .collect();
        assert!(refused.is_empty(), "{refused:?}");
        no_secret(&sim, &format!("{client:?} {:?}", client.settings()));
        for (_, line) in common::capture::records(&[]) {
            no_secret(&sim, &line);
        }
        let _ = std::fs::remove_dir_all(files);
    }

    #[test]
    fn a_token_the_simulator_s_iam_refuses_is_an_error_naming_the_identity() {
        let sim = sim();
        let files = dir("sim-refused");
        let token_file = files.join("id-token");
        std::fs::write(&token_file, "forged-id-token-s3cr3t").unwrap();
        let err = sim
            .client_builder()
            .credentials(Credentials::oidc(sim.idp_id().unwrap(), &token_file))
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unauthorized, "{err}");
        let text = err.to_string();
        assert!(text.contains("IAM refused the ID token"), "{text}");
        assert!(text.contains(&sim.idp_id().unwrap()), "{text}");
        assert!(!text.contains("forged-id-token-s3cr3t"), "{text}");
        assert_eq!(common::requests_for(&sim, Operation::IamSecurityTokens), 0);
        let _ = std::fs::remove_dir_all(files);
    }

    /// `hwinst` with a home of its own, only PATH from this environment, the metadata service
    /// off, every endpoint (IAM's too) at the simulator.
    fn hwinst(home: &Path, sim: &Simulator) -> Command {
        common::cli_at_simulator(home, sim)
    }

    /// Runs `command`: its JSON output, after checking that it succeeded and shows no secret.
    fn json(sim: &Simulator, command: &mut Command) -> Value {
        let output = command.output().expect("hwinst runs");
        let (stdout, stderr) = (
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        );
        assert!(output.status.success(), "{stdout}{stderr}");
        no_secret(sim, &stdout);
        no_secret(sim, &stderr);
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
    }

    #[test]
    fn the_environment_and_the_profile_file_name_a_federated_identity_on_the_command_line() {
        let sim = sim();
        let home = dir("sim-cli");
        let token_file = home.join("id-token");
        let (token, _) = sim.issue_id_token(HOUR).unwrap();
        std::fs::write(&token_file, &token).unwrap();
        let idp = sim.idp_id().unwrap();

        // The environment: the identity wins over the AK/SK beside it.
        let env = |command: &mut Command| {
            command
                .env("HUAWEICLOUD_SDK_IDP_ID", &idp)
                .env("HUAWEICLOUD_SDK_ID_TOKEN_FILE", &token_file)
                .env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT)
                .env("HUAWEICLOUD_SDK_AK", "STATICAK")
                .env("HUAWEICLOUD_SDK_SK", STATIC_SK);
        };
        let mut command = hwinst(&home, &sim);
        env(&mut command);
        let shown = json(&sim, command.args(["-o", "json", "config", "show"]));
        assert_eq!(
            shown["credentials"]["from"],
            "the environment (HUAWEICLOUD_SDK_IDP_ID, HUAWEICLOUD_SDK_ID_TOKEN_FILE)",
            "{shown}"
        );
        assert_eq!(
            shown["credentials"]["kind"],
            "OIDC identity (temporary AK/SK)"
        );
        assert_ne!(shown["credentials"]["access_key"], "STATICAK");
        let mut command = hwinst(&home, &sim);
        env(&mut command);
        let lifecycle = json(
            &sim,
            command.args(["-o", "json", "lifecycle", "apig", "gw-1"]),
        );
        assert_eq!(lifecycle["phase"], "running");

        // The profile file, its project looked up with the temporary keys (no project_id).
        std::fs::create_dir_all(home.join(".huaweicloud")).unwrap();
        std::fs::write(
            home.join(".huaweicloud/credentials"),
            format!(
                "[basic]\nak = STATICAK\nsk = {STATIC_SK}\nidp_id = {idp}\nid_token_file = {}\n",
                token_file.display()
            ),
        )
        .unwrap();
        let before = common::requests_for(&sim, Operation::IamProjects);
        let lifecycle = json(
            &sim,
            hwinst(&home, &sim).args([
                "-o",
                "json",
                "--region",
                "cn-north-4",
                "lifecycle",
                "apig",
                "gw-1",
            ]),
        );
        assert_eq!(lifecycle["phase"], "running");
        assert_eq!(
            common::requests_for(&sim, Operation::IamProjects),
            before + 1
        );
        let shown = json(
            &sim,
            hwinst(&home, &sim).args(["-o", "json", "--region", "cn-north-4", "config", "show"]),
        );
        assert_eq!(
            shown["credentials"]["from"], "the profile file ~/.huaweicloud/credentials [basic]",
            "{shown}"
        );
        let _ = std::fs::remove_dir_all(home);
    }

    /// The official Python SDK's own provider (`EnvCredentialProvider` and its
    /// `FederalAccessor`), pointed at the simulator's IAM, gets temporary keys that the
    /// simulator's services then accept, signed by the SDK's own signer.
    #[test]
    fn the_official_sdk_s_oidc_provider_gets_keys_the_simulator_accepts() {
        let Some(python) = common::sdk_python() else {
            return;
        };
        let sim = sim();
        let files = dir("sim-sdk");
        let token_file = files.join("id-token");
        let (token, _) = sim.issue_id_token(HOUR).unwrap();
        std::fs::write(&token_file, &token).unwrap();
        let output = Command::new(python)
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/sdk/sdk_oidc.py"
            ))
            .arg(format!(
                "{}/v2/{PROJECT}/apigw/instances/gw-1/progress",
                sim.base_url()
            ))
            .env_clear()
            .env("HOME", &files)
            .env("HUAWEICLOUD_SDK_IDP_ID", sim.idp_id().unwrap())
            .env("HUAWEICLOUD_SDK_ID_TOKEN_FILE", &token_file)
            .env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT)
            .env("HUAWEICLOUD_SDK_IAM_ENDPOINT", sim.base_url())
            .output()
            .expect("the SDK's python runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let answer: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(answer["status"], 200, "{answer}");
        assert_eq!(common::requests_for(&sim, Operation::IamIdToken), 1);
        assert_eq!(common::requests_for(&sim, Operation::IamSecurityTokens), 1);
        assert_eq!(sim.issued_temporary_keys(), 1);
        let progress: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
        assert_eq!(progress["progress"], 100, "{progress}");
        let _ = std::fs::remove_dir_all(files);
    }
}
