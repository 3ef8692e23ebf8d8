//! The simulator (`hwinst::sim`), through its public API against the real server on
//! loopback: lifecycles observed by the client, authentication (tokens, AK/SK signatures
//! checked from hand-built requests, IAM), faults, the admin API, paging, scenarios.
#![cfg(feature = "sim")]

use crate::common;
use hmac::{Hmac, Mac};
use hwinst::sim::{
    AccessKey, AuthKind, Fault, FaultKind, InstanceSpec, Operation, Outcome, Scenario, SimError,
    Simulator, FAULT_STATUSES,
};
use hwinst::{
    Client, ClientBuilder, Credentials, ErrorKind, ManualClock, Phase, RetryPolicy, RomaListQuery,
    Service, Source, WaitOptions,
};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::{Duration, Instant};

const PROJECT: &str = "0a1b2c3d4e5f";
const HOUR: Duration = Duration::from_secs(3600);

fn start(scenario: Scenario) -> Simulator {
    Simulator::start(scenario).expect("the simulator starts")
}

/// A client of `sim` that does not retry: each test sees one answer.
fn client(sim: &Simulator) -> Client {
    sim.client_builder()
        .retry(RetryPolicy::none())
        .build()
        .expect("client")
}

/// Endpoints and region only: no project, no credentials.
fn bare(sim: &Simulator) -> ClientBuilder {
    Service::ALL
        .into_iter()
        .fold(Client::builder(), |b, s| b.endpoint(s, sim.base_url()))
        .iam_endpoint(sim.base_url())
        .region("cn-north-4")
        .no_proxy()
        .retry(RetryPolicy::none())
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP, for what the client hides
// ---------------------------------------------------------------------------------------------

use common::raw::{agent, read, Raw};

fn get(sim: &Simulator, path: &str, headers: &[(&str, &str)]) -> Raw {
    let mut request = agent().get(format!("{}{path}", sim.base_url()));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    read(request.call())
}

fn with_token(sim: &Simulator, path: &str) -> Raw {
    get(sim, path, &[("X-Auth-Token", "sim-token")])
}

fn post(sim: &Simulator, path: &str, body: &str) -> Raw {
    read(
        agent()
            .post(format!("{}{path}", sim.base_url()))
            .header("Content-Type", "application/json")
            .send(body),
    )
}

fn delete(sim: &Simulator, path: &str) -> Raw {
    read(agent().delete(format!("{}{path}", sim.base_url())).call())
}

// ---------------------------------------------------------------------------------------------
// Lifecycles
// ---------------------------------------------------------------------------------------------

/// What a lifecycle should say at one step: phase, status word, progress, error code.
type Expected = (Phase, &'static str, Option<u8>, Option<&'static str>);

fn lifecycle_scripts() -> Vec<(Service, Outcome, Source, Vec<Expected>)> {
    use Phase::*;
    let apig_error = Some("APIG.9999");
    let roma_error = Some("ROMA.00110002");
    vec![
        (
            Service::Apig,
            Outcome::Success,
            Source::Apig,
            vec![
                (Creating, "creating", Some(30), None),
                (Creating, "creating", Some(50), None),
                (Creating, "creating", Some(80), None),
                (Creating, "creating", Some(90), None),
                (Running, "success", Some(100), None),
            ],
        ),
        (
            Service::Apig,
            Outcome::Fail,
            Source::Apig,
            vec![
                (Creating, "creating", Some(30), None),
                (Creating, "creating", Some(50), None),
                (Failed, "failed", Some(50), apig_error),
            ],
        ),
        (
            Service::Roma,
            Outcome::Success,
            Source::Roma,
            vec![
                (Creating, "CREATING", Some(10), None),
                (Creating, "CREATING", Some(40), None),
                (Creating, "CREATING", Some(60), None),
                (Creating, "CREATING", Some(80), None),
                (Running, "RUNNING", Some(100), None),
            ],
        ),
        (
            Service::Roma,
            Outcome::Fail,
            Source::Roma,
            vec![
                (Creating, "CREATING", Some(10), None),
                (Creating, "CREATING", Some(40), None),
                (Failed, "CREATE_FAILED", Some(40), roma_error),
            ],
        ),
        (
            Service::Roma,
            Outcome::Success,
            Source::RomaDetails,
            vec![
                (Creating, "Creating", None, None),
                (Creating, "CreateSuccess", None, None),
                (Creating, "Initing", None, None),
                (Creating, "Registering", None, None),
                (Running, "Running", None, None),
            ],
        ),
        (
            Service::Roma,
            Outcome::Fail,
            Source::RomaDetails,
            vec![
                (Creating, "Creating", None, None),
                (Creating, "Initing", None, None),
                (Failed, "CreateFail", None, None),
            ],
        ),
        (
            Service::Roma,
            Outcome::Success,
            Source::RomaList,
            vec![
                (Creating, "CREATING", None, None),
                (Creating, "CREATING", None, None),
                (Creating, "CREATING", None, None),
                (Creating, "CREATING", None, None),
                (Running, "RUNNING", None, None),
            ],
        ),
        (
            Service::Roma,
            Outcome::Fail,
            Source::RomaList,
            vec![
                (Creating, "CREATING", None, None),
                (Creating, "CREATING", None, None),
                (Failed, "CREATE_FAILED", None, roma_error),
            ],
        ),
        (
            Service::Clouddc,
            Outcome::Success,
            Source::Clouddc,
            vec![
                (Pending, "pending", None, None),
                (Running, "running", None, None),
            ],
        ),
        (
            Service::Clouddc,
            Outcome::Fail,
            Source::Clouddc,
            vec![
                (Pending, "pending", None, None),
                (Failed, "error", None, Some("CLOUDDC.1001")),
            ],
        ),
        (
            Service::Apig,
            Outcome::Flap,
            Source::Apig,
            vec![
                (Creating, "creating", Some(30), None),
                (Running, "success", Some(100), None),
                (Creating, "creating", Some(90), None),
                (Running, "success", Some(100), None),
            ],
        ),
        (
            Service::Roma,
            Outcome::Flap,
            Source::RomaList,
            vec![
                (Creating, "CREATING", None, None),
                (Running, "RUNNING", None, None),
                (Creating, "CREATING", None, None),
                (Running, "RUNNING", None, None),
            ],
        ),
        (
            Service::Clouddc,
            Outcome::Flap,
            Source::Clouddc,
            vec![
                (Pending, "pending", None, None),
                (Running, "running", None, None),
                (Pending, "pending", None, None),
                (Running, "running", None, None),
            ],
        ),
    ]
}

/// The lifecycle of `id` from `source` (the list's entry for `roma-list`).
fn observe(client: &Client, source: Source, id: &str) -> hwinst::Lifecycle {
    if source == Source::RomaList {
        let entry = client
            .roma_instances(&RomaListQuery::new())
            .map(|e| e.expect("a list entry"))
            .find(|e| e.id.as_deref() == Some(id))
            .expect("the instance is listed");
        return entry.lifecycle();
    }
    client.lifecycle(source, id).expect("a lifecycle")
}

#[test]
fn every_script_step_maps_to_the_documented_phase() {
    for variant in [false, true] {
        let sim = start(Scenario::default());
        let client = client(&sim);
        for (service, outcome, source, steps) in lifecycle_scripts() {
            let id = sim
                .add_instance(
                    InstanceSpec::new(service)
                        .outcome(outcome)
                        .step(HOUR)
                        .undocumented_shapes(variant),
                )
                .unwrap();
            // One step more than the script: the last step stays.
            for (index, expected) in steps.iter().chain(steps.last()).enumerate() {
                let what = format!(
                    "{service} {outcome:?} {source} step {index} undocumented shapes {variant}"
                );
                let lifecycle = observe(&client, source, &id);
                let (phase, status, progress, error) = *expected;
                assert_eq!(lifecycle.phase, phase, "{what}");
                // The undocumented shapes spell some words in lower case.
                let seen = lifecycle.status.clone().unwrap_or_default();
                assert!(seen.eq_ignore_ascii_case(status), "{what}: {seen}");
                if source != Source::RomaList && source != Source::RomaDetails {
                    assert_eq!(lifecycle.progress, progress, "{what}");
                }
                assert_eq!(
                    lifecycle
                        .error
                        .as_ref()
                        .and_then(|e| e.error_code.as_deref()),
                    error,
                    "{what}"
                );
                if error.is_some() {
                    let message = lifecycle.error.as_ref().and_then(|e| e.error_msg.clone());
                    assert!(message.is_some_and(|m| !m.is_empty()), "{what}");
                }
                // The simulator's own view agrees with the client's mapping.
                let view = sim.instance(&id).unwrap();
                assert_eq!(view.phase, phase, "{what}");
                assert_eq!(view.step, index.min(steps.len() - 1), "{what}");
                sim.advance(HOUR);
            }
        }
    }
}

#[test]
fn undocumented_shapes_on_request_and_the_client_reads_both_alike() {
    let sim = start(Scenario::default());
    let variant = |service| {
        InstanceSpec::new(service)
            .undocumented_shapes(true)
            .step(HOUR)
    };
    let apig = sim.add_instance(variant(Service::Apig)).unwrap();
    let roma = sim.add_instance(variant(Service::Roma)).unwrap();
    let plain_apig = sim
        .add_instance(InstanceSpec::new(Service::Apig).step(HOUR))
        .unwrap();
    let plain = sim
        .add_instance(InstanceSpec::new(Service::Roma).step(HOUR))
        .unwrap();
    let body = with_token(
        &sim,
        &format!("/v2/{PROJECT}/apigw/instances/{apig}/progress"),
    )
    .json();
    assert_eq!(body["progress"], "30");
    let body = with_token(&sim, &format!("/v2/{PROJECT}/instances/{roma}/process")).json();
    assert_eq!(body["status"], "creating");
    assert_eq!(body["item"][0]["status"], "creating");
    assert_eq!(
        body["instance"]["availableZones"],
        json!(["cn-north-4a", "cn-north-4b"])
    );
    let body = with_token(&sim, &format!("/v2/{PROJECT}/apic/instances/{roma}")).json();
    assert_eq!(body["instance_status"], "1");
    assert_eq!(body["bandwidth_size"], "5");
    assert_eq!(
        body["available_zone_ids"],
        json!(["cn-north-4a", "cn-north-4b"])
    );
    // By default: the documented spelling and JSON types.
    let body = with_token(
        &sim,
        &format!("/v2/{PROJECT}/apigw/instances/{plain_apig}/progress"),
    )
    .json();
    assert_eq!(body["progress"], 30);
    let body = with_token(&sim, &format!("/v2/{PROJECT}/instances/{plain}/process")).json();
    assert_eq!(body["status"], "CREATING");
    assert_eq!(
        body["instance"]["availableZones"],
        r#"["cn-north-4a","cn-north-4b"]"#
    );
    let body = with_token(&sim, &format!("/v2/{PROJECT}/apic/instances/{plain}")).json();
    assert_eq!(body["instance_status"], 1);
    assert_eq!(body["bandwidth_size"], 5);
    assert_eq!(body["available_zone_ids"], "[cn-north-4a, cn-north-4b]");
    // The client reads both the same way.
    let client = client(&sim);
    let varied = client.roma_instance(&roma).unwrap();
    let documented = client.roma_instance(&plain).unwrap();
    assert_eq!(varied.instance_status, Some(1));
    assert_eq!(varied.instance_status, documented.instance_status);
    assert_eq!(varied.bandwidth_size, Some(5));
    assert_eq!(varied.bandwidth_size, documented.bandwidth_size);
    let zones = Some(vec!["cn-north-4a".to_owned(), "cn-north-4b".to_owned()]);
    assert_eq!(varied.available_zone_ids, zones);
    assert_eq!(documented.available_zone_ids, zones);
    let varied = client.roma_creation_progress(&roma).unwrap();
    let documented = client.roma_creation_progress(&plain).unwrap();
    let zones_of = |p: &hwinst::RomaCreationProgress| {
        p.instance.as_ref().and_then(|i| i.available_zones.clone())
    };
    assert_eq!(zones_of(&varied), zones);
    assert_eq!(zones_of(&documented), zones);
    for id in [&apig, &plain_apig] {
        assert_eq!(
            client.apig_creation_progress(id).unwrap().progress,
            Some(30)
        );
    }
    // `quirks` is still read as the option's former name.
    assert_eq!(
        InstanceSpec::from_json(r#"{"service":"roma","quirks":true}"#).unwrap(),
        InstanceSpec::new(Service::Roma).undocumented_shapes(true)
    );
}

// ---------------------------------------------------------------------------------------------
// Documented types: every field of every default body, against the seed documents' tables
// ---------------------------------------------------------------------------------------------

/// A JSON type as a document's table names it.
#[derive(Clone, Copy, Debug)]
enum Ty {
    /// `String` (the examples show `null` for some: allowed).
    Str,
    /// `Integer` or `Long`.
    Int,
    Bool,
    /// `Array of strings`.
    Strs,
    /// An object with its own table.
    Obj(&'static Table),
    /// `Array of X objects`.
    Objs(&'static Table),
}

/// A document's table: each field with its type and whether a body always has it.
type Table = [(&'static str, Ty, Presence)];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Presence {
    Always,
    /// Only in some answers (Cloud DC's `error`, once failed).
    Sometimes,
}

use Presence::{Always, Sometimes};
use Ty::{Bool, Int, Obj, Objs, Str, Strs};

/// Seed 001, APIG creation progress (表 3).
const APIG_PROGRESS: &Table = &[
    ("progress", Int, Always),
    ("status", Str, Always),
    ("error_code", Str, Always),
    ("error_msg", Str, Always),
    ("start_time", Int, Always),
    ("end_time", Int, Always),
];

/// Seed 000, ROMA `/process`: the top level.
const ROMA_PROCESS: &Table = &[
    ("instance", Obj(ROMA_PROCESS_INSTANCE), Always),
    ("currentTime", Int, Always),
    ("instance_id", Str, Always),
    ("name", Str, Always),
    ("start_time", Int, Always),
    ("taken_time", Int, Always),
    ("end_time", Int, Always),
    ("progress", Int, Always),
    ("status", Str, Always),
    ("item", Objs(ROMA_PROCESS_ITEM), Always),
];

/// Seed 000: `item` has no table; these are its example's fields and types.
const ROMA_PROCESS_ITEM: &Table = &[
    ("name", Str, Always),
    ("start_time", Int, Always),
    ("end_time", Int, Always),
    ("status", Str, Always),
    ("taken_time", Int, Always),
    ("progress", Int, Always),
    ("error_msg", Str, Always),
    ("error_code", Str, Always),
];

/// Seed 000: the `instance` object's table.
const ROMA_PROCESS_INSTANCE: &Table = &[
    ("instanceId", Str, Always),
    ("name", Str, Always),
    ("status", Str, Always),
    ("connectAddress", Str, Always),
    ("connectAddressWithPP", Str, Always),
    ("mgmtConnectAddress", Str, Always),
    ("mgmtExtraConnectAddress", Str, Always),
    ("port", Str, Always),
    ("conAmount", Str, Always),
    ("type", Str, Always),
    ("location", Str, Always),
    ("productId", Str, Always),
    ("engine", Str, Always),
    ("engineVersion", Str, Always),
    ("chargingMode", Int, Always),
    ("description", Str, Always),
    ("errorCode", Str, Always),
    ("errorMessage", Str, Always),
    ("resTenantId", Str, Always),
    ("resDomainId", Str, Always),
    ("resVpcId", Str, Always),
    ("resSubnetId", Str, Always),
    ("resSecurityGroupId", Str, Always),
    ("tenantId", Str, Always),
    ("tenantVpcId", Str, Always),
    ("tenantSubnetId", Str, Always),
    ("tenantSecurityGroupId", Str, Always),
    ("userId", Str, Always),
    ("userName", Str, Always),
    ("domainId", Str, Always),
    ("virtualRouterId", Str, Always),
    ("orderId", Str, Always),
    ("createdAt", Int, Always),
    ("updatedAt", Int, Always),
    ("deletedAt", Str, Always),
    ("availableZones", Str, Always),
    ("maintainBegin", Str, Always),
    ("maintainEnd", Str, Always),
    ("taskStatus", Str, Always),
    ("noPasswordAccess", Bool, Always),
    ("accessUser", Str, Always),
    ("publicipId", Str, Always),
    ("publicipAddr", Str, Always),
    ("publicipBounded", Bool, Always),
    ("outZones", Str, Always),
    ("resourceList", Str, Always),
    ("nameLike", Str, Always),
    ("instanceIdLike", Str, Always),
    ("specCode", Str, Always),
    ("statusIncluded", Str, Always),
    ("epId", Str, Always),
    ("resLeakStatus", Str, Always),
    ("tagEntries", Str, Always),
    ("epIds", Str, Always),
    ("typeExcluded", Str, Always),
    ("ipv6Enable", Bool, Always),
    ("ipv6ConnectAddress", Str, Always),
    ("bandwidths", Int, Always),
    ("ingressBandwidthSize", Str, Always),
    ("resInstanceClusterId", Str, Always),
    ("scope", Str, Always),
    ("cpuArch", Str, Always),
    ("cryptoType", Str, Always),
    ("rocketmqEnable", Bool, Always),
    ("externalElbEnable", Bool, Always),
    ("ltsLogGroupId", Str, Always),
    ("demondPay", Bool, Always),
    ("prePay", Bool, Always),
    ("epIdOrDefault", Str, Always),
];

/// Seed 002, ROMA instance details (Table 3).
const ROMA_DETAILS: &Table = &[
    ("id", Str, Always),
    ("project_id", Str, Always),
    ("instance_name", Str, Always),
    ("status", Str, Always),
    ("instance_status", Int, Always),
    ("type", Str, Always),
    ("spec", Str, Always),
    ("create_time", Int, Always),
    ("enterprise_project_id", Str, Always),
    ("eip_address", Str, Always),
    ("charging_mode", Int, Always),
    ("cbc_metadata", Str, Always),
    ("cbc_operation_locks", Objs(CBC_OPERATION_LOCK), Always),
    ("description", Str, Always),
    ("vpc_id", Str, Always),
    ("subnet_id", Str, Always),
    ("security_group_id", Str, Always),
    ("maintain_begin", Str, Always),
    ("maintain_end", Str, Always),
    ("ingress_ip", Str, Always),
    ("user_id", Str, Always),
    ("nat_eip_ipv6_cidr", Str, Always),
    ("eip_ipv6_address", Str, Always),
    ("nat_eip_address", Str, Always),
    ("bandwidth_size", Int, Always),
    ("available_zone_ids", Str, Always),
    ("instance_version", Str, Always),
    ("virsubnet_id", Str, Always),
    ("roma_eip_address", Str, Always),
    ("listeners", Objs(LISTENER), Always),
    ("supported_features", Strs, Always),
    ("ingress_ip_v6", Str, Always),
    ("node_ips", Obj(NODE_IPS), Always),
    ("ingress_ips", Str, Always),
    ("cipher_type", Str, Always),
];

/// Seed 002, Table 4.
const CBC_OPERATION_LOCK: &Table = &[("lock_scene", Str, Always), ("lock_source_id", Str, Always)];

/// Seed 002, Tables 5 to 7.
const LISTENER: &Table = &[
    ("name", Str, Always),
    ("port", Int, Always),
    ("backend", Obj(BACKEND), Always),
    ("ip_version", Int, Always),
];
const BACKEND: &Table = &[
    ("ip", Strs, Always),
    ("port", Int, Always),
    ("health_check", Obj(HEALTH_CHECK), Always),
];
const HEALTH_CHECK: &Table = &[
    ("protocol", Str, Always),
    ("port", Int, Always),
    ("unhealthy", Int, Always),
    ("timeout", Int, Always),
    ("interval", Int, Always),
];

/// Seed 002, Table 8.
const NODE_IPS: &Table = &[("livedata", Strs, Always), ("shubao", Strs, Always)];

/// Seed 003, ROMA instance list (Tables 4 and 5).
const ROMA_LIST: &Table = &[
    ("total", Int, Always),
    ("size", Int, Always),
    ("instances", Objs(ROMA_LIST_INSTANCE), Always),
];
const ROMA_LIST_INSTANCE: &Table = &[
    ("id", Str, Always),
    ("name", Str, Always),
    ("description", Str, Always),
    ("flavor_id", Str, Always),
    ("flavor_type", Str, Always),
    ("cpu_arch", Str, Always),
    ("vpc_id", Str, Always),
    ("subnet_id", Str, Always),
    ("security_group_id", Str, Always),
    ("publicip_enable", Bool, Always),
    ("publicip_id", Str, Always),
    ("publicip_address", Str, Always),
    ("status", Str, Always),
    ("error_code", Str, Always),
    ("error_msg", Str, Always),
    ("charge_type", Str, Always),
    ("project_id", Str, Always),
    ("create_time", Str, Always),
    ("update_time", Str, Always),
    ("maintain_begin", Str, Always),
    ("maintain_end", Str, Always),
    ("available_zone_ids", Strs, Always),
    ("enterprise_project_id", Str, Always),
];

/// Seed 004, Cloud DC instance status.
const CLOUDDC_STATUS: &Table = &[
    ("state", Str, Always),
    ("operation_state", Str, Always),
    ("error", Obj(CLOUDDC_ERROR_STATUS), Sometimes),
];
const CLOUDDC_ERROR_STATUS: &Table = &[
    ("error_code", Str, Always),
    ("error_msg", Str, Always),
    ("error_type", Str, Always),
];

/// Where `value` departs from `table`: a field of the wrong JSON type, a field missing, a field
/// the table does not have. `null` stands for a String, as in the documents' examples.
fn departures(at: &str, value: &Value, table: &Table, out: &mut Vec<String>) {
    let Some(object) = value.as_object() else {
        out.push(format!("{at}: not an object: {value}"));
        return;
    };
    for key in object.keys() {
        if !table.iter().any(|(name, _, _)| name == key) {
            out.push(format!("{at}.{key}: not in the document's table"));
        }
    }
    for &(name, ty, presence) in table {
        let path = format!("{at}.{name}");
        match object.get(name) {
            None if presence == Always => out.push(format!("{path}: missing")),
            None => {}
            Some(field) => type_departures(&path, field, ty, out),
        }
    }
}

fn type_departures(path: &str, field: &Value, ty: Ty, out: &mut Vec<String>) {
    let ok = match (ty, field) {
        (Str, Value::String(_) | Value::Null) => true,
        (Int, Value::Number(n)) => n.is_i64() || n.is_u64(),
        (Bool, Value::Bool(_)) => true,
        (Strs, Value::Array(items)) => items.iter().all(Value::is_string),
        (Obj(table), Value::Object(_)) => {
            departures(path, field, table, out);
            true
        }
        (Objs(table), Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                departures(&format!("{path}[{i}]"), item, table, out);
            }
            true
        }
        _ => false,
    };
    if !ok {
        out.push(format!(
            "{path}: {field} is not of the documented type {ty:?}"
        ));
    }
}

#[test]
fn the_type_check_catches_a_wrong_type() {
    let mut out = Vec::new();
    departures(
        "details",
        &json!({"bandwidth_size": "5", "available_zone_ids": ["a"], "extra": 1}),
        &[
            ("bandwidth_size", Int, Always),
            ("available_zone_ids", Str, Always),
            ("status", Str, Always),
        ],
        &mut out,
    );
    out.sort();
    assert_eq!(
        out,
        [
            "details.available_zone_ids: [\"a\"] is not of the documented type Str",
            "details.bandwidth_size: \"5\" is not of the documented type Int",
            "details.extra: not in the document's table",
            "details.status: missing",
        ]
    );
}

#[test]
fn documented_types_in_every_default_body() {
    let sim = start(Scenario::default());
    let mut ids = Vec::new();
    for service in [Service::Apig, Service::Roma, Service::Clouddc] {
        for outcome in [Outcome::Success, Outcome::Fail] {
            let id = sim
                .add_instance(InstanceSpec::new(service).outcome(outcome).step(HOUR))
                .unwrap();
            ids.push((service, id));
        }
    }
    let mut out = Vec::new();
    let mut checked = HashSet::new();
    let mut check = |what: String, path: String, table: &'static Table| {
        let raw = with_token(&sim, &path);
        assert_eq!(raw.status, 200, "{what}: {}", raw.body);
        departures(&what, &raw.json(), table, &mut out);
        checked.insert(what);
    };
    // Every step of every script (the longest has 10), and one past the last.
    for step in 0..=11 {
        for (service, id) in &ids {
            let at = |api: &str| format!("{api} {id} step {step}");
            match service {
                Service::Apig => check(
                    at("apig progress"),
                    format!("/v2/{PROJECT}/apigw/instances/{id}/progress"),
                    APIG_PROGRESS,
                ),
                Service::Roma => {
                    check(
                        at("roma process"),
                        format!("/v2/{PROJECT}/instances/{id}/process"),
                        ROMA_PROCESS,
                    );
                    check(
                        at("roma details"),
                        format!("/v2/{PROJECT}/apic/instances/{id}"),
                        ROMA_DETAILS,
                    );
                }
                Service::Clouddc => check(
                    at("clouddc status"),
                    format!("/v1/{PROJECT}/instances/{id}/status"),
                    CLOUDDC_STATUS,
                ),
            }
        }
        check(
            format!("roma list step {step}"),
            format!("/v2/{PROJECT}/instances"),
            ROMA_LIST,
        );
        sim.advance(HOUR);
    }
    assert!(
        out.is_empty(),
        "{} departures:\n{}",
        out.len(),
        out.join("\n")
    );
    assert_eq!(checked.len(), 12 * 9);
    // A failed Cloud DC instance's `error` was among them.
    let (_, failed) = &ids[5];
    let raw = with_token(&sim, &format!("/v1/{PROJECT}/instances/{failed}/status"));
    assert!(raw.json()["error"].is_object(), "{}", raw.body);
}

/// The keys of a JSON object (and of the first element of an array of objects).
fn keys(value: &Value) -> HashSet<String> {
    match value {
        Value::Object(map) => map.keys().cloned().collect(),
        Value::Array(items) => items.first().map(keys).unwrap_or_default(),
        _ => HashSet::new(),
    }
}

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect(&path)).expect(&path)
}

fn assert_has_every_key(example: &Value, body: &Value, what: &str) {
    let missing: Vec<String> = keys(example).difference(&keys(body)).cloned().collect();
    assert!(missing.is_empty(), "{what} lacks {missing:?}: {body}");
}

#[test]
fn bodies_have_every_field_of_the_documents_examples() {
    let sim = start(Scenario::default());
    let id = |service| {
        sim.add_instance(InstanceSpec::new(service).outcome(Outcome::Fail).step(HOUR))
            .unwrap()
    };
    let (apig, roma, clouddc) = (id(Service::Apig), id(Service::Roma), id(Service::Clouddc));
    sim.advance(HOUR * 10);
    let body = with_token(
        &sim,
        &format!("/v2/{PROJECT}/apigw/instances/{apig}/progress"),
    )
    .json();
    assert_has_every_key(&fixture("apig_creation_progress.json"), &body, "APIG");
    let process = fixture("roma_creation_progress.json");
    let body = with_token(&sim, &format!("/v2/{PROJECT}/instances/{roma}/process")).json();
    assert_has_every_key(&process, &body, "/process");
    assert_has_every_key(&process["instance"], &body["instance"], "/process instance");
    assert_has_every_key(&process["item"], &body["item"], "/process item");
    assert_eq!(body["instance"]["errorCode"], "ROMA.00110002");
    let body = with_token(&sim, &format!("/v2/{PROJECT}/apic/instances/{roma}")).json();
    assert_has_every_key(&fixture("roma_instance_full.json"), &body, "details");
    assert_has_every_key(&fixture("roma_instance.json"), &body, "details");
    assert_eq!(
        (body["status"].clone(), body["instance_status"].clone()),
        (json!("CreateFail"), json!(3))
    );
    let page = fixture("roma_instance_page.json");
    let body = with_token(&sim, &format!("/v2/{PROJECT}/instances")).json();
    assert_has_every_key(&page, &body, "list");
    assert_has_every_key(&page["instances"], &body["instances"], "list entry");
    assert_eq!(body["instances"][0]["error_code"], "ROMA.00110002");
    let body = with_token(&sim, &format!("/v1/{PROJECT}/instances/{clouddc}/status")).json();
    assert_has_every_key(&fixture("clouddc_instance_status.json"), &body, "Cloud DC");
    assert_eq!(
        body,
        json!({"state": "error", "operation_state": "install-failed", "error": {
            "error_code": "CLOUDDC.1001", "error_msg": body["error"]["error_msg"],
            "error_type": "create_instance_error"}})
    );
}

#[test]
fn waits_end_running_or_failed_for_every_pollable_source() {
    let sim = start(Scenario::default());
    let client = client(&sim);
    let options = WaitOptions::new()
        .timeout(Duration::from_secs(20))
        .initial_interval(Duration::from_millis(5))
        .max_interval(Duration::from_millis(20));
    let step = Duration::from_millis(20);
    for source in Source::POLLABLE {
        let service = match source {
            Source::Apig => Service::Apig,
            Source::Clouddc => Service::Clouddc,
            _ => Service::Roma,
        };
        let ok = sim
            .add_instance(InstanceSpec::new(service).step(step))
            .unwrap();
        let mut seen = Vec::new();
        let ready = client
            .wait(source, &ok, &options, |l| {
                seen.push(l.phase);
                ControlFlow::Continue(())
            })
            .unwrap_or_else(|e| panic!("{source}: {e}"));
        assert_eq!(ready.phase, Phase::Running, "{source}");
        assert!(ready.terminal, "{source}");
        assert_eq!(seen.last(), Some(&Phase::Running), "{source}: {seen:?}");

        let bad = sim
            .add_instance(InstanceSpec::new(service).outcome(Outcome::Fail).step(step))
            .unwrap();
        let err = client
            .wait(source, &bad, &options, |_| ControlFlow::Continue(()))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InstanceFailed, "{source}: {err}");
        let failed = err.lifecycle().unwrap();
        assert_eq!(failed.phase, Phase::Failed, "{source}");
        if source != Source::RomaDetails {
            assert!(failed.error.is_some(), "{source}: {failed:?}");
        }
    }
}

#[test]
fn speed_makes_simulated_time_run_faster() {
    // A 1000 s step at 100 000 times the clock: 10 ms of the clock.
    let sim = start(Scenario::default().speed(100_000.0));
    let clock = Arc::new(ManualClock::new());
    sim.set_clock(clock.clone());
    let id = sim
        .add_instance(InstanceSpec::new(Service::Clouddc).step(Duration::from_secs(1000)))
        .unwrap();
    clock.advance(Duration::from_micros(9_990));
    assert_eq!(sim.instance(&id).unwrap().phase, Phase::Pending);
    clock.advance(Duration::from_micros(10));
    assert_eq!(sim.instance(&id).unwrap().phase, Phase::Running);
    let client = client(&sim);
    assert_eq!(
        client.lifecycle(Source::Clouddc, &id).unwrap().phase,
        Phase::Running
    );
}

// ---------------------------------------------------------------------------------------------
// Authentication
// ---------------------------------------------------------------------------------------------

/// Steady instances of every service: (apig, roma, clouddc).
fn steady(sim: &Simulator) -> (String, String, String) {
    let add = |service| {
        sim.add_instance(InstanceSpec::new(service).outcome(Outcome::Steady))
            .unwrap()
    };
    (
        add(Service::Apig),
        add(Service::Roma),
        add(Service::Clouddc),
    )
}

/// Every client operation succeeds.
fn every_operation(client: &Client, (apig, roma, clouddc): &(String, String, String)) {
    assert_eq!(
        client.apig_creation_progress(apig).unwrap().progress,
        Some(100)
    );
    assert_eq!(
        client.roma_creation_progress(roma).unwrap().progress,
        Some(100)
    );
    assert_eq!(client.roma_instance(roma).unwrap().instance_status, Some(6));
    let page = client
        .roma_list_instances(&RomaListQuery::new().status("RUNNING").limit(10))
        .unwrap();
    assert_eq!((page.total, page.size), (Some(1), Some(1)));
    assert!(client
        .clouddc_instance_status(clouddc)
        .unwrap()
        .error
        .is_none());
    for (source, id) in [
        (Source::Apig, apig),
        (Source::Roma, roma),
        (Source::RomaDetails, roma),
        (Source::Clouddc, clouddc),
    ] {
        assert_eq!(client.lifecycle(source, id).unwrap().phase, Phase::Running);
    }
    assert_eq!(client.roma_instances(&RomaListQuery::new()).count(), 1);
}

fn auth_kinds(sim: &Simulator) -> HashSet<(Option<Operation>, AuthKind)> {
    sim.requests()
        .into_iter()
        .map(|r| {
            assert!(r.status < 300, "{r:?}");
            (r.operation, r.auth)
        })
        .collect()
}

#[test]
fn every_operation_with_a_token() {
    let sim = start(Scenario::default());
    let ids = steady(&sim);
    every_operation(&client(&sim), &ids);
    assert!(auth_kinds(&sim)
        .iter()
        .all(|(_, auth)| *auth == AuthKind::Token));
    assert_eq!(sim.requests().len(), 10);
}

#[test]
fn every_operation_with_ak_sk() {
    let sim = start(Scenario::default());
    let ids = steady(&sim);
    let signed = bare(&sim)
        .project_id(PROJECT)
        .ak_sk("sim-ak", "sim-sk")
        .build()
        .unwrap();
    every_operation(&signed, &ids);
    assert!(auth_kinds(&sim)
        .iter()
        .all(|(_, auth)| *auth == AuthKind::Aksk));
    // Without a project ID: looked up from IAM with a signed request.
    sim.clear_requests();
    let looked_up = bare(&sim).ak_sk("sim-ak", "sim-sk").build().unwrap();
    every_operation(&looked_up, &ids);
    assert!(auth_kinds(&sim).contains(&(Some(Operation::IamProjects), AuthKind::Aksk)));
    // A wrong secret key is refused.
    let wrong = bare(&sim)
        .project_id(PROJECT)
        .ak_sk("sim-ak", "other-s3cr3t")
        .build()
        .unwrap();
    let err = wrong.apig_creation_progress(&ids.0).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
    assert_eq!(
        err.service_error().unwrap().error_code.as_deref(),
        Some("APIC.7102")
    );
}

#[test]
fn every_operation_with_temporary_ak_sk() {
    let sim = start(Scenario::default().access_key(AccessKey::temporary(
        "tmp-ak",
        "tmp-sk",
        "tmp-token",
    )));
    let ids = steady(&sim);
    let temporary = |token: &str| {
        bare(&sim)
            .project_id(PROJECT)
            .credentials(Credentials::temporary_ak_sk("tmp-ak", "tmp-sk", token))
            .build()
            .unwrap()
    };
    every_operation(&temporary("tmp-token"), &ids);
    for client in [
        temporary("other-token"),
        bare(&sim)
            .project_id(PROJECT)
            .ak_sk("tmp-ak", "tmp-sk")
            .build()
            .unwrap(),
    ] {
        let err = client.clouddc_instance_status(&ids.2).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unauthorized, "{err}");
        assert_eq!(
            err.service_error().unwrap().error_code.as_deref(),
            Some("CLOUDDC.0401")
        );
    }
}

#[test]
fn every_operation_with_an_iam_password() {
    let sim = start(Scenario::default());
    let ids = steady(&sim);
    for builder in [bare(&sim), bare(&sim).project_id(PROJECT)] {
        sim.clear_requests();
        let client = builder
            .iam_password("sim-user", "sim-password", "sim-domain")
            .build()
            .unwrap();
        every_operation(&client, &ids);
        let kinds = auth_kinds(&sim);
        assert!(kinds.contains(&(Some(Operation::IamTokens), AuthKind::None)));
        assert!(kinds.contains(&(Some(Operation::ApigProgress), AuthKind::Token)));
    }
    assert!(auth_kinds(&sim)
        .iter()
        .all(|(op, _)| *op != Some(Operation::IamProjects)));
    // A wrong password: IAM's documented 401.
    let client = bare(&sim)
        .project_id(PROJECT)
        .iam_password("sim-user", "not-the-password", "sim-domain")
        .build()
        .unwrap();
    let err = client.apig_creation_progress(&ids.0).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized, "{err}");
    assert!(
        err.to_string()
            .contains("The username or password is wrong."),
        "{err}"
    );
}

#[test]
fn iam_issues_tokens_that_the_services_accept() {
    let sim = start(Scenario::default());
    let (apig, _, _) = steady(&sim);
    let request = |password: &str, scope: Value| {
        json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": "sim-user", "password": password, "domain": {"name": "sim-domain"}}}},
            "scope": scope}})
        .to_string()
    };
    let issued = post(
        &sim,
        "/v3/auth/tokens",
        &request("sim-password", json!({"project": {"id": PROJECT}})),
    );
    assert_eq!(issued.status, 201, "{}", issued.body);
    let token = issued.header("x-subject-token").unwrap().to_owned();
    let expires = issued.json()["token"]["expires_at"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        expires.ends_with(".000000Z") && expires.len() == 27,
        "{expires}"
    );
    let path = format!("/v2/{PROJECT}/apigw/instances/{apig}/progress");
    assert_eq!(get(&sim, &path, &[("X-Auth-Token", &token)]).status, 200);
    let by_region = post(
        &sim,
        "/v3/auth/tokens",
        &request("sim-password", json!({"project": {"name": "cn-north-4"}})),
    );
    assert_eq!(by_region.status, 201);
    let wrong = post(
        &sim,
        "/v3/auth/tokens",
        &request("nope", json!({"project": {"id": PROJECT}})),
    );
    assert_eq!(wrong.status, 401);
    assert_eq!(
        wrong.json(),
        json!({"error": {"code": 401, "message": "The username or password is wrong.", "title": "Unauthorized"}})
    );
    for bad in [
        "not json".to_owned(),
        request("sim-password", json!({"project": {"id": "another"}})),
        json!({"auth": {"identity": {"methods": ["token"]}}}).to_string(),
    ] {
        let answer = post(&sim, "/v3/auth/tokens", &bad);
        assert_eq!(answer.status, 400, "{bad}: {}", answer.body);
        assert!(answer.json()["error"]["message"].is_string());
    }
    // Project look-up: the region's project, none for another name, a token needed.
    let projects = get(
        &sim,
        "/v3/projects?name=cn-north-4",
        &[("X-Auth-Token", &token)],
    )
    .json();
    assert_eq!(projects["projects"][0]["id"], PROJECT);
    let none = get(
        &sim,
        "/v3/projects?name=cn-east-3",
        &[("X-Auth-Token", &token)],
    )
    .json();
    assert_eq!(none, json!({"projects": []}));
    assert_eq!(get(&sim, "/v3/projects?name=cn-north-4", &[]).status, 401);
}

#[test]
fn tokens_and_projects_are_checked() {
    let sim = start(Scenario::default());
    let (apig, _, clouddc) = steady(&sim);
    let path = format!("/v2/{PROJECT}/apigw/instances/{apig}/progress");
    let missing = get(&sim, &path, &[]);
    assert_eq!(missing.status, 401);
    assert_eq!(
        missing.json(),
        json!({"error_code": "APIC.7102", "error_msg": "Incorrect token or token resolution failed"})
    );
    assert_eq!(get(&sim, &path, &[("X-Auth-Token", "nope")]).status, 401);
    // Another project: 403, in the path or in X-Project-Id.
    let other = with_token(&sim, &format!("/v2/ffff/apigw/instances/{apig}/progress"));
    assert_eq!(other.status, 403);
    assert_eq!(other.json()["error_code"], "APIC.7106");
    let header = get(
        &sim,
        &path,
        &[("X-Auth-Token", "sim-token"), ("X-Project-Id", "ffff")],
    );
    assert_eq!(header.status, 403);
    let list = with_token(&sim, "/v2/ffff/instances");
    assert_eq!(list.status, 403);
    assert_eq!(list.json()["error_code"], "ROMA.00012000");
    let dc = with_token(&sim, &format!("/v1/ffff/instances/{clouddc}/status"));
    assert_eq!(
        (dc.status, dc.json()["error_code"].clone()),
        (403, json!("CLOUDDC.0403"))
    );
    // A token added later works; the client sees 401 before.
    let late = bare(&sim)
        .project_id(PROJECT)
        .token("late-token")
        .build()
        .unwrap();
    assert_eq!(
        late.apig_creation_progress(&apig).unwrap_err().kind(),
        ErrorKind::Unauthorized
    );
    sim.add_token("late-token").unwrap();
    assert!(late.apig_creation_progress(&apig).is_ok());
    assert!(sim.add_token("bad token").is_err());
}

// --- AK/SK signatures from hand-built requests, signed here independently of the library ---

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sdk_date(at: time::OffsetDateTime) -> String {
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

/// A request signed per the AK/SK rules (`docs/apis.md`, Authentication), then possibly changed before it is sent.
struct Signed {
    ak: &'static str,
    sk: &'static str,
    path: String,
    /// Already canonical (sorted, encoded).
    query: String,
    date: String,
    /// Headers signed besides `host` and `x-sdk-date`: lower-case names, sorted with them.
    headers: Vec<(&'static str, String)>,
    /// Whether `host` is signed (the Python SDK signs it, the official Go SDK does not).
    sign_host: bool,
}

impl Signed {
    fn new(path: String, query: &str) -> Signed {
        Signed {
            ak: "sim-ak",
            sk: "sim-sk",
            path,
            query: query.to_owned(),
            date: sdk_date(time::OffsetDateTime::now_utc()),
            headers: vec![("x-project-id", PROJECT.to_owned())],
            sign_host: true,
        }
    }

    /// Signed as the official Go SDK (v0.1.215) signs: `user-agent;x-project-id;x-sdk-date`,
    /// no `host`.
    fn go_sdk_style(path: String, query: &str) -> Signed {
        let mut signed = Signed::new(path, query);
        signed.sign_host = false;
        signed.headers = vec![
            ("user-agent", "huaweicloud-usdk-go/3.0".to_owned()),
            ("x-project-id", PROJECT.to_owned()),
        ];
        signed
    }

    fn authorization(&self, host: &str) -> String {
        let mut signed: Vec<(&str, String)> = vec![("x-sdk-date", self.date.clone())];
        if self.sign_host {
            signed.push(("host", host.to_owned()));
        }
        signed.extend(self.headers.iter().cloned());
        signed.sort();
        let names: Vec<&str> = signed.iter().map(|(n, _)| *n).collect();
        let canonical = format!(
            "GET\n{}/\n{}\n{}\n{}\n{}",
            self.path,
            self.query,
            signed
                .iter()
                .map(|(n, v)| format!("{n}:{v}\n"))
                .collect::<String>(),
            names.join(";"),
            hex(&Sha256::digest(b""))
        );
        let to_sign = format!(
            "SDK-HMAC-SHA256\n{}\n{}",
            self.date,
            hex(&Sha256::digest(canonical.as_bytes()))
        );
        let mut mac = Hmac::<Sha256>::new_from_slice(self.sk.as_bytes()).unwrap();
        mac.update(to_sign.as_bytes());
        format!(
            "SDK-HMAC-SHA256 Access={}, SignedHeaders={}, Signature={}",
            self.ak,
            names.join(";"),
            hex(&mac.finalize().into_bytes())
        )
    }

    /// Sends it; `change` may alter (path, query, headers, authorization) after signing.
    fn send(
        &self,
        sim: &Simulator,
        change: impl FnOnce(&mut String, &mut String, &mut Vec<(&'static str, String)>, &mut String),
    ) -> Raw {
        let host = sim.addr().to_string();
        let mut authorization = self.authorization(&host);
        let (mut path, mut query, mut headers) =
            (self.path.clone(), self.query.clone(), self.headers.clone());
        change(&mut path, &mut query, &mut headers, &mut authorization);
        let url = if query.is_empty() {
            format!("{}{path}", sim.base_url())
        } else {
            format!("{}{path}?{query}", sim.base_url())
        };
        let mut request = agent()
            .get(url)
            .header("X-Sdk-Date", &self.date)
            .header("Authorization", &authorization);
        for (name, value) in &headers {
            request = request.header(*name, value);
        }
        read(request.call())
    }
}

#[test]
fn signatures_are_verified_from_the_request_as_received() {
    let sim = start(Scenario::default());
    let (apig, _, _) = steady(&sim);
    let progress = format!("/v2/{PROJECT}/apigw/instances/{apig}/progress");
    let list = format!("/v2/{PROJECT}/instances");
    let apig_request = Signed::new(progress.clone(), "");
    let list_request = Signed::new(list.clone(), "limit=10&offset=0");

    assert_eq!(apig_request.send(&sim, |_, _, _, _| {}).status, 200);
    let accepted = list_request.send(&sim, |_, _, _, _| {});
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert_eq!(accepted.json()["size"], 1);

    let refused = |raw: Raw, what: &str| {
        assert_eq!(raw.status, 401, "{what}: {}", raw.body);
        assert!(raw.header("x-sim-reason").is_some(), "{what}");
        raw
    };
    // One byte of the path (a path that no longer routes would be 404 before any check).
    let changed_id = format!(
        "{}{}",
        &apig[..apig.len() - 1],
        if apig.ends_with('0') { '1' } else { '0' }
    );
    refused(
        apig_request.send(&sim, |path, _, _, _| {
            *path = path.replace(&apig, &changed_id)
        }),
        "path",
    );
    let body = refused(
        apig_request.send(&sim, |path, _, _, _| {
            *path = path.replacen(PROJECT, &PROJECT.replace('f', "e"), 1)
        }),
        "path's project",
    );
    assert_eq!(
        body.json(),
        json!({"error_code": "APIC.7102", "error_msg": "Incorrect token or token resolution failed"})
    );
    let body = refused(
        list_request.send(&sim, |_, query, _, _| *query = "limit=11&offset=0".into()),
        "query",
    );
    let json = body.json();
    assert_eq!(json["error_code"], "ROMA.00012000");
    assert_eq!(json["request_id"], body.header("x-request-id").unwrap());
    refused(
        apig_request.send(&sim, |_, _, headers, _| {
            headers[0].1 = "0a1b2c3d4e5e".into()
        }),
        "signed header",
    );
    refused(
        apig_request.send(&sim, |_, _, _, authorization| {
            let last = authorization.pop().unwrap();
            authorization.push(if last == '0' { '1' } else { '0' });
        }),
        "signature",
    );
    let mut unknown = Signed::new(progress.clone(), "");
    unknown.ak = "who";
    refused(unknown.send(&sim, |_, _, _, _| {}), "unknown AK");
    let mut old = Signed::new(progress.clone(), "");
    old.date = sdk_date(time::OffsetDateTime::now_utc() - time::Duration::minutes(20));
    let body = refused(old.send(&sim, |_, _, _, _| {}), "old X-Sdk-Date");
    assert!(body.header("x-sim-reason").unwrap().contains("X-Sdk-Date"));
    // `x-sdk-date` must be signed (whatever the signature says).
    let body = refused(
        apig_request.send(&sim, |_, _, _, authorization| {
            *authorization = authorization.replace(";x-sdk-date", "")
        }),
        "x-sdk-date not signed",
    );
    assert!(body.header("x-sim-reason").unwrap().contains("x-sdk-date"));
    assert_eq!(
        body.json(),
        json!({"error_code": "APIC.7102", "error_msg": "Incorrect token or token resolution failed"})
    );
    // The server is still fine.
    assert_eq!(apig_request.send(&sim, |_, _, _, _| {}).status, 200);
}

#[test]
fn any_signed_header_set_with_x_sdk_date_is_accepted_as_the_gateway_does() {
    let sim = start(Scenario::default());
    let (apig, roma, clouddc) = steady(&sim);
    // The official Go SDK's set, no `host`, on each API (the list with a query).
    for (path, query) in [
        (format!("/v2/{PROJECT}/apigw/instances/{apig}/progress"), ""),
        (format!("/v2/{PROJECT}/instances/{roma}/process"), ""),
        (format!("/v2/{PROJECT}/apic/instances/{roma}"), ""),
        (format!("/v2/{PROJECT}/instances"), "limit=10&offset=0"),
        (format!("/v1/{PROJECT}/instances/{clouddc}/status"), ""),
    ] {
        let raw = Signed::go_sdk_style(path.clone(), query).send(&sim, |_, _, _, _| {});
        assert_eq!(raw.status, 200, "{path}: {}", raw.body);
    }
    // `x-sdk-date` alone is enough.
    let progress = format!("/v2/{PROJECT}/apigw/instances/{apig}/progress");
    let mut minimal = Signed::new(progress.clone(), "");
    minimal.sign_host = false;
    minimal.headers.clear();
    let raw = minimal.send(&sim, |_, _, headers, _| {
        headers.push(("x-project-id", PROJECT.to_owned()))
    });
    assert_eq!(raw.status, 200, "{}", raw.body);

    let refused = |raw: Raw, what: &str, reason: &str| {
        assert_eq!(raw.status, 401, "{what}: {}", raw.body);
        assert_eq!(
            raw.json(),
            json!({"error_code": "APIC.7102", "error_msg": "Incorrect token or token resolution failed"}),
            "{what}"
        );
        let why = raw.header("x-sim-reason").unwrap_or_default().to_owned();
        assert!(why.contains(reason), "{what}: {why}");
    };
    let go = Signed::go_sdk_style(progress.clone(), "");
    // A listed header altered after signing.
    refused(
        go.send(&sim, |_, _, headers, _| {
            headers[0].1 = "huaweicloud-usdk-go/3.1".into()
        }),
        "user-agent altered",
        "signature does not match",
    );
    // A listed header not sent.
    refused(
        go.send(&sim, |_, _, headers, _| {
            headers.retain(|(name, _)| *name != "x-project-id")
        }),
        "x-project-id missing",
        "x-project-id header is missing",
    );
    // A header sent but not listed changes nothing.
    let raw = go.send(&sim, |_, _, headers, _| {
        headers.push(("x-unsigned", "anything".into()))
    });
    assert_eq!(raw.status, 200, "{}", raw.body);
    // A set without `x-sdk-date` is refused, whatever the signature.
    let raw = go.send(&sim, |_, _, _, authorization| {
        *authorization = authorization.replace(";x-sdk-date", "")
    });
    refused(raw, "x-sdk-date not listed", "x-sdk-date");
}

// ---------------------------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------------------------

#[test]
fn every_fault_status_with_the_services_error_body() {
    let sim = start(Scenario::default());
    let (apig, roma, clouddc) = steady(&sim);
    let client = client(&sim);
    for status in FAULT_STATUSES {
        sim.add_fault(Fault::status(status).times(1)).unwrap();
        let err = client.apig_creation_progress(&apig).unwrap_err();
        assert_eq!(err.http_status(), Some(status), "{err}");
        assert_eq!(err.kind(), ErrorKind::from_http_status(status));
        let documented = match status {
            401 => Some("APIC.7102"),
            403 => Some("APIC.7106"),
            404 => Some("APIC.7302"),
            500 => Some("APIC.9000"),
            _ => None,
        };
        let code = err.service_error().unwrap().error_code.clone().unwrap();
        match documented {
            Some(expected) => assert_eq!(code, expected),
            None => assert_eq!(code, format!("SIM.{status:04}")),
        }
        assert!(
            client.apig_creation_progress(&apig).is_ok(),
            "spent after one"
        );
    }
    // Each service's shape: the ROMA list's with its request ID, Cloud DC's empty 429.
    sim.add_fault(Fault::status(500).operation(Operation::RomaList).times(1))
        .unwrap();
    let raw = with_token(&sim, &format!("/v2/{PROJECT}/instances"));
    let body = raw.json();
    assert_eq!(
        (raw.status, body["error_code"].clone()),
        (500, json!("ROMA.00011000"))
    );
    assert_eq!(body["request_id"], raw.header("x-request-id").unwrap());
    sim.add_fault(
        Fault::status(429)
            .retry_after_s(7)
            .operation(Operation::ClouddcStatus)
            .times(1),
    )
    .unwrap();
    let raw = with_token(&sim, &format!("/v1/{PROJECT}/instances/{clouddc}/status"));
    assert_eq!(
        (raw.status, raw.body.as_str(), raw.header("retry-after")),
        (429, "", Some("7"))
    );
    sim.add_fault(Fault::status(503).retry_after_s(2).times(1))
        .unwrap();
    let raw = with_token(&sim, &format!("/v2/{PROJECT}/instances/{roma}/process"));
    assert_eq!((raw.status, raw.header("retry-after")), (503, Some("2")));
    assert_eq!(raw.json()["error_code"], "SIM.0503");
    // A fault applies before authentication.
    sim.add_fault(Fault::status(404).times(1)).unwrap();
    assert_eq!(
        get(
            &sim,
            &format!("/v1/{PROJECT}/instances/{clouddc}/status"),
            &[]
        )
        .status,
        404
    );
}

#[test]
fn retried_statuses_end_in_success() {
    let sim = start(Scenario::default());
    let (apig, _, _) = steady(&sim);
    sim.add_fault(Fault::status(503).times(2)).unwrap();
    let client = sim
        .client_builder()
        .retry(
            RetryPolicy::new()
                .max_attempts(4)
                .base_delay(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    assert!(client.apig_creation_progress(&apig).is_ok());
    let statuses: Vec<u16> = sim.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 503, 200]);
}

#[test]
fn slow_truncated_malformed_and_lying_faults() {
    let sim = start(Scenario::default().generate(Service::Roma, 30));
    let (apig, roma, _) = steady(&sim);
    let client = client(&sim);

    sim.add_fault(Fault::slow(Duration::from_millis(400)).times(1))
        .unwrap();
    let impatient = sim
        .client_builder()
        .retry(RetryPolicy::none())
        .request_timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let err = impatient.apig_creation_progress(&apig).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    sim.add_fault(Fault::slow(Duration::from_millis(20)).times(1))
        .unwrap();
    assert!(client.apig_creation_progress(&apig).is_ok());

    sim.add_fault(Fault::truncated().times(1)).unwrap();
    // Real time: what is measured is the wall-clock time the caller waits.
    #[allow(clippy::disallowed_methods)]
    let started = Instant::now();
    let err = client.roma_creation_progress(&roma).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "a truncated body must not hang"
    );
    assert!(client.roma_creation_progress(&roma).is_ok());

    sim.add_fault(Fault::malformed().times(1)).unwrap();
    let err = client.roma_instance(&roma).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");

    sim.add_fault(Fault::lying_total(10_000)).unwrap();
    let page = client
        .roma_list_instances(&RomaListQuery::new().limit(5))
        .unwrap();
    assert_eq!((page.total, page.size), (Some(10_000), Some(5)));
    assert_eq!(client.roma_instances(&RomaListQuery::new()).count(), 31);
    // A lying total hits list requests only.
    assert!(client.apig_creation_progress(&apig).is_ok());
}

#[test]
fn faults_match_instance_operation_and_times_in_order() {
    let sim = start(Scenario::default());
    let a = sim
        .add_instance(
            InstanceSpec::new(Service::Roma)
                .id("a")
                .outcome(Outcome::Steady),
        )
        .unwrap();
    let b = sim
        .add_instance(
            InstanceSpec::new(Service::Roma)
                .id("b")
                .outcome(Outcome::Steady),
        )
        .unwrap();
    let client = client(&sim);
    let status = |r: hwinst::Result<hwinst::RomaInstance>| r.err().and_then(|e| e.http_status());

    let by_instance = sim.add_fault(Fault::status(500).instance("a")).unwrap();
    assert_eq!(status(client.roma_instance(&a)), Some(500));
    assert_eq!(status(client.roma_instance(&b)), None);
    assert!(sim.remove_fault(by_instance));
    assert!(!sim.remove_fault(by_instance));

    sim.add_fault(Fault::status(502).operation(Operation::RomaInstance))
        .unwrap();
    assert_eq!(status(client.roma_instance(&b)), Some(502));
    assert!(client.roma_creation_progress(&b).is_ok());
    sim.clear_faults();

    sim.add_fault(Fault::status(504).times(2)).unwrap();
    sim.add_fault(Fault::status(400).times(1)).unwrap();
    let seen: Vec<Option<u16>> = (0..4).map(|_| status(client.roma_instance(&a))).collect();
    assert_eq!(seen, [Some(504), Some(504), Some(400), None]);

    // IAM requests are matched too.
    sim.add_fault(Fault::status(500).operation(Operation::IamTokens).times(1))
        .unwrap();
    let iam = bare(&sim)
        .project_id(PROJECT)
        .iam_password("sim-user", "sim-password", "sim-domain")
        .build()
        .unwrap();
    assert_eq!(status(iam.roma_instance(&a)), Some(500));
    assert!(iam.roma_instance(&a).is_ok());
}

#[test]
fn bad_faults_are_refused_naming_the_field() {
    let sim = start(Scenario::default());
    let cases: Vec<(Fault, &str)> = vec![
        (Fault::status(418), "418"),
        (Fault::status(500).retry_after_s(1), "retry_after_s"),
        (Fault::slow(Duration::from_secs(3600)), "delay_ms"),
        (Fault::status(500).times(0), "times"),
        (Fault::status(500).instance("a/b"), "instance_id"),
        (
            Fault::lying_total(1).operation(Operation::RomaProcess),
            "roma_list",
        ),
    ];
    for (fault, expected) in cases {
        let err = sim.add_fault(fault).unwrap_err();
        assert!(matches!(err, SimError::Invalid(_)));
        assert!(err.to_string().contains(expected), "{err} lacks {expected}");
    }
    assert_eq!(Fault::truncated().kind(), FaultKind::Truncated);
    for (json, expected) in [
        (r#"{"kind":"slow"}"#, "delay_ms"),
        (r#"{"kind":"status","status":500,"delay_ms":5}"#, "delay_ms"),
        (r#"{"kind":"status","status":500,"colour":1}"#, "colour"),
        (r#"{"kind":"broken"}"#, "broken"),
        (
            r#"{"kind":"status","status":500,"operation":"nope"}"#,
            "operation",
        ),
    ] {
        let err = Fault::from_json(json).unwrap_err();
        assert!(err.to_string().contains(expected), "{json}: {err}");
    }
}

// ---------------------------------------------------------------------------------------------
// Admin API
// ---------------------------------------------------------------------------------------------

#[test]
fn admin_api_routes() {
    let sim = start(Scenario::default());
    // Config: the same document as config_json, usable by the client.
    let config = get(&sim, "/_sim/config", &[]);
    assert_eq!(config.status, 200);
    assert_eq!(
        config.json(),
        serde_json::from_str::<Value>(&sim.config_json()).unwrap()
    );
    assert_eq!(config.json()["endpoints"]["iam"], sim.base_url());
    let from_config = ClientBuilder::from_config_json(&config.body)
        .unwrap()
        .build()
        .unwrap();

    let added = post(
        &sim,
        "/_sim/instances",
        r#"{"service":"apig","id":"x","name":"gw","outcome":"steady"}"#,
    );
    assert_eq!(added.status, 201, "{}", added.body);
    assert_eq!(
        added.json(),
        json!({"service":"apig","id":"x","name":"gw","outcome":"steady","phase":"running","step":4})
    );
    assert!(from_config.apig_creation_progress("x").is_ok());
    let listed = get(&sim, "/_sim/instances", &[]).json();
    assert_eq!(listed["instances"].as_array().unwrap().len(), 1);
    assert_eq!(sim.instances()[0].id, "x");

    assert_eq!(delete(&sim, "/_sim/instances/x").status, 204);
    assert_eq!(delete(&sim, "/_sim/instances/x").status, 404);
    let gone = from_config.apig_creation_progress("x").unwrap_err();
    assert_eq!(gone.kind(), ErrorKind::NotFound);

    let fault = post(
        &sim,
        "/_sim/faults",
        r#"{"kind":"status","status":503,"times":1}"#,
    );
    assert_eq!(fault.status, 201);
    let id = fault.json()["id"].as_u64().unwrap();
    assert_eq!(delete(&sim, &format!("/_sim/faults/{id}")).status, 204);
    assert_eq!(delete(&sim, &format!("/_sim/faults/{id}")).status, 404);
    assert_eq!(
        post(&sim, "/_sim/faults", r#"{"kind":"malformed"}"#).status,
        201
    );
    assert_eq!(delete(&sim, "/_sim/faults").status, 204);

    assert_eq!(
        post(&sim, "/_sim/tokens", r#"{"token":"admin-added"}"#).status,
        204
    );
    let added_token = bare(&sim)
        .project_id(PROJECT)
        .token("admin-added")
        .build()
        .unwrap();
    assert_eq!(
        added_token
            .roma_list_instances(&RomaListQuery::new())
            .unwrap()
            .total,
        Some(0)
    );

    let requests = get(&sim, "/_sim/requests", &[]).json();
    let requests = requests["requests"].as_array().unwrap().clone();
    assert_eq!(requests.len(), 3, "{requests:?}");
    assert_eq!(
        requests[0],
        json!({"method":"GET","path":format!("/v2/{PROJECT}/apigw/instances/x/progress"),
               "query":"","operation":"apig_progress","instance_id":"x","auth":"token","status":200,
               "rate_limited":false})
    );
    assert_eq!(delete(&sim, "/_sim/requests").status, 204);
    assert!(sim.requests().is_empty());

    let advance = post(
        &sim,
        "/_sim/instances",
        r#"{"service":"clouddc","id":"dc","step_ms":3600000}"#,
    );
    assert_eq!(advance.json()["phase"], "pending");
    assert_eq!(post(&sim, "/_sim/advance", r#"{"ms":3600000}"#).status, 204);
    assert_eq!(sim.instance("dc").unwrap().phase, Phase::Running);

    let scenario =
        r#"{"project_id":"p2","region":"cn-east-3","instances":[{"service":"roma","id":"r"}]}"#;
    assert_eq!(post(&sim, "/_sim/scenario", scenario).status, 204);
    let config: Value = serde_json::from_str(&sim.config_json()).unwrap();
    assert_eq!(
        (config["project_id"].clone(), config["region"].clone()),
        (json!("p2"), json!("cn-east-3"))
    );
    assert_eq!(sim.instances().len(), 1);
    let reloaded = client(&sim);
    assert!(reloaded.roma_instance("r").is_ok());
}

#[test]
fn bad_admin_requests_are_400_naming_the_problem() {
    let sim = start(Scenario::default());
    sim.add_instance(InstanceSpec::new(Service::Apig).id("dup"))
        .unwrap();
    let cases = [
        (
            "/_sim/instances",
            r#"{"service":"apig","bogus":1}"#,
            "bogus",
        ),
        ("/_sim/instances", r#"{"service":"nope"}"#, "nope"),
        ("/_sim/instances", r#"{"id":"x"}"#, "service"),
        ("/_sim/instances", r#"{"service":"apig","id":"../x"}"#, "id"),
        ("/_sim/instances", r#"{"service":"apig","id":"dup"}"#, "dup"),
        (
            "/_sim/instances",
            r#"{"service":"apig","outcome":"ok"}"#,
            "outcome",
        ),
        ("/_sim/instances", "not json", "instance"),
        ("/_sim/faults", r#"{"kind":"status","status":418}"#, "418"),
        ("/_sim/faults", r#"{"kind":"slow"}"#, "delay_ms"),
        ("/_sim/faults", "", "fault"),
        ("/_sim/tokens", r#"{"token":"has space"}"#, "token"),
        ("/_sim/tokens", r#"{"tokens":"x"}"#, "tokens"),
        ("/_sim/scenario", r#"{"speed":0}"#, "speed"),
        (
            "/_sim/scenario",
            r#"{"instances":[{"service":"roma","colour":"red"}]}"#,
            "instances[0]",
        ),
        ("/_sim/advance", r#"{"ms":-1}"#, "ms"),
    ];
    for (path, body, expected) in cases {
        let answer = post(&sim, path, body);
        assert_eq!(answer.status, 400, "{path} {body}: {}", answer.body);
        let error = answer.json()["error"].as_str().unwrap().to_owned();
        assert!(
            error.contains(expected),
            "{path} {body}: {error} lacks {expected}"
        );
    }
    // A refused token is not echoed back.
    let answer = post(&sim, "/_sim/tokens", r#"{"token":7,"extra":"s3cr3t-t0k"}"#);
    assert_eq!(answer.status, 400);
    let answer = post(&sim, "/_sim/scenario", r#"{"tokens":"s3cr3t-t0k"}"#);
    assert_eq!(answer.status, 400);
    assert!(!answer.body.contains("s3cr3t"), "{}", answer.body);
    // Routes and methods.
    assert_eq!(get(&sim, "/_sim/nothing", &[]).status, 404);
    let wrong = delete(&sim, "/_sim/config");
    assert_eq!((wrong.status, wrong.header("allow")), (405, Some("GET")));
    assert_eq!(get(&sim, "/_sim/instances/dup", &[]).status, 405);
    let big = "x".repeat(hwinst::sim::MAX_REQUEST_BODY + 1);
    assert_eq!(post(&sim, "/_sim/scenario", &big).status, 413);
    // The simulator still answers.
    assert_eq!(get(&sim, "/_sim/config", &[]).status, 200);
}

// ---------------------------------------------------------------------------------------------
// Paging, paths, scenarios, lifetime
// ---------------------------------------------------------------------------------------------

#[test]
fn rate_limits_answer_429_with_retry_after_and_are_logged() {
    let scenario = Scenario::from_json(r#"{"rate_limits": {"apig": 2}}"#).unwrap();
    let sim = start(scenario);
    // The buckets refill on the simulator's clock: a manual one makes this exact.
    let clock = Arc::new(ManualClock::new());
    sim.set_clock(clock.clone());
    let (apig, roma, _) = steady(&sim);
    assert_eq!(sim.rate_limit(Service::Apig), Some(2.0));
    assert_eq!(sim.rate_limit(Service::Roma), None);
    let apig_path = format!("/v2/{PROJECT}/apigw/instances/{apig}/progress");
    let statuses: Vec<u16> = (0..5)
        .map(|_| with_token(&sim, &apig_path).status)
        .collect();
    assert_eq!(statuses, [200, 200, 429, 429, 429]);
    let limited = with_token(&sim, &apig_path);
    assert_eq!(limited.header("retry-after"), Some("1"));
    assert_eq!(limited.json()["error_code"], "APIGW.0308");
    assert!(limited.json()["error_msg"]
        .as_str()
        .unwrap()
        .contains("limit:2,time:1 second"));
    // Other services have their own budget (none here), and a fault comes before the limit.
    for _ in 0..5 {
        let roma_path = format!("/v2/{PROJECT}/instances/{roma}/process");
        assert_eq!(with_token(&sim, &roma_path).status, 200);
    }
    sim.add_fault(
        Fault::status(503)
            .operation(Operation::ApigProgress)
            .times(1),
    )
    .unwrap();
    assert_eq!(with_token(&sim, &apig_path).status, 503);
    let log = sim.requests();
    let limited: Vec<_> = log.iter().filter(|r| r.rate_limited).collect();
    assert_eq!(limited.len(), 4);
    assert!(limited
        .iter()
        .all(|r| r.status == 429 && r.operation == Some(Operation::ApigProgress)));
    // The bucket refills at the rate: one more after half a second, not before.
    clock.advance(Duration::from_millis(499));
    assert_eq!(with_token(&sim, &apig_path).status, 429);
    clock.advance(Duration::from_millis(1));
    assert_eq!(with_token(&sim, &apig_path).status, 200);

    // The client sees THROTTLED with the pause asked.
    let err = client(&sim).apig_creation_progress(&apig).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Throttled);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));

    // The admin API reads and replaces the limits; Rust too.
    assert_eq!(
        get(&sim, "/_sim/rate_limits", &[]).json(),
        json!({"roma": null, "apig": 2.0, "clouddc": null})
    );
    let set = post(
        &sim,
        "/_sim/rate_limits",
        r#"{"roma": 0.5, "clouddc": null}"#,
    );
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(
        set.json(),
        json!({"roma": 0.5, "apig": null, "clouddc": null})
    );
    assert_eq!(sim.rate_limit(Service::Apig), None);
    assert_eq!(with_token(&sim, &apig_path).status, 200);
    sim.set_rate_limit(Service::Clouddc, Some(3.0)).unwrap();
    assert_eq!(sim.rate_limit(Service::Clouddc), Some(3.0));
    sim.set_rate_limit(Service::Clouddc, None).unwrap();
    assert_eq!(sim.rate_limit(Service::Clouddc), None);

    // Bad limits are refused, naming the service, and change nothing.
    for (body, expected) in [
        (r#"{"apig": 0}"#, "rate_limits.apig"),
        (r#"{"apig": -1}"#, "greater than 0"),
        (r#"{"apgi": 1}"#, "unknown field `apgi`"),
        (r#"{"apig": "fast"}"#, "rate_limits"),
    ] {
        let refused = post(&sim, "/_sim/rate_limits", body);
        assert_eq!(refused.status, 400, "{body}");
        let message = refused.json()["error"].as_str().unwrap().to_owned();
        assert!(message.contains(expected), "{body}: {message}");
    }
    assert_eq!(sim.rate_limit(Service::Roma), Some(0.5));
    let err = sim
        .set_rate_limit(Service::Apig, Some(f64::NAN))
        .unwrap_err();
    assert!(err.to_string().contains("rate_limits.apig"), "{err}");
    let err = Scenario::from_json(r#"{"rate_limits": {"clouddc": 2e9}}"#).unwrap_err();
    assert!(err.to_string().contains("rate_limits.clouddc"), "{err}");
    assert!(Simulator::start(Scenario::default().rate_limit(Service::Roma, 0.0)).is_err());
}

#[test]
fn paging_through_3000_generated_instances() {
    let sim = start(Scenario::default().generate(Service::Roma, 3000));
    sim.add_instance(
        InstanceSpec::new(Service::Roma)
            .id("broken")
            .outcome(Outcome::Fail)
            .step(Duration::ZERO),
    )
    .unwrap();
    let client = client(&sim);
    // Real time: what is measured is the wall-clock time the caller waits.
    #[allow(clippy::disallowed_methods)]
    let started = Instant::now();
    for query in [RomaListQuery::new(), RomaListQuery::new().limit(500)] {
        let mut ids = HashSet::new();
        let mut names = HashSet::new();
        for entry in client.roma_instances(&query) {
            let entry = entry.unwrap();
            assert!(ids.insert(entry.id.unwrap()), "a duplicate");
            names.insert(entry.name.unwrap());
        }
        assert_eq!(ids.len(), 3001);
        assert!(names.contains("bulk-00001") && names.contains("bulk-03000"));
    }
    assert!(started.elapsed() < Duration::from_secs(30));
    let running = client
        .roma_list_instances(
            &RomaListQuery::new()
                .status("RUNNING")
                .offset(2990)
                .limit(500),
        )
        .unwrap();
    assert_eq!((running.total, running.size), (Some(3000), Some(10)));
    let failed = client
        .roma_list_instances(&RomaListQuery::new().status("create_failed"))
        .unwrap();
    assert_eq!(failed.total, Some(1));
    assert_eq!(failed.instances[0].id.as_deref(), Some("broken"));
    let default_page = client.roma_list_instances(&RomaListQuery::new()).unwrap();
    assert_eq!(
        default_page.size,
        Some(hwinst::sim::DEFAULT_LIST_LIMIT as i64)
    );
    // Out of range: ROMA's documented 400.
    for query in ["limit=501", "limit=0", "limit=x", "offset=-1"] {
        let raw = with_token(&sim, &format!("/v2/{PROJECT}/instances?{query}"));
        assert_eq!(raw.status, 400, "{query}");
        let body = raw.json();
        assert_eq!(body["error_code"], "ROMA.00013000", "{query}");
        assert_eq!(body["request_id"], raw.header("x-request-id").unwrap());
    }
    let err = client
        .roma_list_instances(&RomaListQuery::new().limit(501))
        .unwrap_err();
    assert_eq!(err.http_status(), Some(400));
    assert!(err
        .service_error()
        .unwrap()
        .error_msg
        .as_deref()
        .unwrap()
        .contains("limit"));
}

#[test]
fn path_breaking_ids_and_unknown_paths_never_break_the_server() {
    let sim = start(Scenario::default());
    let (apig, _, _) = steady(&sim);
    for path in [
        format!("/v2/{PROJECT}/instances/%2E%2E/process"),
        format!("/v2/{PROJECT}/instances/../process"),
        format!("/v2/{PROJECT}/apigw/instances/a%2Fb/progress"),
        format!("/v2/{PROJECT}/apigw/instances//progress"),
        format!("/v2/{PROJECT}/apigw/instances/%FF%FE/progress"),
        format!("/v1/{PROJECT}/instances/{apig}/status"),
        format!("/v2/{PROJECT}/apic/instances/{}", "a".repeat(300)),
    ] {
        let raw = with_token(&sim, &path);
        assert_eq!(raw.status, 404, "{path}: {}", raw.body);
        assert!(raw.json()["error_code"].is_string(), "{path}");
    }
    let unknown = with_token(&sim, "/v9/nothing");
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["error_code"], "SIM.0404");
    let wrong = read(
        agent()
            .delete(format!("{}/v2/{PROJECT}/instances", sim.base_url()))
            .call(),
    );
    assert_eq!((wrong.status, wrong.header("allow")), (405, Some("GET")));
    // Every answer has a 32-hex-digit request ID; the server still serves.
    for raw in [
        &unknown,
        &wrong,
        &with_token(
            &sim,
            &format!("/v2/{PROJECT}/apigw/instances/{apig}/progress"),
        ),
    ] {
        let id = raw.header("x-request-id").unwrap();
        assert!(
            id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
            "{id}"
        );
    }
    let logged: Vec<Option<Operation>> = sim.requests().iter().map(|r| r.operation).collect();
    assert!(logged.contains(&None) && logged.contains(&Some(Operation::RomaProcess)));
}

#[test]
fn scenarios_from_json_and_files() {
    let json = r#"{
        "region": "cn-north-4", "project_id": "p1", "speed": 2.5,
        "tokens": ["t0k3n-1"], "access_keys": [{"ak": "a1", "sk": "s3cr3t-1", "security_token": null}],
        "users": [{"user": "u", "password": "pw-s3cr3t", "domain": "d"}],
        "instances": [{"service": "apig", "id": "apig-ok", "name": "gateway", "outcome": "success",
                       "step_ms": 1000, "undocumented_shapes": false}],
        "generate": [{"service": "roma", "count": 3}],
        "faults": [{"kind": "status", "status": 429, "retry_after_s": 1, "instance_id": "apig-ok", "times": 2}]
    }"#;
    let scenario = Scenario::from_json(json).unwrap();
    let sim = start(scenario);
    assert_eq!(sim.instances().len(), 4);
    assert_eq!(sim.instances()[1].name, "bulk-00001");
    let client = client(&sim);
    assert_eq!(
        client
            .apig_creation_progress("apig-ok")
            .unwrap_err()
            .http_status(),
        Some(429)
    );
    let config: Value = serde_json::from_str(&sim.config_json()).unwrap();
    assert_eq!(config["credentials"], json!({"token": "t0k3n-1"}));

    let file = std::env::temp_dir().join(format!("hwinst-sim-{}.json", std::process::id()));
    std::fs::write(&file, r#"{"project_id": "from-file"}"#).unwrap();
    let from_file = Scenario::from_file(&file);
    std::fs::remove_file(&file).unwrap();
    assert_eq!(
        format!("{:?}", from_file.unwrap())
            .matches("from-file")
            .count(),
        1
    );
    assert!(matches!(
        Scenario::from_file("/no/such/file.json"),
        Err(SimError::Io { .. })
    ));

    for (json, expected) in [
        (r#"{"regoin": "x"}"#, "regoin"),
        (
            r#"{"instances": [{"service": "apig", "step": 5}]}"#,
            "instances[0]",
        ),
        (r#"{"users": [{"user": "u", "password": "p"}]}"#, "domain"),
        (r#"{"speed": -1}"#, "speed"),
        (r#"{"project_id": "a/b"}"#, "project_id"),
        (
            r#"{"instances": [{"service": "roma", "id": "x"}, {"service": "apig", "id": "x"}]}"#,
            "twice",
        ),
        (
            r#"{"generate": [{"service": "roma", "count": 100001}]}"#,
            "100000",
        ),
        (r#"{"access_keys": [{"ak": "a", "sk": ""}]}"#, "sk"),
        (r#"{"tokens": ["has space"]}"#, "tokens[0]"),
        (
            r#"{"faults": [{"kind": "status", "status": 200}]}"#,
            "faults[0]",
        ),
        ("[]", "scenario"),
        ("{} x", "scenario"),
    ] {
        let err = Scenario::from_json(json).unwrap_err();
        assert!(
            err.to_string().contains(expected),
            "{json}: {err} lacks {expected}"
        );
    }
    // Secrets are not echoed by errors or Debug.
    let err = Scenario::from_json(r#"{"access_keys": [{"ak": "a", "sk": 5, "x": "s3cr3t"}]}"#)
        .unwrap_err();
    assert!(!err.to_string().contains("s3cr3t"), "{err}");
    let err = Scenario::from_json(r#"{"tokens": "s3cr3t"}"#).unwrap_err();
    assert!(!err.to_string().contains("s3cr3t"), "{err}");
    let scenario = Scenario::default()
        .token("s3cr3t-token")
        .access_key(AccessKey::temporary("ak", "s3cr3t-sk", "s3cr3t-st"))
        .user(hwinst::sim::User::new("u", "s3cr3t-pw", "d"));
    assert!(!format!("{scenario:?}").contains("s3cr3t"));
    let sim = start(scenario);
    assert!(!format!("{sim:?}").contains("s3cr3t"));
}

#[test]
fn only_loopback_addresses_are_served() {
    for addr in ["0.0.0.0:0", "192.0.2.1:8080", "[::]:0", "example.com:80"] {
        let err = Simulator::start_on(addr, Scenario::default()).unwrap_err();
        assert!(
            err.to_string().contains("loopback") || err.to_string().contains("127.0.0.1"),
            "{err}"
        );
    }
    let sim = Simulator::start_on("localhost:0", Scenario::default()).unwrap();
    assert!(sim.base_url().starts_with("http://127.0.0.1:"));
    let taken = sim.addr().to_string();
    assert!(matches!(
        Simulator::start_on(&taken, Scenario::default()),
        Err(SimError::Io { .. })
    ));
}

#[test]
fn drop_stops_the_server_and_frees_the_port() {
    let sim = start(Scenario::default());
    let (apig, _, _) = steady(&sim);
    let client = client(&sim);
    assert!(client.apig_creation_progress(&apig).is_ok());
    let addr = sim.addr();
    // Real time: what is measured is the wall-clock time the caller waits.
    #[allow(clippy::disallowed_methods)]
    let started = Instant::now();
    drop(sim);
    assert!(started.elapsed() < Duration::from_secs(5));
    std::net::TcpListener::bind(addr).expect("the port is free again");
    let err = client.apig_creation_progress(&apig).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
}

#[test]
fn many_threads_share_one_simulator() {
    let sim = start(Scenario::default().generate(Service::Roma, 100));
    let (apig, roma, clouddc) = steady(&sim);
    let client = client(&sim);
    std::thread::scope(|scope| {
        for _ in 0..6 {
            scope.spawn(|| {
                for _ in 0..10 {
                    assert!(client.apig_creation_progress(&apig).is_ok());
                    assert!(client.roma_creation_progress(&roma).is_ok());
                    assert!(client.clouddc_instance_status(&clouddc).is_ok());
                    assert_eq!(client.roma_instances(&RomaListQuery::new()).count(), 101);
                }
            });
        }
    });
    assert_eq!(sim.requests().len(), 6 * 10 * 6);
    fn shared<T: Send + Sync>(_: &T) {}
    shared(&sim);
}
