//! `ca_file`: a private CA's certificate added to the trust roots, against a TLS server on
//! loopback whose certificate that CA issued.

use crate::common;

use common::{builder, PROJECT};
use hwinst::{ClientBuilder, ErrorKind};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;

const ID: &str = "eddc4d25480b4cd6b512f270a1b8b341";
const OK_BODY: &str = r#"{"progress":100,"status":"success"}"#;

/// A private CA (its PEM written to a file) and a TLS server for 127.0.0.1 whose certificate
/// it issued. Returns the server's URL and the CA file.
fn private_tls_server(name: &str) -> (String, PathBuf) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "hwinst test private CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ca_file");
    std::fs::create_dir_all(&dir).unwrap();
    let ca_file = dir.join(format!("{name}.pem"));
    std::fs::write(&ca_file, ca_cert.pem()).unwrap();

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(leaf.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let connection = rustls::ServerConnection::new(Arc::clone(&config)).unwrap();
            let mut tls = rustls::StreamOwned::new(connection, stream);
            // Read the request head; a client that refuses the certificate ends here.
            let mut reader = BufReader::new(&mut tls);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                line.clear();
            }
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{OK_BODY}",
                OK_BODY.len()
            );
            let _ = tls.write_all(answer.as_bytes());
            let _ = tls.flush();
        }
    });
    (url, ca_file)
}

#[test]
fn a_private_ca_is_trusted_with_ca_file_only() {
    let (url, ca_file) = private_tls_server("trusted");
    let trusting = builder(&url).ca_file(&ca_file).build().unwrap();
    assert_eq!(
        trusting.apig_creation_progress(ID).unwrap().progress(),
        Some(100)
    );

    // From the configuration document too.
    let config = serde_json::json!({
        "project_id": PROJECT,
        "credentials": {"token": "t0k3n-123"},
        "endpoints": {"apig": url},
        "ca_file": ca_file,
    });
    let client = ClientBuilder::from_config_json(&config.to_string())
        .unwrap()
        .build()
        .unwrap();
    client.apig_creation_progress(ID).unwrap();

    // Without it, the certificate is refused: a TLS failure, not retried.
    let err = builder(&url)
        .build()
        .unwrap()
        .apig_creation_progress(ID)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert!(err.to_string().contains("TLS"), "{err}");
    assert!(!err.is_retryable());
}

#[test]
fn unusable_ca_files_are_configuration_errors() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ca_file");
    std::fs::create_dir_all(&dir).unwrap();
    let key = KeyPair::generate().unwrap().serialize_pem();
    let cases = [
        ("missing.pem", None, "missing.pem"),
        ("empty.pem", Some(String::new()), "no PEM certificate"),
        (
            "text.pem",
            Some("not a certificate\n".to_owned()),
            "no PEM certificate",
        ),
        ("key.pem", Some(key), "other than certificates"),
    ];
    for (name, content, expected) in cases {
        let path = dir.join(name);
        match content {
            Some(content) => std::fs::write(&path, content).unwrap(),
            None => {
                let _ = std::fs::remove_file(&path);
            }
        }
        let err = builder("https://127.0.0.1:1")
            .ca_file(&path)
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config, "{name}: {err}");
        assert!(err.to_string().contains(expected), "{name}: {err}");
    }
}
