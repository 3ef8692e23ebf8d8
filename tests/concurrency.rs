//! One client shared by many threads: every answer reaches the call that asked for it.

mod common;

use common::{client, PROJECT};
use mockito::{Matcher, Server};
use std::sync::Arc;
use std::thread;

const THREADS: usize = 8;
const CALLS: usize = 50;

#[test]
fn eight_threads_share_one_client() {
    let mut server = Server::new();
    // Each answer names the instance it was asked about, so a mixed-up answer is caught.
    let apig = server
        .mock(
            "GET",
            Matcher::Regex(format!(r"^/v2/{PROJECT}/apigw/instances/[^/]+/progress$")),
        )
        .with_body_from_request(|request| {
            let id = request
                .path()
                .split('/')
                .nth(5)
                .unwrap_or_default()
                .to_owned();
            serde_json::json!({ "progress": 50, "status": "creating", "instance": id })
                .to_string()
                .into_bytes()
        })
        .expect(THREADS * CALLS / 2)
        .create();
    let clouddc = server
        .mock(
            "GET",
            Matcher::Regex(format!(r"^/v1/{PROJECT}/instances/[^/]+/status$")),
        )
        .with_body_from_request(|request| {
            let id = request
                .path()
                .split('/')
                .nth(4)
                .unwrap_or_default()
                .to_owned();
            serde_json::json!({ "state": "running", "instance": id })
                .to_string()
                .into_bytes()
        })
        .expect(THREADS * CALLS / 2)
        .create();

    let client = Arc::new(client(&server));
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let client = Arc::clone(&client);
            thread::spawn(move || {
                for call in 0..CALLS {
                    let id = format!("t{t}-c{call}");
                    if call % 2 == 0 {
                        let p = client.apig_creation_progress(&id).unwrap();
                        assert_eq!(p.progress, Some(50));
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
