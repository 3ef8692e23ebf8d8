//! `ClientBuilder::from_env` with the process's real environment. One test function, because
//! it changes the environment.

mod common;

use common::PROJECT;
use hwinst::{ClientBuilder, ErrorKind, Service};
use mockito::{Matcher, Server};

const ID: &str = "eddc4d25480b4cd6b512f270a1b8b341";

fn clear() {
    for name in hwinst::ENV_VARS {
        std::env::remove_var(name);
    }
    std::env::remove_var("HUAWEICLOUD_SDK_REGION_APIG_CN_NORTH_4");
}

#[test]
fn the_environment_configures_a_client_and_explicit_settings_win() {
    let mut server = Server::new();
    let signed = server
        .mock("GET", format!("/v2/{PROJECT}/apigw/instances/{ID}/progress").as_str())
        .match_header(
            "authorization",
            Matcher::Regex("^SDK-HMAC-SHA256 Access=ENVAK, SignedHeaders=host;x-project-id;x-sdk-date;x-security-token, ".into()),
        )
        .match_header("x-security-token", "ENVST-s3cr3t")
        .with_body(r#"{"progress":100,"status":"success"}"#)
        .expect(1)
        .create();

    clear();
    std::env::set_var("HUAWEICLOUD_SDK_AK", "ENVAK");
    std::env::set_var("HUAWEICLOUD_SDK_SK", "ENVSK-s3cr3t");
    std::env::set_var("HUAWEICLOUD_SDK_SECURITY_TOKEN", "ENVST-s3cr3t");
    std::env::set_var("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT);
    std::env::set_var("HUAWEICLOUD_SDK_REGION", "cn-north-4");
    std::env::set_var("HUAWEICLOUD_SDK_REGION_APIG_CN_NORTH_4", server.url());
    std::env::set_var("HWINST_TOKEN", "");
    let client = ClientBuilder::from_env().unwrap().build().unwrap();
    assert_eq!(client.endpoint(Service::Apig), Some(server.url().as_str()));
    assert_eq!(
        client.endpoint(Service::Roma),
        Some("https://roma.cn-north-4.myhuaweicloud.com")
    );
    client.apig_creation_progress(ID).unwrap();
    signed.assert();

    // Explicit settings win over the environment.
    let explicit = ClientBuilder::from_env()
        .unwrap()
        .endpoint(Service::Apig, "https://apig.example.com")
        .build()
        .unwrap();
    assert_eq!(
        explicit.endpoint(Service::Apig),
        Some("https://apig.example.com")
    );

    // Conflicting credentials are refused, not guessed between.
    std::env::set_var("HWINST_TOKEN", "t0k");
    let err = ClientBuilder::from_env().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.to_string().contains("HWINST_TOKEN"), "{err}");
    assert!(!err.to_string().contains("ENVSK-s3cr3t") && !err.to_string().contains("t0k"));

    // A variable that is not UTF-8 is named, not skipped.
    clear();
    {
        use std::os::unix::ffi::OsStringExt;
        let not_utf8 = std::ffi::OsString::from_vec(vec![b'c', b'n', 0xff]);
        std::env::set_var("HUAWEICLOUD_SDK_REGION", not_utf8);
    }
    let err = ClientBuilder::from_env().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.to_string().contains("HUAWEICLOUD_SDK_REGION"), "{err}");
    clear();
}
