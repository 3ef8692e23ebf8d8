//! How a model decodes a body, key by key (`src/model/fields.rs`): what each key becomes (a
//! known field, also when spelt with escapes, or an `extra` entry), a key sent twice, `null`,
//! and the errors, with their messages and JSON paths, for bodies that do not fit, at the top
//! level and nested (instances in a page, items and the instance in a creation progress).

use crate::common;

use common::{client, INSTANCE, PROJECT, TOKEN};
use hwinst::*;
use mockito::Server;
use serde_json::{json, Value};

/// Serves `body` as the ROMA list page and returns the client's answer.
fn page_answer(body: &str) -> hwinst::Result<RomaInstancePage> {
    let mut server = Server::new();
    server
        .mock("GET", format!("/v2/{PROJECT}/instances").as_str())
        .with_header("content-type", "application/json")
        .with_body(body)
        .create();
    client(&server).roma_list_instances(&RomaListQuery::new())
}

/// Serves `body` as a ROMA creation progress and returns the client's answer.
fn progress_answer(body: &str) -> hwinst::Result<RomaCreationProgress> {
    let mut server = Server::new();
    server
        .mock(
            "GET",
            format!("/v2/{PROJECT}/instances/{INSTANCE}/process").as_str(),
        )
        .with_header("content-type", "application/json")
        .with_body(body)
        .create();
    client(&server).roma_creation_progress(INSTANCE)
}

fn page(body: &str) -> RomaInstancePage {
    page_answer(body).unwrap_or_else(|e| panic!("{body}: {e}"))
}

/// The message of each body that does not fit: what derive's decode said (the field's path,
/// serde's reason and where in the body), kept exactly.
#[test]
fn bodies_that_do_not_fit_keep_their_messages_and_paths() {
    let page_cases = [
        // A known key sent twice, at the top, nested, and spelt once with an escape.
        (
            r#"{"total":1,"total":2,"instances":[]}"#,
            "duplicate field `total` at line 1 column 18",
        ),
        (
            r#"{"instances":[{"id":"a"},{"id":"b","name":"x","name":"y"}]}"#,
            "at `instances[1]`: duplicate field `name` at line 1 column 52",
        ),
        (
            r#"{"instances":[{"name":"a","na\u006de":"b"}]}"#,
            "at `instances[0]`: duplicate field `name` at line 1 column 37",
        ),
        // Wrong types, through each kind of decoder.
        (
            r#"{"instances":[{"id":"a"},{"publicip_enable":[1]}]}"#,
            "at `instances[1].publicip_enable`: expected a boolean, found an array at line 1 column 48",
        ),
        (
            r#"{"instances":[{"id":"a","status":{}}]}"#,
            "at `instances[0].status`: expected a string, found an object at line 1 column 36",
        ),
        (
            r#"{"instances":[{"id":"a","available_zone_ids":7}]}"#,
            "at `instances[0].available_zone_ids`: expected a list of strings, found a number at line 1 column 47",
        ),
        (
            r#"{"size":"many","instances":[]}"#,
            r#"at `size`: expected an integer, found the string "many" at line 1 column 14"#,
        ),
        (
            r#"{"instances":null}"#,
            "at `instances`: invalid type: null, expected a sequence at line 1 column 17",
        ),
        (
            r#"{"instances":{"id":"a"}}"#,
            "at `instances`: invalid type: map, expected a sequence at line 1 column 13",
        ),
        // Not an object, nested and at the top.
        (
            r#"{"instances":[1]}"#,
            "at `instances[0]`: invalid type: integer `1`, expected struct RomaInstanceSummary at line 1 column 15",
        ),
        (
            r#"[{"id":"a"}]"#,
            "invalid type: sequence, expected struct RomaInstancePage at line 1 column 0",
        ),
        (
            r#""ok""#,
            r#"invalid type: string "ok", expected struct RomaInstancePage at line 1 column 4"#,
        ),
        (
            "3",
            "invalid type: integer `3`, expected struct RomaInstancePage at line 1 column 1",
        ),
        (
            "null",
            "invalid type: null, expected struct RomaInstancePage at line 1 column 4",
        ),
        // Broken JSON inside an unknown field's value: the path goes into it.
        (
            r#"{"instances":[{"id":"a","tags":[1,}]}"#,
            r#"at `instances[0].tags[1]`: expected value at line 1 column 35 (the body starts: {"instances":[{"id":"a","tags":[1,}]})"#,
        ),
    ];
    for (body, expected) in page_cases {
        let message = page_answer(body).unwrap_err().to_string();
        assert_eq!(
            message,
            format!("could not decode the ROMA instance list response: {expected}"),
            "{body}"
        );
        // Decoding the model directly says the same, without the path.
        let direct = serde_json::from_str::<RomaInstancePage>(body)
            .unwrap_err()
            .to_string();
        assert!(expected.contains(&direct), "{body}: {direct}");
    }
    // An unknown field nested deeper than serde_json's recursion limit is refused.
    let deep = format!(
        r#"{{"instances":[{{"x":{}1{}}}]}}"#,
        "[".repeat(200),
        "]".repeat(200)
    );
    let message = page_answer(&deep).unwrap_err().to_string();
    assert!(
        message.contains(&format!("at `instances[0].x{}", "[0]".repeat(100)))
            && message.contains("recursion limit exceeded at line 1 column 144"),
        "{message}"
    );
    let progress_cases = [
        (
            r#"{"item":[{"name":"mqs"},{"name":"lvs","progress":"x"}]}"#,
            r#"at `item[1].progress`: expected an integer, found the string "x" at line 1 column 52"#,
        ),
        (
            r#"{"instance":{"instanceId":"x","instanceId":"y"}}"#,
            "at `instance`: duplicate field `instanceId` at line 1 column 42",
        ),
        (
            r#"{"instance":{"instanceId":"x","noPasswordAccess":"maybe"}}"#,
            "at `instance.noPasswordAccess`: expected a boolean, found a string at line 1 column 57",
        ),
        (
            r#"{"instance":[]}"#,
            "at `instance`: invalid type: sequence, expected struct RomaProgressInstance at line 1 column 12",
        ),
        (
            r#"{"currentTime":1,"currentTime":2}"#,
            "duplicate field `currentTime` at line 1 column 30",
        ),
    ];
    for (body, expected) in progress_cases {
        assert_eq!(
            progress_answer(body).unwrap_err().to_string(),
            format!("could not decode the ROMA creation progress response: {expected}"),
            "{body}"
        );
    }
}

/// An unknown key sent twice keeps its last value (a known one is refused, above).
#[test]
fn an_unknown_key_sent_twice_keeps_its_last_value() {
    let p = page(r#"{"m":"x","instances":[{"id":"a","tag":1,"tag":{"k":2}}],"m":"y"}"#);
    assert_eq!(p.extra, json!({"m": "y"}).as_object().unwrap().clone());
    assert_eq!(p.instances[0].id.as_deref(), Some("a"));
    assert_eq!(
        p.instances[0].extra,
        json!({"tag": {"k": 2}}).as_object().unwrap().clone()
    );
}

/// A key spelt with escapes is the key it spells: a known one is its field, at every level.
#[test]
fn keys_spelt_with_escapes_are_the_keys_they_spell() {
    let p = page(
        r#"{"t\u006ftal":3,"instances":[{"na\u006de":"n","\u0069d":"i","publicip\u005fenable":"TRUE","x\u0041":[1]}]}"#,
    );
    assert_eq!(p.total(), Some(3));
    let i = &p.instances[0];
    assert_eq!(
        (i.name.as_deref(), i.id.as_deref(), i.publicip_enable),
        (Some("n"), Some("i"), Some(true))
    );
    assert!(p.extra.is_empty());
    assert_eq!(i.extra, json!({"xA": [1]}).as_object().unwrap().clone());
    let progress = progress_answer(
        r#"{"current\u0054ime":5,"instance":{"instance\u0049d":"x"},"item":[{"n\u0061me":"mqs"}]}"#,
    )
    .unwrap();
    assert_eq!(progress.current_time(), Some(5));
    assert_eq!(
        progress.instance.as_ref().unwrap().instance_id.as_deref(),
        Some("x")
    );
    assert_eq!(
        progress.item.as_ref().unwrap()[0].name.as_deref(),
        Some("mqs")
    );
    assert!(progress.extra.is_empty() && progress.instance.unwrap().extra.is_empty());
}

/// Keys in any order, known and unknown mixed, give the same model as keys in the
/// document's order.
#[test]
fn key_order_does_not_matter() {
    let example: Value = serde_json::from_str(&common::fixture("roma_instance_page.json")).unwrap();
    let instance = example["instances"][0].as_object().unwrap();
    let in_order = page(&example.to_string());
    let mut shuffled = String::from(r#"{"instances":[{"x0":0"#);
    for (i, (key, value)) in instance.iter().rev().enumerate() {
        shuffled.push_str(&format!(r#","{key}":{value},"x{}":{i}"#, i + 1));
    }
    shuffled.push_str(r#"}],"size":1,"total":1}"#);
    let mut shuffled = page(&shuffled);
    assert_eq!(shuffled.instances[0].extra.len(), instance.len() + 1);
    shuffled.instances[0].extra.clear();
    assert_eq!(shuffled, in_order);
}

/// `null` is no value, whatever the field's decoder; a missing `instances` is an empty list.
#[test]
fn null_fields_are_absent() {
    let p = page(
        r#"{"total":null,"size":null,"instances":[{"id":null,"publicip_enable":null,"available_zone_ids":null,"status":null,"create_time":null}]}"#,
    );
    assert_eq!((p.total.as_ref(), p.size.as_ref()), (None, None));
    let i = &p.instances[0];
    assert!(i.id.is_none() && i.publicip_enable.is_none() && i.available_zone_ids.is_none());
    assert!(i.status.is_none() && i.create_time.is_none() && i.extra.is_empty());
    assert_eq!(
        serde_json::to_value(&p).unwrap(),
        json!({"instances": [{}]})
    );
    assert!(page("{}").instances.is_empty());
}

/// Unknown keys at every level keep their values exactly, next to the known fields, and
/// serialise back where they were.
#[test]
fn unknown_keys_in_nested_models_keep_their_values() {
    let body = json!({
        "total": 2, "marker": null,
        "instances": [
            {"id": "a", "status": "RUNNING", "tags": [{"k": "v"}], "weight": 1.5,
             "big": 18446744073709551615u64, "neg": -1, "none": null, "flag": false},
            {"id": "b", "zone": {"primary": "az1", "list": ["x", 2]}},
        ]
    });
    let p = page(&body.to_string());
    assert_eq!(
        p.extra,
        json!({"marker": null}).as_object().unwrap().clone()
    );
    assert_eq!(
        Value::Object(p.instances[0].extra.clone()),
        json!({"tags": [{"k": "v"}], "weight": 1.5, "big": 18446744073709551615u64,
               "neg": -1, "none": null, "flag": false})
    );
    assert_eq!(
        *p.instances[0].status.as_ref().unwrap(),
        RomaListStatus::Running
    );
    assert_eq!(
        Value::Object(p.instances[1].extra.clone()),
        json!({"zone": {"primary": "az1", "list": ["x", 2]}})
    );
    assert_eq!(serde_json::to_value(&p).unwrap(), body);

    let body = json!({
        "progress": 10, "newTop": 1,
        "instance": {"instanceId": "x", "futureField": [true], "connectAddressWithPP": "a"},
        "item": [{"name": "mqs", "weight": 3}, {"name": "lvs", "eta": {"s": 1}}]
    });
    let progress = progress_answer(&body.to_string()).unwrap();
    let items = progress.item.as_ref().unwrap();
    assert_eq!(Value::Object(items[0].extra.clone()), json!({"weight": 3}));
    assert_eq!(
        Value::Object(items[1].extra.clone()),
        json!({"eta": {"s": 1}})
    );
    let instance = progress.instance.as_ref().unwrap();
    assert_eq!(instance.connect_address_with_pp.as_deref(), Some("a"));
    assert_eq!(
        Value::Object(instance.extra.clone()),
        json!({"futureField": [true]})
    );
    assert_eq!(serde_json::to_value(&progress).unwrap(), body);
}

/// A body that echoes the client's token is decoded from the masked document (a `Value`, not
/// the text): the same keys, escaped or not, land in the same fields.
#[test]
fn a_body_with_the_token_decodes_the_same_from_the_masked_document() {
    let body = format!(
        r#"{{"instances":[{{"na\u006de":"n","error_msg":"refused {TOKEN}","note":"{TOKEN}","tag":1,"tag":2}}]}}"#
    );
    let p = page(&body);
    let i = &p.instances[0];
    assert_eq!(i.name.as_deref(), Some("n"));
    let msg = i.error_msg.as_deref().unwrap();
    assert!(msg.starts_with("refused ") && !msg.contains(TOKEN), "{msg}");
    assert_eq!(i.extra.len(), 2);
    assert!(!i.extra["note"].as_str().unwrap().contains(TOKEN));
    assert_eq!(i.extra["tag"], 2);
    let err = page_answer(&format!(
        r#"{{"instances":[{{"error_msg":"{TOKEN}","name":"a","name":"b"}}]}}"#
    ))
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("at `instances[0]`: duplicate field `name`") && !err.contains(TOKEN),
        "{err}"
    );
}
