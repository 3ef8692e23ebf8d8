//! `Client::roma_instances` and paging: every instance once, lazily, and an end against
//! servers that misreport pagination.

use crate::common;

use common::{client, PROJECT};
use hwinst::{ErrorKind, RomaListQuery};
use mockito::{Matcher, Server};
use serde_json::json;
use std::sync::{Arc, Mutex};

/// What the fake list service does with a request for `(offset, limit)`: the instance IDs to
/// return and the `total` to claim.
type Behaviour = dyn Fn(usize, usize) -> (Vec<String>, usize) + Send + Sync;

/// A list service on `server` answering every `GET /instances` by `behaviour`; returns the
/// log of the `(offset, limit)` of every request.
fn list_service(server: &mut Server, behaviour: Arc<Behaviour>) -> Arc<Mutex<Vec<(usize, usize)>>> {
    let log = Arc::new(Mutex::new(Vec::new()));
    let requests = Arc::clone(&log);
    server
        .mock(
            "GET",
            Matcher::Regex(format!("^/v2/{PROJECT}/instances\\?")),
        )
        .with_body_from_request(move |request| {
            let query = request
                .path_and_query()
                .split_once('?')
                .unwrap()
                .1
                .to_owned();
            let param = |name: &str| -> usize {
                query
                    .split('&')
                    .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
                    .unwrap_or_else(|| panic!("no {name} in {query}"))
                    .parse()
                    .unwrap()
            };
            let (offset, limit) = (param("offset"), param("limit"));
            requests.lock().unwrap().push((offset, limit));
            let (ids, total) = behaviour(offset, limit);
            let instances: Vec<_> = ids
                .iter()
                .map(|id| json!({"id": id, "status": "RUNNING"}))
                .collect();
            json!({"total": total, "size": instances.len(), "instances": instances})
                .to_string()
                .into()
        })
        .expect_at_least(1)
        .create();
    log
}

/// An honest service with `n` instances named `i0`, `i1`, ...
fn honest(n: usize) -> Arc<Behaviour> {
    Arc::new(move |offset, limit| {
        (
            (offset..n.min(offset + limit))
                .map(|i| format!("i{i}"))
                .collect(),
            n,
        )
    })
}

fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("i{i}")).collect()
}

fn collect(server: &Server, query: &RomaListQuery) -> hwinst::Result<Vec<String>> {
    client(server)
        .roma_instances(query)
        .map(|i| i.map(|i| i.id.unwrap()))
        .collect()
}

#[test]
fn honest_lists_of_every_size() {
    // (instances, page size, requests expected)
    let cases = [
        (0, 50, vec![(0, 50)]),
        (1, 50, vec![(0, 50)]),
        // A full page is followed by one more request, even when `total` says that was all:
        // a `total` that is too low must not lose instances.
        (50, 50, vec![(0, 50), (50, 50)]),
        (1234, 100, (0..13).map(|p| (p * 100, 100)).collect()),
    ];
    for (n, page, requests) in cases {
        let mut server = Server::new();
        let log = list_service(&mut server, honest(n));
        let got = collect(&server, &RomaListQuery::new().limit(page as u32)).unwrap();
        assert_eq!(got, ids(n), "{n} instances");
        assert_eq!(*log.lock().unwrap(), requests, "{n} instances");
    }
}

#[test]
fn the_default_page_size_the_start_offset_and_the_status_filter() {
    let mut server = Server::new();
    let filtered = server
        .mock("GET", format!("/v2/{PROJECT}/instances").as_str())
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("status".into(), "CREATING".into()),
            Matcher::UrlEncoded("offset".into(), "7".into()),
            Matcher::UrlEncoded("limit".into(), hwinst::DEFAULT_PAGE_SIZE.to_string()),
        ]))
        .with_body(r#"{"total":8,"instances":[{"id":"x","status":"CREATING"}]}"#)
        .expect(1)
        .create();
    let got = collect(&server, &RomaListQuery::new().status("CREATING").offset(7)).unwrap();
    assert_eq!(got, ["x"]);
    filtered.assert();
}

#[test]
fn pages_are_fetched_lazily() {
    let mut server = Server::new();
    let log = list_service(&mut server, honest(1000));
    let first: Vec<_> = client(&server)
        .roma_instances(&RomaListQuery::new().limit(2))
        .take(3)
        .map(|i| i.unwrap().id.unwrap())
        .collect();
    assert_eq!(first, ["i0", "i1", "i2"]);
    assert_eq!(*log.lock().unwrap(), [(0, 2), (2, 2)]);
}

#[test]
fn a_total_that_lies_does_not_lose_or_loop() {
    // Claims 1000, has 120: the short page and then an empty one end it.
    let mut server = Server::new();
    let log = list_service(
        &mut server,
        Arc::new(|offset, limit| (honest(120)(offset, limit).0, 1000)),
    );
    assert_eq!(
        collect(&server, &RomaListQuery::new().limit(50)).unwrap(),
        ids(120)
    );
    assert_eq!(
        *log.lock().unwrap(),
        [(0, 50), (50, 50), (100, 50), (120, 50)]
    );

    // Claims 10, has 120: full pages are followed until a short one.
    let mut server = Server::new();
    let log = list_service(
        &mut server,
        Arc::new(|offset, limit| (honest(120)(offset, limit).0, 10)),
    );
    assert_eq!(
        collect(&server, &RomaListQuery::new().limit(50)).unwrap(),
        ids(120)
    );
    assert_eq!(log.lock().unwrap().len(), 3);
}

#[test]
fn an_empty_page_mid_way_ends_the_list() {
    let mut server = Server::new();
    let log = list_service(
        &mut server,
        Arc::new(|offset, limit| {
            if offset == 0 {
                honest(150)(offset, limit)
            } else {
                (vec![], 150)
            }
        }),
    );
    assert_eq!(
        collect(&server, &RomaListQuery::new().limit(50)).unwrap(),
        ids(50)
    );
    assert_eq!(*log.lock().unwrap(), [(0, 50), (50, 50)]);
}

#[test]
fn a_page_that_repeats_is_an_error_not_a_loop() {
    let mut server = Server::new();
    let log = list_service(&mut server, Arc::new(|_, limit| honest(500)(0, limit)));
    let results: Vec<_> = client(&server)
        .roma_instances(&RomaListQuery::new().limit(20))
        .collect();
    assert_eq!(
        results.len(),
        21,
        "the first page, then one error, then the end"
    );
    assert!(results[..20].iter().all(Result::is_ok));
    let err = results[20].as_ref().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.to_string().contains("offset 20"), "{err}");
    assert_eq!(log.lock().unwrap().len(), 2);
}

#[test]
fn an_instance_shifted_onto_the_next_page_is_not_repeated() {
    // An instance created during paging shifts the list by one: page 2 starts with the last
    // instance of page 1.
    let mut server = Server::new();
    list_service(
        &mut server,
        Arc::new(|offset, limit| {
            let start = if offset == 0 { 0 } else { offset - 1 };
            honest(9)(start, limit)
        }),
    );
    assert_eq!(
        collect(&server, &RomaListQuery::new().limit(4)).unwrap(),
        ids(9)
    );
}

#[test]
fn an_error_mid_way_ends_the_iteration() {
    let mut server = Server::new();
    server
        .mock("GET", format!("/v2/{PROJECT}/instances").as_str())
        .match_query(Matcher::UrlEncoded("offset".into(), "0".into()))
        .with_body(r#"{"total":4,"instances":[{"id":"a"},{"id":"b"}]}"#)
        .create();
    let forbidden = server
        .mock("GET", format!("/v2/{PROJECT}/instances").as_str())
        .match_query(Matcher::UrlEncoded("offset".into(), "2".into()))
        .with_status(403)
        .with_body(r#"{"error_code":"APIC.7106","error_msg":"no permission"}"#)
        .expect(1)
        .create();
    let mut all = client(&server).roma_instances(&RomaListQuery::new().limit(2));
    assert_eq!(all.next().unwrap().unwrap().id.as_deref(), Some("a"));
    assert_eq!(all.next().unwrap().unwrap().id.as_deref(), Some("b"));
    assert_eq!(
        all.next().unwrap().unwrap_err().kind(),
        ErrorKind::Forbidden
    );
    assert!(all.next().is_none());
    assert!(all.next().is_none());
    forbidden.assert();
}

#[test]
fn a_limit_of_zero_is_refused_before_anything_is_sent() {
    let mut server = Server::new();
    let requests = list_service(&mut server, Arc::new(|_, _| (Vec::new(), 0)));
    let client = client(&server);
    let zero = RomaListQuery::new().limit(0);

    let one_page = client.roma_list_instances(&zero).unwrap_err();
    assert_eq!(one_page.kind(), ErrorKind::InvalidArgument, "{one_page}");
    assert!(
        one_page.to_string().contains("limit must be at least 1"),
        "{one_page}"
    );

    let mut every_page = client.roma_instances(&zero);
    let error = every_page.next().expect("an error").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidArgument, "{error}");
    assert!(every_page.next().is_none());
    assert!(
        requests.lock().unwrap().is_empty(),
        "{:?}",
        requests.lock().unwrap()
    );
}
