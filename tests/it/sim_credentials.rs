//! The simulator's credential sources and clock (`hwinst::sim`), through HTTP against the real
//! server on loopback: the ECS metadata service (session tokens, the security key, the
//! agency-not-configured 401), the CCE pod-identity endpoint, temporary credentials the
//! services accept until they expire in simulated time, clock skew and the `Date` header, the
//! request log and faults on the new operations.
#![cfg(feature = "sim")]

use crate::common;
use hmac::{Hmac, Mac};
use hwinst::sim::{
    Fault, InstanceSpec, MetadataSpec, Operation, Outcome, Scenario, SimError, Simulator,
    MAX_CLOCK_SKEW,
};
use hwinst::{
    Client, ClientBuilder, Credentials, ErrorKind, ManualClock, Phase, RetryPolicy, Service,
    Source, WaitOptions,
};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const PROJECT: &str = "0a1b2c3d4e5f";
const AGENCY: &str = "Please configure Cloud Service Agency first";
const EXPIRED: &str = "Incorrect IAM authentication information: the security token has expired";
const TOKEN_PATH: &str = "/meta-data/latest/api/token";
const KEY_PATH: &str = "/openstack/latest/securitykey";
const POD_PATH: &str = "/pod-identity/credentials";

fn start(scenario: Scenario) -> Simulator {
    Simulator::start(scenario).expect("the simulator starts")
}

/// A simulator on a manual clock, and the clock.
fn start_manual(scenario: Scenario) -> (Simulator, Arc<ManualClock>) {
    let sim = start(scenario);
    let clock = Arc::new(ManualClock::new());
    sim.set_clock(clock.clone());
    (sim, clock)
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP
// ---------------------------------------------------------------------------------------------

use common::raw::{agent, read, Raw};

fn get(sim: &Simulator, path: &str, headers: &[(&str, &str)]) -> Raw {
    let mut request = agent().get(format!("{}{path}", sim.base_url()));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    read(request.call())
}

fn post(sim: &Simulator, path: &str, headers: &[(&str, &str)], body: &str) -> Raw {
    let mut request = agent().post(format!("{}{path}", sim.base_url()));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    read(request.send(body))
}

fn put_token(sim: &Simulator, ttl: Option<&str>) -> Raw {
    let mut request = agent().put(format!("{}{TOKEN_PATH}", sim.metadata_url()));
    if let Some(ttl) = ttl {
        request = request.header("X-Metadata-Token-Ttl-Seconds", ttl);
    }
    read(request.send_empty())
}

/// A session token for `ttl` seconds.
fn session_token(sim: &Simulator, ttl: u64) -> String {
    let answer = put_token(sim, Some(&ttl.to_string()));
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body
}

fn security_key(sim: &Simulator, token: Option<&str>) -> Raw {
    match token {
        Some(token) => get(sim, KEY_PATH, &[("X-Metadata-Token", token)]),
        None => get(sim, KEY_PATH, &[]),
    }
}

/// Temporary credentials as the metadata service or the pod-identity endpoint gave them.
struct Issued {
    ak: String,
    sk: String,
    token: String,
    expires_at: String,
}

fn issued(answer: &Raw) -> Issued {
    issued_with(answer, 200)
}

/// Temporary credentials answered with `status` (IAM's `securitytokens` answers 201).
fn issued_with(answer: &Raw, status: u16) -> Issued {
    assert_eq!(answer.status, status, "{}", answer.body);
    assert!(answer
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/json")));
    let body = answer.json();
    let credential = body["credential"].as_object().expect("a credential object");
    let mut keys: Vec<&str> = credential.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["access", "expires_at", "secret", "securitytoken"]);
    let text = |key: &str| credential[key].as_str().unwrap().to_owned();
    Issued {
        ak: text("access"),
        sk: text("secret"),
        token: text("securitytoken"),
        expires_at: text("expires_at"),
    }
}

/// `expires_at` as written by the metadata service: `2026-11-28T10:00:00.000000Z`.
fn iam_time(at: SystemTime) -> String {
    let at = time::OffsetDateTime::from(at);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000000Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

fn whole_seconds(at: SystemTime) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(at.duration_since(UNIX_EPOCH).unwrap().as_secs())
}

fn distance(a: SystemTime, b: SystemTime) -> Duration {
    a.duration_since(b).unwrap_or_else(|e| e.duration())
}

// --- AK/SK signatures built here, independently of the library ---

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sdk_date(at: SystemTime) -> String {
    let at = time::OffsetDateTime::from(at);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// `GET path` signed with `ak`/`sk` (and a security token) at `date`.
fn signed_get(
    sim: &Simulator,
    path: &str,
    (ak, sk, security_token): (&str, &str, Option<&str>),
    date: SystemTime,
) -> Raw {
    let host = sim.addr().to_string();
    let date = sdk_date(date);
    let mut signed: Vec<(&str, String)> = vec![
        ("host", host),
        ("x-project-id", PROJECT.to_owned()),
        ("x-sdk-date", date.clone()),
    ];
    if let Some(token) = security_token {
        signed.push(("x-security-token", token.to_owned()));
    }
    let names: Vec<&str> = signed.iter().map(|(n, _)| *n).collect();
    let canonical = format!(
        "GET\n{path}/\n\n{}\n{}\n{}",
        signed
            .iter()
            .map(|(n, v)| format!("{n}:{v}\n"))
            .collect::<String>(),
        names.join(";"),
        hex(&Sha256::digest(b""))
    );
    let to_sign = format!(
        "SDK-HMAC-SHA256\n{date}\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(sk.as_bytes()).unwrap();
    mac.update(to_sign.as_bytes());
    let authorization = format!(
        "SDK-HMAC-SHA256 Access={ak}, SignedHeaders={}, Signature={}",
        names.join(";"),
        hex(&mac.finalize().into_bytes())
    );
    let mut request = agent()
        .get(format!("{}{path}", sim.base_url()))
        .header("Authorization", &authorization);
    for (name, value) in &signed[1..] {
        request = request.header(*name, value);
    }
    read(request.call())
}

// --- Clients ---

/// Endpoints, region and project of `sim`, no retries, and `credentials`.
fn client_with(sim: &Simulator, credentials: Credentials) -> ClientBuilder {
    sim.client_builder()
        .retry(RetryPolicy::none())
        .credentials(credentials)
}

/// A steady instance of each service: APIG, ROMA, Cloud DC IDs.
fn steady(sim: &Simulator) -> [String; 3] {
    [Service::Apig, Service::Roma, Service::Clouddc].map(|service| {
        sim.add_instance(InstanceSpec::new(service).outcome(Outcome::Steady))
            .unwrap()
    })
}

/// Calls the three services; the first error, if any.
fn call_every_service(client: &Client, [apig, roma, clouddc]: &[String; 3]) -> hwinst::Result<()> {
    client.apig_creation_progress(apig)?;
    client.roma_instance(roma)?;
    client.clouddc_instance_status(clouddc)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The metadata service
// ---------------------------------------------------------------------------------------------

#[test]
fn session_tokens_are_issued_for_a_valid_ttl_only() {
    let sim = start(Scenario::default());
    assert_eq!(sim.metadata_url(), sim.base_url());
    let answer = put_token(&sim, Some("21600"));
    assert_eq!(answer.status, 200);
    assert!(answer
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/plain")));
    assert!(answer.body.len() >= 16 && answer.body.bytes().all(|b| b.is_ascii_graphic()));
    let again = session_token(&sim, 1);
    assert_ne!(again, answer.body, "each token is new");
    for bad in [
        None,
        Some("0"),
        Some("21601"),
        Some("-1"),
        Some("ten"),
        Some(""),
    ] {
        let answer = put_token(&sim, bad);
        assert_eq!(answer.status, 400, "{bad:?}");
        assert!(answer
            .header("x-sim-reason")
            .is_some_and(|r| r.contains("X-Metadata-Token-Ttl-Seconds")));
    }
    let wrong_method = get(&sim, TOKEN_PATH, &[("X-Metadata-Token-Ttl-Seconds", "60")]);
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.header("allow"), Some("PUT"));

    let sim = start(Scenario::default().metadata(MetadataSpec::default().session_tokens(false)));
    assert_eq!(put_token(&sim, Some("60")).status, 404);
    // Where tokens are not supported, one sent anyway is ignored.
    issued(&security_key(&sim, Some("whatever")));
    issued(&security_key(&sim, None));
}

#[test]
fn the_security_key_with_and_without_a_session_token() {
    let sim = start(Scenario::default());
    let token = session_token(&sim, 60);
    issued(&security_key(&sim, Some(&token)));
    issued(&security_key(&sim, None));
    let unknown = security_key(&sim, Some("sim-meta-not-issued"));
    assert_eq!(unknown.status, 401);
    assert!(!unknown.body.contains(AGENCY), "{}", unknown.body);
    assert!(!unknown.body.contains("credential"));

    let sim =
        start(Scenario::default().metadata(MetadataSpec::default().require_session_token(true)));
    let missing = security_key(&sim, None);
    assert_eq!(missing.status, 401);
    assert!(!missing.body.contains(AGENCY), "{}", missing.body);
    let token = session_token(&sim, 60);
    issued(&security_key(&sim, Some(&token)));
    assert_eq!(sim.issued_temporary_keys(), 1);
}

#[test]
fn an_expired_session_token_is_a_401_that_does_not_blame_the_agency() {
    let (sim, clock) = start_manual(Scenario::default());
    let token = session_token(&sim, 60);
    clock.advance(Duration::from_secs(59));
    issued(&security_key(&sim, Some(&token)));
    clock.advance(Duration::from_secs(1));
    let expired = security_key(&sim, Some(&token));
    assert_eq!(expired.status, 401);
    assert!(!expired.body.contains(AGENCY), "{}", expired.body);
    // The client's way out: a new token, and the same request again.
    let fresh = session_token(&sim, 60);
    issued(&security_key(&sim, Some(&fresh)));
}

#[test]
fn a_vm_without_an_agency_says_so() {
    let sim = start(Scenario::default().metadata(MetadataSpec::default().agency(false)));
    let token = session_token(&sim, 60);
    for answer in [security_key(&sim, Some(&token)), security_key(&sim, None)] {
        assert_eq!(answer.status, 401);
        assert!(answer.body.contains(AGENCY), "{}", answer.body);
        assert_eq!(answer.json()["error_msg"], AGENCY);
    }
    assert_eq!(sim.issued_temporary_keys(), 0);
    // A bad session token is reported as such first: the client renews it before concluding.
    let stale = security_key(&sim, Some("stale"));
    assert_eq!(stale.status, 401);
    assert!(!stale.body.contains(AGENCY));
}

#[test]
fn temporary_credentials_have_the_documented_shape_and_expiry() {
    let lifetime = Duration::from_secs(900);
    let (sim, clock) =
        start_manual(Scenario::default().metadata(MetadataSpec::default().lifetime(lifetime)));
    let first = issued(&security_key(&sim, None));
    assert_eq!(first.ak.len(), 20);
    assert!(first
        .ak
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
    assert_eq!(first.sk.len(), 40);
    assert!(first.sk.bytes().all(|b| b.is_ascii_alphanumeric()));
    assert!(first.token.len() >= 200, "{}", first.token.len());
    assert!(first.token.bytes().all(|b| b.is_ascii_graphic()));
    assert_eq!(first.expires_at, iam_time(sim.time() + lifetime));

    clock.advance(Duration::from_secs(3600));
    let second = issued(&security_key(&sim, None));
    assert_ne!(second.ak, first.ak);
    assert_ne!(second.sk, first.sk);
    assert_ne!(second.token, first.token);
    assert_eq!(second.expires_at, iam_time(sim.time() + lifetime));
    assert_eq!(sim.issued_temporary_keys(), 2);

    // The scenario document says the same.
    let same = Scenario::from_json(
        r#"{"metadata": {"agency": true, "lifetime_s": 900, "session_tokens": true,
            "require_session_token": false}}"#,
    )
    .unwrap();
    sim.load_scenario(same).unwrap();
    assert_eq!(sim.issued_temporary_keys(), 0);
    let third = issued(&security_key(&sim, None));
    assert_eq!(third.expires_at, iam_time(sim.time() + lifetime));
}

// ---------------------------------------------------------------------------------------------
// CCE pod identity
// ---------------------------------------------------------------------------------------------

#[test]
fn pod_identity_answers_the_pods_token_only() {
    let lifetime = Duration::from_secs(1800);
    let (sim, _clock) = start_manual(Scenario::default().pod_identity("pod-token-123", lifetime));
    assert_eq!(
        sim.pod_identity_url(),
        format!("{}{POD_PATH}", sim.base_url())
    );
    let ok = post(&sim, POD_PATH, &[("Authorization", "pod-token-123")], "");
    let credential = issued(&ok);
    assert_eq!(credential.expires_at, iam_time(sim.time() + lifetime));
    assert_eq!(credential.ak.len(), 20);

    for headers in [
        &[("Authorization", "pod-token-12")][..],
        &[("Authorization", "Bearer pod-token-123")][..],
        &[][..],
    ] {
        let refused = post(&sim, POD_PATH, headers, "");
        assert_eq!(refused.status, 401, "{headers:?}");
        assert!(!refused.body.contains("pod-token-123"));
        assert!(refused.header("x-sim-reason").is_some());
    }
    assert_eq!(get(&sim, POD_PATH, &[]).status, 405);
    assert_eq!(sim.issued_temporary_keys(), 1);

    let unconfigured = start(Scenario::default());
    let answer = post(
        &unconfigured,
        POD_PATH,
        &[("Authorization", "pod-token-123")],
        "",
    );
    assert_eq!(answer.status, 404);
}

// ---------------------------------------------------------------------------------------------
// Temporary credentials at the services
// ---------------------------------------------------------------------------------------------

#[test]
fn temporary_credentials_work_until_they_expire_in_simulated_time() {
    // Shorter than the 15 minutes a signature's date may be off: clients that sign with the
    // real time are still within them when the credentials expire on the manual clock.
    let lifetime = Duration::from_secs(600);
    let (sim, clock) = start_manual(
        Scenario::default()
            .metadata(MetadataSpec::default().lifetime(lifetime))
            .pod_identity("pod-token", lifetime),
    );
    let ids = steady(&sim);
    let from_metadata = issued(&security_key(&sim, Some(&session_token(&sim, 60))));
    let from_pod = issued(&post(&sim, POD_PATH, &[("Authorization", "pod-token")], ""));
    let client = |c: &Issued, token: &str| {
        client_with(
            &sim,
            Credentials::temporary_ak_sk(c.ak.clone(), c.sk.clone(), token.to_owned()),
        )
        .clock(clock.clone())
        .build()
        .unwrap()
    };
    for credential in [&from_metadata, &from_pod] {
        call_every_service(&client(credential, &credential.token), &ids).unwrap();
        // The security token must be the one issued with the key.
        let err = call_every_service(&client(credential, "not-the-token"), &ids).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unauthorized, "{err}");
        let err = client_with(
            &sim,
            Credentials::ak_sk(credential.ak.clone(), credential.sk.clone()),
        )
        .build()
        .unwrap()
        .apig_creation_progress(&ids[0])
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unauthorized, "{err}");
    }

    clock.advance(lifetime - Duration::from_secs(1));
    call_every_service(&client(&from_metadata, &from_metadata.token), &ids).unwrap();
    clock.advance(Duration::from_secs(1));
    for credential in [&from_metadata, &from_pod] {
        let client = client(credential, &credential.token);
        let err = client.apig_creation_progress(&ids[0]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unauthorized, "{err}");
        let service = err.service_error().expect("the service's answer");
        assert_eq!(service.error_code.as_deref(), Some("APIGW.0301"));
        assert_eq!(service.error_msg.as_deref(), Some(EXPIRED));
        let err = client.clouddc_instance_status(&ids[2]).unwrap_err();
        let service = err.service_error().expect("the service's answer");
        assert_eq!(service.error_code.as_deref(), Some("CLOUDDC.0401"));
        assert_eq!(service.error_msg.as_deref(), Some(EXPIRED));
        assert!(!err.to_string().contains(&credential.token));
        assert!(!err.to_string().contains(&credential.sk));
    }

    // Raw, the gateway's body for ROMA and APIG, and the reason.
    let path = format!("/v2/{PROJECT}/apic/instances/{}", ids[1]);
    let c = &from_metadata;
    let raw = signed_get(
        &sim,
        &path,
        (&c.ak, &c.sk, Some(&c.token)),
        SystemTime::now(),
    );
    assert_eq!(raw.status, 401);
    let body = raw.json();
    assert_eq!(body["error_code"], "APIGW.0301");
    assert_eq!(body["error_msg"], EXPIRED);
    assert_eq!(body["request_id"].as_str(), raw.header("x-request-id"));
    assert!(raw
        .header("x-sim-reason")
        .is_some_and(|r| r.contains("expired")));

    // New credentials work again.
    let renewed = issued(&security_key(&sim, None));
    call_every_service(&client(&renewed, &renewed.token), &ids).unwrap();
}

#[test]
fn one_manual_clock_moves_a_client_and_the_simulator_together() {
    let (sim, clock) = start_manual(Scenario::default());
    let hour = Duration::from_secs(3600);
    let id = sim
        .add_instance(InstanceSpec::new(Service::Apig).step(hour))
        .unwrap();
    let client = sim.client_builder().clock(clock.clone()).build().unwrap();
    let options = WaitOptions::new()
        .timeout(Duration::from_secs(24 * 3600))
        .initial_interval(Duration::from_secs(60))
        .max_interval(Duration::from_secs(600));
    // Real time: what is measured is the wall-clock time the caller waits.
    #[allow(clippy::disallowed_methods)]
    let started = std::time::Instant::now();
    let ready = client
        .wait(Source::Apig, &id, &options, |_| ControlFlow::Continue(()))
        .unwrap();
    assert_eq!(ready.phase, Phase::Running);
    assert!(clock.elapsed() >= 4 * hour, "{:?}", clock.elapsed());
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(sim.instance(&id).unwrap().step, 4);

    // IAM tokens expire on the same clock.
    let iam = post(
        &sim,
        "/v3/auth/tokens",
        &[("Content-Type", "application/json")],
        r#"{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"sim-user",
            "password":"sim-password","domain":{"name":"sim-domain"}}}},
            "scope":{"project":{"id":"0a1b2c3d4e5f"}}}}"#,
    );
    assert_eq!(iam.status, 201, "{}", iam.body);
    assert_eq!(
        iam.json()["token"]["issued_at"],
        iam_time(whole_seconds(sim.time()))
    );
    let token = iam.header("x-subject-token").unwrap().to_owned();
    let projects = |sim: &Simulator| get(sim, "/v3/projects", &[("X-Auth-Token", &token)]).status;
    assert_eq!(projects(&sim), 200);
    clock.advance(24 * hour);
    assert_eq!(projects(&sim), 401);
}

// ---------------------------------------------------------------------------------------------
// Clock skew and the Date header
// ---------------------------------------------------------------------------------------------

/// `Incorrect IAM authentication information: calc aksk signature fail:signature expired,
/// signature time:YYYYMMDDTHHMMSSZ,server time:YYYYMMDDTHHMMSSZ`: the two times.
fn signature_expired_times(message: &str) -> (String, String) {
    let rest = message
        .strip_prefix(
            "Incorrect IAM authentication information: calc aksk signature fail:signature \
             expired, signature time:",
        )
        .unwrap_or_else(|| panic!("{message}"));
    let (signed, server) = rest.split_once(",server time:").expect(message);
    for date in [signed, server] {
        assert_eq!(date.len(), 16, "{message}");
        assert!(date[..8].bytes().all(|b| b.is_ascii_digit()) && &date[8..9] == "T");
    }
    (signed.to_owned(), server.to_owned())
}

#[test]
fn a_skewed_simulator_refuses_signatures_and_dates_its_answers() {
    let skew = 20 * 60;
    let sim = start(Scenario::default().clock_skew(skew));
    assert_eq!(sim.clock_skew(), skew);
    let ids = steady(&sim);
    let expected_time = SystemTime::now() + Duration::from_secs(skew as u64);
    assert!(distance(sim.time(), expected_time) < Duration::from_secs(2));

    // Signed with real time, 20 minutes off the simulator's (built here rather than by the
    // client, which recovers from a skew by itself): refused with the gateway's message,
    // whose server time is the simulator's, as is the Date header.
    let path = format!("/v2/{PROJECT}/apigw/instances/{}/progress", ids[0]);
    let now = SystemTime::now();
    let raw = signed_get(&sim, &path, ("sim-ak", "sim-sk", None), now);
    assert_eq!(raw.status, 401);
    let body = raw.json();
    assert_eq!(body["error_code"], "APIGW.0301");
    let (signed, server) = signature_expired_times(body["error_msg"].as_str().unwrap());
    assert_eq!(signed, sdk_date(now));
    let date = raw.date();
    assert!(distance(date, sim.time()) <= Duration::from_secs(2));
    assert!(distance(date, now + Duration::from_secs(skew as u64)) <= Duration::from_secs(2));
    assert_eq!(server, sdk_date(date), "the message and Date agree");

    // Signed with the simulator's time (what a client does after reading Date), accepted.
    let ok = signed_get(&sim, &path, ("sim-ak", "sim-sk", None), date);
    assert_eq!(ok.status, 200, "{}", ok.body);
    // Within 15 minutes either way is still accepted.
    let edge = date - MAX_CLOCK_SKEW + Duration::from_secs(5);
    assert_eq!(
        signed_get(&sim, &path, ("sim-ak", "sim-sk", None), edge).status,
        200
    );
    let late = date + MAX_CLOCK_SKEW + Duration::from_secs(5);
    assert_eq!(
        signed_get(&sim, &path, ("sim-ak", "sim-sk", None), late).status,
        401
    );

    // Each family's shape for the same refusal.
    let list = signed_get(
        &sim,
        &format!("/v2/{PROJECT}/instances"),
        ("sim-ak", "sim-sk", None),
        now,
    );
    assert_eq!(list.status, 401);
    assert_eq!(list.json()["error_code"], "APIGW.0301");
    assert!(list.json()["request_id"].is_string());
    let status_path = format!("/v1/{PROJECT}/instances/{}/status", ids[2]);
    let clouddc = signed_get(&sim, &status_path, ("sim-ak", "sim-sk", None), now);
    assert_eq!(clouddc.json()["error_code"], "CLOUDDC.0401");
    signature_expired_times(clouddc.json()["error_msg"].as_str().unwrap());
    let iam = signed_get(&sim, "/v3/projects", ("sim-ak", "sim-sk", None), now);
    assert_eq!(iam.status, 401);
    signature_expired_times(iam.json()["error"]["message"].as_str().unwrap());

    // Tokens carry no date: the skew does not matter to them.
    let token_client = sim
        .client_builder()
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    call_every_service(&token_client, &ids).unwrap();

    // Ten minutes of skew is within the limit; 20 minutes behind is not.
    let signed_now =
        |sim: &Simulator| signed_get(sim, &path, ("sim-ak", "sim-sk", None), SystemTime::now());
    sim.set_clock_skew(10 * 60).unwrap();
    assert_eq!(signed_now(&sim).status, 200);
    sim.set_clock_skew(-20 * 60).unwrap();
    let behind = signed_now(&sim);
    assert_eq!(behind.status, 401);
    let (signed, server) = signature_expired_times(behind.json()["error_msg"].as_str().unwrap());
    assert!(server < signed, "{server} is before {signed}");
    sim.set_clock_skew(0).unwrap();
    assert_eq!(signed_now(&sim).status, 200);
    assert!(matches!(
        sim.set_clock_skew(400 * 24 * 3600),
        Err(SimError::Invalid(_))
    ));
}

#[test]
fn clock_skew_through_the_admin_api_and_scenarios() {
    let sim = start(Scenario::default());
    let answer = get(&sim, "/_sim/clock_skew", &[]);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["clock_skew_s"], 0);
    let set = post(&sim, "/_sim/clock_skew", &[], r#"{"clock_skew_s": -1200}"#);
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(set.json()["clock_skew_s"], -1200);
    assert!(set.json()["time"].is_string());
    assert_eq!(sim.clock_skew(), -1200);
    let dated = get(&sim, "/_sim/clock_skew", &[]).date();
    let expected = SystemTime::now() - Duration::from_secs(1200);
    assert!(distance(dated, expected) <= Duration::from_secs(2));
    for bad in [
        r#"{"clock_skew_s": "ten"}"#,
        r#"{"clock_skew_s": 1, "extra": 2}"#,
        r#"{}"#,
        r#"{"clock_skew_s": 99999999999}"#,
    ] {
        let answer = post(&sim, "/_sim/clock_skew", &[], bad);
        assert_eq!(answer.status, 400, "{bad}");
        assert!(answer.json()["error"]
            .as_str()
            .unwrap()
            .contains("clock_skew"));
    }
    let wrong = read(
        agent()
            .delete(format!("{}/_sim/clock_skew", sim.base_url()))
            .call(),
    );
    assert_eq!(wrong.status, 405);
    assert_eq!(wrong.header("allow"), Some("GET, POST"));
    assert_eq!(sim.clock_skew(), -1200);

    // A scenario sets it (and a loaded one resets it).
    sim.load_scenario(Scenario::from_json(r#"{"clock_skew_s": 1200}"#).unwrap())
        .unwrap();
    assert_eq!(sim.clock_skew(), 1200);
    assert_eq!(post(&sim, "/_sim/scenario", &[], "{}").status, 204);
    assert_eq!(sim.clock_skew(), 0);
}

#[test]
fn every_answer_has_one_date_header_of_simulator_time() {
    let (sim, clock) =
        start_manual(Scenario::default().pod_identity("pod", Duration::from_secs(60)));
    clock.advance(Duration::from_secs(5 * 24 * 3600));
    sim.set_clock_skew(-300).unwrap();
    let ids = steady(&sim);
    let expected = sim.time();
    assert!(distance(expected, SystemTime::now()) > Duration::from_secs(4 * 24 * 3600));
    let token = session_token(&sim, 60);
    let answers = [
        get(
            &sim,
            &format!("/v2/{PROJECT}/apigw/instances/{}/progress", ids[0]),
            &[("X-Auth-Token", "sim-token")],
        ),
        get(&sim, &format!("/v2/{PROJECT}/instances"), &[]),
        get(&sim, "/no/such/path", &[]),
        get(&sim, "/_sim/instances", &[]),
        get(&sim, "/_sim/nothing", &[]),
        put_token(&sim, Some("60")),
        security_key(&sim, Some(&token)),
        post(&sim, POD_PATH, &[("Authorization", "pod")], ""),
        post(&sim, "/v3/auth/tokens", &[], "not json"),
        post(
            &sim,
            "/_sim/instances",
            &[],
            &"x".repeat(hwinst::sim::MAX_REQUEST_BODY + 1),
        ),
    ];
    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [200, 401, 404, 200, 404, 200, 200, 200, 400, 413]);
    for answer in &answers {
        assert_eq!(answer.date(), whole_seconds(expected), "{}", answer.body);
    }
}

// ---------------------------------------------------------------------------------------------
// The request log, faults, scenarios
// ---------------------------------------------------------------------------------------------

#[test]
fn the_new_operations_are_logged_and_can_be_faulted() {
    let sim = start(Scenario::default().pod_identity("pod", Duration::from_secs(60)));
    let token = session_token(&sim, 60);
    issued(&security_key(&sim, Some(&token)));
    issued(&post(&sim, POD_PATH, &[("Authorization", "pod")], ""));
    assert_eq!(post(&sim, POD_PATH, &[], "").status, 401);
    let logged = common::answered(&sim);
    assert_eq!(
        logged,
        [
            (Some(Operation::MetadataToken), 200),
            (Some(Operation::MetadataSecurityKey), 200),
            (Some(Operation::PodIdentity), 200),
            (Some(Operation::PodIdentity), 401),
        ]
    );
    let admin_log = get(&sim, "/_sim/requests", &[]).json();
    let names: Vec<&str> = admin_log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["operation"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "metadata_token",
            "metadata_securitykey",
            "pod_identity",
            "pod_identity"
        ]
    );
    assert!(Operation::ALL.contains(&Operation::MetadataSecurityKey));
    assert_eq!(
        "metadata_securitykey".parse::<Operation>().unwrap(),
        Operation::MetadataSecurityKey
    );

    // A metadata answer that is not the documented shape.
    sim.clear_requests();
    let issued_before = sim.issued_temporary_keys();
    sim.add_fault(
        Fault::from_json(r#"{"kind":"malformed","operation":"metadata_securitykey","times":1}"#)
            .unwrap(),
    )
    .unwrap();
    let malformed = security_key(&sim, None);
    assert_eq!(malformed.status, 200);
    assert!(serde_json::from_str::<Value>(&malformed.body).is_err());
    assert_eq!(sim.issued_temporary_keys(), issued_before);
    issued(&security_key(&sim, None));

    // A metadata service that is not there (off a VM: 404), and one that is failing.
    sim.add_fault(
        Fault::status(404)
            .operation(Operation::MetadataToken)
            .times(1),
    )
    .unwrap();
    assert_eq!(put_token(&sim, Some("60")).status, 404);
    sim.add_fault(
        Fault::status(503)
            .retry_after_s(1)
            .operation(Operation::PodIdentity)
            .times(1),
    )
    .unwrap();
    let unavailable = post(&sim, POD_PATH, &[("Authorization", "pod")], "");
    assert_eq!(unavailable.status, 503);
    assert_eq!(unavailable.header("retry-after"), Some("1"));
    assert_eq!(unavailable.json()["error_code"], "SIM.0503");

    // Slow and truncated.
    sim.add_fault(
        Fault::slow(Duration::from_millis(300))
            .operation(Operation::MetadataSecurityKey)
            .times(1),
    )
    .unwrap();
    // Real time: what is measured is the wall-clock time the caller waits.
    #[allow(clippy::disallowed_methods)]
    let started = std::time::Instant::now();
    issued(&security_key(&sim, None));
    assert!(started.elapsed() >= Duration::from_millis(300));
    sim.add_fault(
        Fault::truncated()
            .operation(Operation::MetadataSecurityKey)
            .times(1),
    )
    .unwrap();
    // Half the body, then the connection closes: an error, whether while reading the head
    // or the body.
    let cut = agent()
        .get(format!("{}{KEY_PATH}", sim.base_url()))
        .call()
        .and_then(|mut response| response.body_mut().read_to_string());
    assert!(cut.is_err(), "{cut:?}");
    // Faults on other operations leave these alone.
    sim.add_fault(Fault::status(500).operation(Operation::ApigProgress))
        .unwrap();
    issued(&security_key(&sim, None));

    let statuses = common::answered(&sim);
    assert_eq!(
        statuses,
        [
            (Some(Operation::MetadataSecurityKey), 200),
            (Some(Operation::MetadataSecurityKey), 200),
            (Some(Operation::MetadataToken), 404),
            (Some(Operation::PodIdentity), 503),
            (Some(Operation::MetadataSecurityKey), 200),
            (Some(Operation::MetadataSecurityKey), 200),
            (Some(Operation::MetadataSecurityKey), 200),
        ]
    );
}

#[test]
fn scenario_documents_for_credentials_are_checked() {
    let scenario = Scenario::from_json(
        r#"{"clock_skew_s": -60, "metadata": {"agency": false},
            "pod_identity": {"token": "pod-secret-1", "lifetime_s": 120}}"#,
    )
    .unwrap();
    let built = Scenario::default()
        .clock_skew(-60)
        .metadata(MetadataSpec::default().agency(false))
        .pod_identity("pod-secret-1", Duration::from_secs(120));
    assert_eq!(format!("{scenario:?}"), format!("{built:?}"));
    assert!(!format!("{scenario:?}").contains("pod-secret-1"));

    for (bad, field) in [
        (r#"{"metadata": {"colour": 1}}"#, "metadata"),
        (r#"{"metadata": {"lifetime_s": 0}}"#, "metadata.lifetime_s"),
        (
            r#"{"metadata": {"lifetime_s": 86401}}"#,
            "metadata.lifetime_s",
        ),
        (
            r#"{"metadata": {"session_tokens": false, "require_session_token": true}}"#,
            "require_session_token",
        ),
        (r#"{"pod_identity": {"lifetime_s": 60}}"#, "token"),
        (
            r#"{"pod_identity": {"token": "pod-secret-1", "extra": 1}}"#,
            "pod_identity",
        ),
        (
            r#"{"pod_identity": {"token": "has space"}}"#,
            "pod_identity.token",
        ),
        (
            r#"{"pod_identity": {"token": "pod-secret-1", "lifetime_s": 0}}"#,
            "lifetime_s",
        ),
        (r#"{"clock_skew_s": 40000000}"#, "clock_skew_s"),
        (r#"{"clock_skew_s": 1.5}"#, "clock_skew_s"),
    ] {
        let message = Scenario::from_json(bad).unwrap_err().to_string();
        assert!(message.contains(field), "{bad}: {message}");
        assert!(!message.contains("pod-secret-1"), "{bad}: {message}");
    }
    let pod_type_error = Scenario::from_json(r#"{"pod_identity": {"token": 5}}"#)
        .unwrap_err()
        .to_string();
    assert!(pod_type_error.contains("pod_identity"), "{pod_type_error}");
    assert!(
        Simulator::start(Scenario::default().pod_identity("pod", Duration::from_millis(1500)))
            .is_err()
    );
}

// ---------------------------------------------------------------------------------------------
// Federated OIDC identities: IAM's two unsigned calls
// ---------------------------------------------------------------------------------------------

const ID_TOKEN_PATH: &str = "/v3.0/OS-AUTH/id-token/tokens";
const SECURITY_TOKENS_PATH: &str = "/v3.0/OS-CREDENTIAL/securitytokens";
const JSON_UTF8: (&str, &str) = ("Content-Type", "application/json;charset=UTF-8");

/// Step 1 as the official SDKs make it.
fn federated_token(sim: &Simulator, idp_id: &str, id_token: &str) -> Raw {
    let body = serde_json::json!({"auth": {"id_token": {"id": id_token}}}).to_string();
    post(
        sim,
        ID_TOKEN_PATH,
        &[("X-Idp-Id", idp_id), JSON_UTF8],
        &body,
    )
}

/// Step 2 as the official SDKs make it.
fn security_tokens(sim: &Simulator, token: &str, duration_seconds: u64) -> Raw {
    let body = serde_json::json!({"auth": {"identity": {"methods": ["token"],
        "token": {"id": token, "duration_seconds": duration_seconds}}}})
    .to_string();
    post(sim, SECURITY_TOKENS_PATH, &[JSON_UTF8], &body)
}

/// An IAM-shaped refusal of `status`; its message, which holds none of `secrets`.
fn iam_refusal(answer: &Raw, status: u16, secrets: &[&str]) -> String {
    assert_eq!(answer.status, status, "{}", answer.body);
    let body = answer.json();
    assert_eq!(body["error"]["code"], status, "{}", answer.body);
    assert!(body["error"]["title"].is_string(), "{}", answer.body);
    let message = body["error"]["message"].as_str().unwrap().to_owned();
    let reason = answer.header("x-sim-reason").unwrap_or_default();
    for secret in secrets {
        assert!(!answer.body.contains(secret), "{}", answer.body);
        assert!(!reason.contains(secret), "{reason}");
    }
    message
}

#[test]
fn an_id_token_becomes_temporary_keys_the_services_accept_until_they_expire() {
    let (sim, clock) = start_manual(Scenario::default());
    let [apig, _, _] = steady(&sim);
    assert_eq!(sim.idp_id().as_deref(), Some("sim-idp"));

    let step1 = federated_token(&sim, "sim-idp", "sim-id-token");
    assert_eq!(step1.status, 201, "{}", step1.body);
    let token = step1
        .header("x-subject-token")
        .expect("X-Subject-Token")
        .to_owned();
    let body = step1.json();
    assert_eq!(
        body["token"]["expires_at"],
        iam_time(sim.time() + Duration::from_secs(24 * 3600))
    );
    assert_eq!(
        body["token"]["user"]["OS-FEDERATION"]["identity_provider"]["id"],
        "sim-idp"
    );

    let temporary = issued_with(&security_tokens(&sim, &token, 900), 201);
    let expires = whole_seconds(sim.time()) + Duration::from_secs(900);
    assert_eq!(temporary.expires_at, iam_time(expires));

    // The services take the temporary keys, signed with the security token.
    let progress = format!("/v2/{PROJECT}/apigw/instances/{apig}/progress");
    let keys = (
        temporary.ak.as_str(),
        temporary.sk.as_str(),
        Some(temporary.token.as_str()),
    );
    assert_eq!(signed_get(&sim, &progress, keys, sim.time()).status, 200);
    // The client too, as temporary AK/SK.
    let client = client_with(
        &sim,
        Credentials::AkSk {
            ak: temporary.ak.clone(),
            sk: temporary.sk.clone().into(),
            security_token: Some(temporary.token.clone().into()),
        },
    )
    .clock(clock.clone())
    .build()
    .unwrap();
    assert!(client.apig_creation_progress(&apig).is_ok());
    assert_eq!(sim.issued_temporary_keys(), 1);

    // Until they expire, in simulator time.
    clock.advance(Duration::from_secs(901));
    let expired = signed_get(&sim, &progress, keys, sim.time());
    assert_eq!(expired.status, 401);
    assert_eq!(expired.json()["error_msg"], EXPIRED);

    // The token IAM gave in step 1 is a token: X-Auth-Token works for step 2 too, and the
    // longest duration is a day.
    let by_header = post(
        &sim,
        SECURITY_TOKENS_PATH,
        &[("X-Auth-Token", &token), JSON_UTF8],
        r#"{"auth":{"identity":{"methods":["token"],"token":{"duration_seconds":86400}}}}"#,
    );
    assert_eq!(by_header.status, 201, "{}", by_header.body);
    // No secret was ever in a reason or a log line.
    for secret in sim.issued_secrets() {
        for record in sim.requests() {
            assert!(!format!("{record:?}").contains(&secret));
        }
    }
    assert!(sim.issued_secrets().contains(&"sim-id-token".to_owned()));
    assert!(sim.issued_secrets().contains(&token));
}

#[test]
fn bad_id_tokens_and_requests_are_refused_as_iam_does() {
    let (sim, clock) = start_manual(Scenario::default());
    let secrets = ["sim-id-token", "not-issued-token"];
    // A wrong IdP ID: IAM has no such provider.
    let message = iam_refusal(
        &federated_token(&sim, "other-idp", "sim-id-token"),
        404,
        &secrets,
    );
    assert!(message.contains("other-idp"), "{message}");
    // An ID token the provider did not issue.
    iam_refusal(
        &federated_token(&sim, "sim-idp", "not-issued-token"),
        401,
        &secrets,
    );
    // One it issued, once expired.
    let (issued_token, expires) = sim.issue_id_token(Duration::from_secs(60)).unwrap();
    assert_eq!(expires, sim.time() + Duration::from_secs(60));
    assert_eq!(federated_token(&sim, "sim-idp", &issued_token).status, 201);
    clock.advance(Duration::from_secs(60));
    let message = iam_refusal(
        &federated_token(&sim, "sim-idp", &issued_token),
        401,
        &[&issued_token],
    );
    assert!(message.contains("expired"), "{message}");
    // Malformed requests: 400 naming what is wrong.
    let malformed = [
        (
            post(
                &sim,
                ID_TOKEN_PATH,
                &[JSON_UTF8],
                r#"{"auth":{"id_token":{"id":"sim-id-token"}}}"#,
            ),
            "X-Idp-Id",
        ),
        (
            post(
                &sim,
                ID_TOKEN_PATH,
                &[("X-Idp-Id", "sim-idp")],
                "sim-id-token",
            ),
            "JSON",
        ),
        (
            post(
                &sim,
                ID_TOKEN_PATH,
                &[("X-Idp-Id", "sim-idp")],
                r#"{"auth":{"id_token":{}}}"#,
            ),
            "auth.id_token.id",
        ),
        (
            post(
                &sim,
                ID_TOKEN_PATH,
                &[("X-Idp-Id", "sim-idp")],
                r#"{"auth":{"id_token":{"id":5}}}"#,
            ),
            "auth.id_token.id",
        ),
    ];
    for (answer, named) in &malformed {
        let message = iam_refusal(answer, 400, &secrets);
        assert!(message.contains(named), "{named}: {message}");
    }
    // Step 2: a token IAM did not issue, or bad bodies.
    let message = iam_refusal(&security_tokens(&sim, "sim-iam-unknown", 900), 401, &[]);
    assert!(message.contains("authentication"), "{message}");
    let token = federated_token(&sim, "sim-idp", "sim-id-token")
        .header("x-subject-token")
        .unwrap()
        .to_owned();
    let step2 = |body: &str| post(&sim, SECURITY_TOKENS_PATH, &[JSON_UTF8], body);
    for (body, named) in [
        (
            format!(
                r#"{{"auth":{{"identity":{{"methods":["password"],"token":{{"id":"{token}"}}}}}}}}"#
            ),
            "methods",
        ),
        (
            format!(
                r#"{{"auth":{{"identity":{{"methods":["token"],"token":{{"id":"{token}","duration_seconds":899}}}}}}}}"#
            ),
            "duration_seconds",
        ),
        (
            format!(
                r#"{{"auth":{{"identity":{{"methods":["token"],"token":{{"id":"{token}","duration_seconds":86401}}}}}}}}"#
            ),
            "duration_seconds",
        ),
        (
            format!(
                r#"{{"auth":{{"identity":{{"methods":["token"],"token":{{"id":"{token}","duration_seconds":"900"}}}}}}}}"#
            ),
            "duration_seconds",
        ),
        (
            r#"{"auth":{"identity":{"methods":["token"],"token":{}}}}"#.to_owned(),
            "X-Auth-Token",
        ),
        ("[]".to_owned(), "methods"),
        ("not json".to_owned(), "JSON"),
    ] {
        let message = iam_refusal(&step2(&body), 400, &[&token]);
        assert!(message.contains(named), "{named}: {message}");
    }
    // The IAM token expires too (24 hours).
    clock.advance(Duration::from_secs(24 * 3600));
    iam_refusal(&security_tokens(&sim, &token, 900), 401, &[&token]);
    assert_eq!(sim.issued_temporary_keys(), 0);
    // Signed requests are not what these calls take: a wrong method is 405.
    assert_eq!(get(&sim, SECURITY_TOKENS_PATH, &[]).status, 405);
}

#[test]
fn id_tokens_from_the_admin_api_and_scenarios() {
    let (sim, clock) = start_manual(
        Scenario::from_json(r#"{"oidc": {"idp_id": "ci-idp", "id_tokens": ["jwt-lasting"]}}"#)
            .unwrap(),
    );
    assert_eq!(sim.idp_id().as_deref(), Some("ci-idp"));
    assert_eq!(federated_token(&sim, "ci-idp", "jwt-lasting").status, 201);
    // The default provider is gone with the scenario's own.
    assert_eq!(federated_token(&sim, "sim-idp", "sim-id-token").status, 404);
    let answer = post(&sim, "/_sim/id_tokens", &[], r#"{"lifetime_s": 120}"#);
    assert_eq!(answer.status, 201, "{}", answer.body);
    let body = answer.json();
    assert_eq!(body["idp_id"], "ci-idp");
    assert_eq!(
        body["expires_at"],
        iam_time(whole_seconds(sim.time()) + Duration::from_secs(120))
    );
    let id_token = body["id_token"].as_str().unwrap().to_owned();
    assert_eq!(federated_token(&sim, "ci-idp", &id_token).status, 201);
    clock.advance(Duration::from_secs(120));
    assert_eq!(federated_token(&sim, "ci-idp", &id_token).status, 401);
    // The lasting one never expires.
    clock.advance(Duration::from_secs(365 * 24 * 3600));
    assert_eq!(federated_token(&sim, "ci-idp", "jwt-lasting").status, 201);
    // An empty body: the default lifetime (an hour).
    let answer = post(&sim, "/_sim/id_tokens", &[], "");
    assert_eq!(answer.status, 201, "{}", answer.body);
    for (bad, status) in [
        (r#"{"lifetime_s": 0}"#, 400),
        (r#"{"lifetime_s": 86401}"#, 400),
        (r#"{"lifetime": 60}"#, 400),
    ] {
        assert_eq!(
            post(&sim, "/_sim/id_tokens", &[], bad).status,
            status,
            "{bad}"
        );
    }
    assert_eq!(get(&sim, "/_sim/id_tokens", &[]).status, 405);

    // No provider at all: every IdP ID is unknown, and none can be issued.
    sim.load_scenario(Scenario::default().oidc(None)).unwrap();
    assert_eq!(sim.idp_id(), None);
    iam_refusal(&federated_token(&sim, "sim-idp", "sim-id-token"), 404, &[]);
    assert_eq!(post(&sim, "/_sim/id_tokens", &[], "").status, 404);
    assert!(sim.issue_id_token(Duration::from_secs(60)).is_err());
    let none = Scenario::from_json(r#"{"oidc": null}"#).unwrap();
    assert_eq!(
        format!("{none:?}"),
        format!("{:?}", Scenario::default().oidc(None))
    );
    // no_credentials() forgets the default ID token but keeps the provider.
    sim.load_scenario(Scenario::default().no_credentials())
        .unwrap();
    assert_eq!(federated_token(&sim, "sim-idp", "sim-id-token").status, 401);
    assert!(sim.issue_id_token(Duration::from_millis(1500)).is_err());

    // Scenario documents are checked without quoting an ID token.
    for (bad, field) in [
        (r#"{"oidc": {"id_tokens": ["jwt-secret-1"]}}"#, "idp_id"),
        (r#"{"oidc": {"idp_id": "has space"}}"#, "oidc.idp_id"),
        (
            r#"{"oidc": {"idp_id": "i", "id_tokens": ["jwt secret-1"]}}"#,
            "oidc.id_tokens[0]",
        ),
        (
            r#"{"oidc": {"idp_id": "i", "id_tokens": "jwt-secret-1"}}"#,
            "oidc.id_tokens",
        ),
        (
            r#"{"oidc": {"idp_id": "i", "colour": "jwt-secret-1"}}"#,
            "oidc",
        ),
    ] {
        let message = Scenario::from_json(bad).unwrap_err().to_string();
        assert!(message.contains(field), "{bad}: {message}");
        assert!(!message.contains("secret-1"), "{bad}: {message}");
    }
}

#[test]
fn the_oidc_calls_are_logged_and_can_be_faulted() {
    let sim = start(Scenario::default());
    sim.add_fault(
        Fault::status(503)
            .retry_after_s(2)
            .operation(Operation::IamIdToken)
            .times(1),
    )
    .unwrap();
    let unavailable = federated_token(&sim, "sim-idp", "sim-id-token");
    assert_eq!(unavailable.status, 503);
    assert_eq!(unavailable.header("retry-after"), Some("2"));
    assert_eq!(unavailable.json()["error"]["code"], 503);
    let token = federated_token(&sim, "sim-idp", "sim-id-token")
        .header("x-subject-token")
        .unwrap()
        .to_owned();
    sim.add_fault(
        Fault::from_json(r#"{"kind":"malformed","operation":"iam_securitytokens","times":1}"#)
            .unwrap(),
    )
    .unwrap();
    let malformed = security_tokens(&sim, &token, 900);
    assert_eq!(malformed.status, 200);
    assert!(serde_json::from_str::<Value>(&malformed.body).is_err());
    assert_eq!(sim.issued_temporary_keys(), 0);
    assert_eq!(security_tokens(&sim, &token, 900).status, 201);
    assert_eq!(
        common::answered(&sim),
        [
            (Some(Operation::IamIdToken), 503),
            (Some(Operation::IamIdToken), 201),
            (Some(Operation::IamSecurityTokens), 200),
            (Some(Operation::IamSecurityTokens), 201),
        ]
    );
    let names: Vec<String> = get(&sim, "/_sim/requests", &[]).json()["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["operation"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "iam_id_token",
            "iam_id_token",
            "iam_securitytokens",
            "iam_securitytokens"
        ]
    );
    assert_eq!(
        "iam_securitytokens".parse::<Operation>().unwrap(),
        Operation::IamSecurityTokens
    );
}
