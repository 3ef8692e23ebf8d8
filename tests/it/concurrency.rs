//! One client shared by many threads: every answer reaches the call that asked for it.

use crate::common;

use common::{client, PROJECT};
use mockito::{Matcher, Mock, Server};
use serde_json::{json, Value};
use std::sync::Arc;
use std::thread;

const THREADS: usize = 8;
const CALLS: usize = 50;

/// A mock for the paths `path` matches whose answer is `fields` plus `"instance"`: the path
/// segment at `id_segment`, so that an answer handed to the wrong call is caught.
fn echoing(server: &mut Server, path: String, id_segment: usize, fields: Value) -> Mock {
    server
        .mock("GET", Matcher::Regex(path))
        .with_body_from_request(move |request| {
            let id = request
                .path()
                .split('/')
                .nth(id_segment)
                .unwrap_or_default();
            let mut answer = fields.clone();
            answer["instance"] = Value::from(id);
            answer.to_string().into_bytes()
        })
        .expect(THREADS * CALLS / 2)
        .create()
}

#[test]
fn eight_threads_share_one_client() {
    let mut server = Server::new();
    let apig = echoing(
        &mut server,
        format!(r"^/v2/{PROJECT}/apigw/instances/[^/]+/progress$"),
        5,
        json!({ "progress": 50, "status": "creating" }),
    );
    let clouddc = echoing(
        &mut server,
        format!(r"^/v1/{PROJECT}/instances/[^/]+/status$"),
        4,
        json!({ "state": "running" }),
    );

    let client = Arc::new(client(&server));
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let client = Arc::clone(&client);
            thread::spawn(move || {
                for call in 0..CALLS {
                    let id = format!("t{t}-c{call}");
                    if call % 2 == 0 {
                        let p = client.apig_creation_progress(&id).unwrap();
                        assert_eq!(p.progress(), Some(50));
                        assert_eq!(p.extra["instance"], id.as_str());
                    } else {
                        let s = client.clouddc_instance_status(&id).unwrap();
                        assert_eq!(s.state.unwrap().as_str(), "running");
                        assert_eq!(s.extra["instance"], id.as_str());
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("no thread panicked");
    }
    apig.assert();
    clouddc.assert();
}
