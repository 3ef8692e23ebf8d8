//! Every row of every mapping table, read through `Client::lifecycle` from a loopback server.
//! The expected phases are written out here, not taken from the library's tables, so that a
//! wrong row fails.

// Real time here (clippy.toml refuses it elsewhere): checks a C-ABI client (on the system clock)
// dates its documents by real time.
#![allow(clippy::disallowed_methods)]

use crate::common;

use common::{client, INSTANCE, PROJECT};
use hwinst::{ErrorKind, Lifecycle, Phase, RomaListQuery, Source};
use serde_json::{json, Value};

/// Serves `body` for the request `source` sends for `id`, then reads its lifecycle.
fn read(server: &mut mockito::Server, source: Source, id: &str, body: Value) -> Lifecycle {
    let path = match source {
        Source::Roma => format!("/v2/{PROJECT}/instances/{id}/process"),
        Source::RomaDetails => format!("/v2/{PROJECT}/apic/instances/{id}"),
        Source::Apig => format!("/v2/{PROJECT}/apigw/instances/{id}/progress"),
        Source::Clouddc => format!("/v1/{PROJECT}/instances/{id}/status"),
        other => panic!("{other} is not pollable"),
    };
    let mock = server
        .mock("GET", path.as_str())
        .with_body(body.to_string())
        .expect(1)
        .create();
    let lifecycle = client(server).lifecycle(source, id).expect("lifecycle");
    mock.assert();
    assert_eq!(lifecycle.source, source);
    assert_eq!(lifecycle.instance_id, id);
    assert_eq!(
        lifecycle.terminal,
        lifecycle.phase.is_terminal(),
        "{lifecycle:?}"
    );
    lifecycle
}

/// The 34 ROMA statuses with their documented numbers and the phase each must map to.
const ROMA_DETAILS_ROWS: [(&str, i64, Phase); 34] = {
    use Phase::*;
    [
        ("Creating", 1, Creating),
        ("CreateSuccess", 2, Creating),
        ("CreateFail", 3, Failed),
        ("Initing", 4, Creating),
        ("Registering", 5, Creating),
        ("Running", 6, Running),
        ("InitingFailed", 7, Failed),
        ("RegisterFailed", 8, Failed),
        ("Installing", 10, Creating),
        ("InstallFailed", 11, Failed),
        ("Updating", 12, Updating),
        ("UpdateFailed", 13, Failed),
        ("Rollbacking", 20, Updating),
        ("RollbackSuccess", 21, Running),
        ("RollbackFailed", 22, Failed),
        ("Deleting", 23, Deleting),
        ("DeleteFailed", 24, Failed),
        ("Unregistering", 25, Deleting),
        ("UnRegisterFailed", 26, Failed),
        ("CreateTimeout", 27, Failed),
        ("InitTimeout", 28, Failed),
        ("RegisterTimeout", 29, Failed),
        ("InstallTimeout", 30, Failed),
        ("UpdateTimeout", 31, Failed),
        ("RollbackTimeout", 32, Failed),
        ("DeleteTimeout", 33, Failed),
        ("UnregisterTimeout", 34, Failed),
        ("Starting", 35, Updating),
        ("Freezing", 36, Stopping),
        ("Frozen", 37, Stopped),
        ("Restarting", 38, Updating),
        ("RestartFail", 39, Failed),
        ("Unhealthy", 40, Failed),
        ("RestartTimeout", 41, Failed),
    ]
};

#[test]
fn roma_details_every_status_word() {
    let mut server = mockito::Server::new();
    for (word, _, phase) in ROMA_DETAILS_ROWS {
        let id = format!("word-{word}");
        let l = read(
            &mut server,
            Source::RomaDetails,
            &id,
            json!({ "status": word }),
        );
        assert_eq!(
            (l.phase, l.status.as_deref()),
            (phase, Some(word)),
            "{word}"
        );
        assert_eq!(l.progress, None);
    }
}

#[test]
fn roma_details_every_status_number() {
    let mut server = mockito::Server::new();
    for (word, code, phase) in ROMA_DETAILS_ROWS {
        let id = format!("code-{code}");
        // Numbers sent as strings are read too.
        let body = if code % 2 == 0 {
            json!({ "instance_status": code })
        } else {
            json!({ "instance_status": code.to_string() })
        };
        let l = read(&mut server, Source::RomaDetails, &id, body);
        let expected = code.to_string();
        assert_eq!(
            (l.phase, l.status.as_deref()),
            (phase, Some(expected.as_str())),
            "{word}"
        );
    }
}

#[test]
fn roma_details_word_wins_over_number_and_unknowns_are_unknown() {
    let mut server = mockito::Server::new();
    let cases = [
        // Both documented and disagreeing: the word decides.
        (
            json!({"status": "Running", "instance_status": 3}),
            Phase::Running,
            Some("Running"),
        ),
        (
            json!({"status": "CreateFail", "instance_status": 6}),
            Phase::Failed,
            Some("CreateFail"),
        ),
        // An unknown word: the number decides, the word is kept.
        (
            json!({"status": "Hibernating", "instance_status": 6}),
            Phase::Running,
            Some("Hibernating"),
        ),
        // Any case and separators.
        (
            json!({"status": "create_fail"}),
            Phase::Failed,
            Some("create_fail"),
        ),
        // Nothing known.
        (
            json!({"status": "Hibernating"}),
            Phase::Unknown,
            Some("Hibernating"),
        ),
        (json!({"instance_status": 9}), Phase::Unknown, Some("9")),
        (json!({"instance_status": 42}), Phase::Unknown, Some("42")),
        (json!({}), Phase::Unknown, None),
    ];
    for (n, (body, phase, status)) in cases.into_iter().enumerate() {
        let l = read(
            &mut server,
            Source::RomaDetails,
            &format!("mix-{n}"),
            body.clone(),
        );
        assert_eq!((l.phase, l.status.as_deref()), (phase, status), "{body}");
        assert!(!l.terminal || phase != Phase::Unknown);
    }
}

#[test]
fn roma_process_statuses_progress_and_errors() {
    let mut server = mockito::Server::new();
    let rows = [
        ("CREATING", Phase::Creating),
        ("creating", Phase::Creating),
        ("RUNNING", Phase::Running),
        ("CREATE_FAILED", Phase::Failed),
        ("create_failed", Phase::Failed),
        ("PAUSED", Phase::Unknown),
    ];
    for (n, (word, phase)) in rows.into_iter().enumerate() {
        let l = read(
            &mut server,
            Source::Roma,
            &format!("p{n}"),
            json!({"status": word, "progress": 40}),
        );
        assert_eq!(
            (l.phase, l.status.as_deref(), l.progress),
            (phase, Some(word), Some(40))
        );
    }

    // The seed example: creating, 0 % at the top, no item progress.
    let seed: Value =
        serde_json::from_str(&common::fixture("roma_creation_progress.json")).unwrap();
    let l = read(&mut server, Source::Roma, INSTANCE, seed);
    assert_eq!(
        (l.phase, l.status.as_deref()),
        (Phase::Creating, Some("creating"))
    );

    // The top-level progress still 0 while sub-services progress: their mean.
    let l = read(
        &mut server,
        Source::Roma,
        "items",
        json!({
            "status": "CREATING", "progress": 0,
            "item": [{"name": "mqs", "progress": 100, "status": "RUNNING"},
                     {"name": "lvs", "progress": "50"},
                     {"name": "apic", "progress": 0},
                     {"name": "odd", "progress": 250}]
        }),
    );
    assert_eq!(l.progress, Some(62)); // (100 + 50 + 0 + 100) / 4, 250 read as 100
                                      // Top-level progress wins once it moves; no progress anywhere is null.
    let l = read(
        &mut server,
        Source::Roma,
        "top",
        json!({"status": "CREATING", "progress": 20, "item": [{"progress": 90}]}),
    );
    assert_eq!(l.progress, Some(20));
    let l = read(
        &mut server,
        Source::Roma,
        "none",
        json!({"status": "CREATING"}),
    );
    assert_eq!(l.progress, None);

    // No top-level status: the nested instance's. Errors: the instance's, else an item's.
    let l = read(
        &mut server,
        Source::Roma,
        "nested",
        json!({
            "instance": {"status": "CREATE_FAILED", "errorCode": "ROMA.1", "errorMessage": "no quota"},
            "item": [{"error_code": "MQS.2", "error_msg": "mqs failed"}]
        }),
    );
    assert_eq!(l.phase, Phase::Failed);
    let e = l.error.expect("error");
    assert_eq!(
        (e.error_code.as_deref(), e.error_msg.as_deref()),
        (Some("ROMA.1"), Some("no quota"))
    );
    let l = read(
        &mut server,
        Source::Roma,
        "item-error",
        json!({
            "status": "CREATE_FAILED",
            "instance": {"errorCode": "", "errorMessage": null},
            "item": [{"name": "mqs", "status": "RUNNING"}, {"name": "lvs", "error_code": "LVS.9", "error_msg": "lvs failed"}]
        }),
    );
    let e = l.error.expect("error");
    assert_eq!(
        (e.error_code.as_deref(), e.error_msg.as_deref()),
        (Some("LVS.9"), Some("lvs failed"))
    );
}

#[test]
fn apig_statuses_and_progress() {
    let mut server = mockito::Server::new();
    let rows = [
        (
            json!({"progress": 30, "status": "creating"}),
            Phase::Creating,
            Some(30),
        ),
        (
            json!({"progress": "50", "status": "creating"}),
            Phase::Creating,
            Some(50),
        ),
        (
            json!({"progress": 100, "status": "success"}),
            Phase::Running,
            Some(100),
        ),
        (
            json!({"progress": 80, "status": "failed", "error_code": "APIG.9999", "error_msg": "no EIP"}),
            Phase::Failed,
            Some(80),
        ),
        (
            json!({"progress": 90, "status": "SUCCESS"}),
            Phase::Running,
            Some(90),
        ),
        (
            json!({"progress": 90, "status": "queued"}),
            Phase::Unknown,
            Some(90),
        ),
        // Without a status, progress decides.
        (json!({"progress": 100}), Phase::Running, Some(100)),
        (json!({"progress": 30}), Phase::Creating, Some(30)),
        (json!({}), Phase::Unknown, None),
    ];
    for (n, (body, phase, progress)) in rows.into_iter().enumerate() {
        let l = read(&mut server, Source::Apig, &format!("a{n}"), body.clone());
        assert_eq!((l.phase, l.progress), (phase, progress), "{body}");
        assert_eq!(l.status.as_deref(), body["status"].as_str());
        if phase == Phase::Failed {
            let e = l.error.expect("error");
            assert_eq!(
                (e.error_code.as_deref(), e.error_msg.as_deref()),
                (Some("APIG.9999"), Some("no EIP"))
            );
        } else {
            assert_eq!(l.error, None);
        }
    }
}

#[test]
fn clouddc_every_state_in_both_spellings() {
    let mut server = mockito::Server::new();
    let rows = [
        ("pending", Phase::Pending),
        ("running", Phase::Running),
        ("stopped", Phase::Stopped),
        ("shutting_down", Phase::Deleting),
        ("shutting-down", Phase::Deleting),
        ("terminated", Phase::Deleted),
        ("error", Phase::Failed),
        ("stopping", Phase::Stopping),
        ("reinstalling", Phase::Updating),
        ("failed", Phase::Failed),
        ("modifyIping", Phase::Updating),
        ("switch-installing", Phase::Updating),
        ("hibernated", Phase::Unknown),
    ];
    for (n, (state, phase)) in rows.into_iter().enumerate() {
        let l = read(
            &mut server,
            Source::Clouddc,
            &format!("c{n}"),
            json!({"state": state}),
        );
        assert_eq!(
            (l.phase, l.status.as_deref(), l.progress),
            (phase, Some(state), None),
            "{state}"
        );
    }
    // An operation under way moves a settled state on; a finished one does not.
    let cases = [
        ("stopped", "install-processing", Phase::Updating, false),
        ("running", "modify-ip-processing", Phase::Updating, false),
        ("stopped", "install-succeed", Phase::Stopped, true),
        ("error", "install-failed", Phase::Failed, true),
        ("pending", "install-processing", Phase::Pending, false),
    ];
    for (n, (state, operation, phase, terminal)) in cases.into_iter().enumerate() {
        let mock = server
            .mock("GET", format!("/v1/{PROJECT}/instances/op{n}/status").as_str())
            .with_body(json!({"state": state, "operation_state": operation,
                "error": {"error_code": "CDC.1", "error_msg": "disk", "error_type": "reinstall_error"}}).to_string())
            .create();
        let l = client(&server)
            .lifecycle(Source::Clouddc, &format!("op{n}"))
            .unwrap();
        mock.assert();
        assert_eq!(
            (l.phase, l.terminal),
            (phase, terminal),
            "{state} {operation}"
        );
        assert_eq!(l.error.unwrap().error_code.as_deref(), Some("CDC.1"));
    }
}

#[test]
fn roma_list_every_status() {
    let mut server = mockito::Server::new();
    let rows = [
        ("CREATING", Phase::Creating),
        ("RUNNING", Phase::Running),
        ("DELETING", Phase::Deleting),
        ("DELETED", Phase::Deleted),
        ("ERROR", Phase::Failed),
        ("CREATE_FAILED", Phase::Failed),
        ("DELETE_FAILED", Phase::Failed),
        ("DELETE_FALIED", Phase::Failed),
        ("SOFT_DELETED", Phase::Deleted),
        ("FREEZING", Phase::Stopping),
        ("FROZEN", Phase::Stopped),
        ("MIGRATING", Phase::Unknown),
    ];
    let instances: Vec<Value> = rows
        .iter()
        .enumerate()
        .map(
            |(n, (status, _))| json!({"id": format!("l{n}"), "status": status, "error_code": "E1"}),
        )
        .collect();
    let mock = server
        .mock("GET", format!("/v2/{PROJECT}/instances").as_str())
        .with_body(
            json!({"total": rows.len(), "size": rows.len(), "instances": instances}).to_string(),
        )
        .create();
    let page = client(&server)
        .roma_list_instances(&RomaListQuery::new())
        .unwrap();
    mock.assert();
    assert_eq!(page.instances.len(), rows.len());
    for ((n, (status, phase)), instance) in rows.iter().enumerate().zip(&page.instances) {
        let l = instance.lifecycle();
        assert_eq!(
            (l.source, l.instance_id.as_str()),
            (Source::RomaList, format!("l{n}").as_str())
        );
        assert_eq!((l.phase, l.status.as_deref()), (*phase, Some(*status)));
        assert_eq!(l.error.unwrap().error_code.as_deref(), Some("E1"));
    }
}

#[test]
fn the_lifecycle_document() {
    let mut server = mockito::Server::new();
    let l = read(
        &mut server,
        Source::Apig,
        "doc",
        json!({"progress": 50, "status": "creating"}),
    );
    // Exactly design.md's document, fields in its order.
    let text = serde_json::to_string(&l).unwrap();
    let expected = r#"{"source":"apig","instance_id":"doc","phase":"creating","progress":50,"terminal":false,"status":"creating","error":null,"observed_at_ms":"#;
    assert!(text.starts_with(expected), "{text}");
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc.as_object().unwrap().len(), 8);
    assert_eq!(doc["source"], "apig");
    assert_eq!(doc["phase"], "creating");
    assert_eq!(doc["progress"], 50);
    assert_eq!(doc["terminal"], false);
    assert_eq!(doc["error"], Value::Null);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let observed = doc["observed_at_ms"].as_u64().unwrap();
    assert!(
        observed <= now && now - observed < 600_000,
        "{observed} vs {now}"
    );
    let back: Lifecycle = serde_json::from_value(doc).unwrap();
    assert_eq!(back, l);
}

#[test]
fn bad_sources_and_ids_send_nothing() {
    let mut server = mockito::Server::new();
    let any = server.mock("GET", mockito::Matcher::Any).expect(0).create();
    let client = client(&server);
    let err = client.lifecycle(Source::RomaList, INSTANCE).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    for source in Source::POLLABLE {
        for id in ["", "../x", "a/b", "%2F"] {
            assert_eq!(
                client.lifecycle(source, id).unwrap_err().kind(),
                ErrorKind::InvalidArgument
            );
        }
    }
    for name in ["ROMA", "roma_details", "", "roma-list"] {
        let err = name.parse::<Source>().unwrap_err();
        assert!(err.to_string().contains("roma-details"), "{err}");
    }
    any.assert();
}
