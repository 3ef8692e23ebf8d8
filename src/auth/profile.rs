//! Credentials kept in files: the official SDKs' profile file (`~/.huaweicloud/credentials`,
//! INI) and KooCLI's profiles (`~/.hcloud/config.json`).
//!
//! A file that is not there is "not this source"; a file that is there but cannot be used (a
//! section without `sk`, a KooCLI profile in another mode) is an error naming the file, so
//! that a mistake is not hidden by credentials found further down the chain. No message
//! holds a value read from a file, except a profile's name and mode.

use crate::auth::{Credentials, Secret};
use crate::error::{Error, Result};
use crate::file::{read_regular_text, FileError, MAX_CREDENTIALS_FILE};
use serde::Deserialize;
use std::path::Path;

/// The section of the profile file for project-scoped services, as the official SDKs read it.
pub const PROFILE_SECTION: &str = "basic";

/// What a source of credentials holds: the credentials, and the project and region when it
/// names them.
#[derive(Debug)]
pub(crate) struct Found {
    pub credentials: Credentials,
    pub project_id: Option<String>,
    pub region: Option<String>,
    pub iam_endpoint: Option<String>,
}

/// The answer of one source: found, or why it does not apply (a broken source is an `Err`).
#[derive(Debug)]
pub(crate) enum Lookup<T> {
    Found(T),
    Absent(String),
}

/// Reads a file (a regular one, of at most [`MAX_CREDENTIALS_FILE`] bytes, a UTF-8 byte order
/// mark dropped), or says it is not there. `shown` is how the path is written in messages.
fn read(path: &Path, shown: &str) -> Result<Lookup<String>> {
    match read_regular_text(path, MAX_CREDENTIALS_FILE) {
        Ok(text) => Ok(Lookup::Found(text)),
        Err(FileError::NotFound) => Ok(Lookup::Absent(format!("{shown}: no such file"))),
        Err(e) => Err(Error::Config(format!("{shown}: {e}"))),
    }
}

/// The `[basic]` section of the official SDKs' profile file at `path`. Keys: `ak`, `sk`,
/// `security_token`, `project_id`, `iam_endpoint`, and `idp_id` with `id_token_file` for a
/// federated OIDC identity (which wins over `ak`/`sk`, as in the official SDKs).
pub(crate) fn profile_file(path: &Path, shown: &str) -> Result<Lookup<Found>> {
    let text = match read(path, shown)? {
        Lookup::Found(text) => text,
        Lookup::Absent(why) => return Ok(Lookup::Absent(why)),
    };
    // Python's configparser (the official Python SDK's reader) refuses a section or a key
    // given twice; the crate below would keep the last. Refused here too, never guessed.
    if let Some(twice) = given_twice(&text) {
        return Err(Error::Config(format!("{shown}: {twice} is given twice")));
    }
    // The `configparser` crate reads INI as Python's configparser does (the official Python
    // SDK's reader): names are case-insensitive, `=` or `:`, `#` and `;` comments.
    let mut ini = configparser::ini::Ini::new();
    // Its messages may quote a line of the file, and lines here hold secrets.
    ini.read(text).map_err(|_| {
        Error::Config(format!(
            "{shown}: not an INI file of `[section]` and `key = value` lines"
        ))
    })?;
    if !ini.sections().iter().any(|s| s == PROFILE_SECTION) {
        return Ok(Lookup::Absent(format!(
            "{shown}: no [{PROFILE_SECTION}] section"
        )));
    }
    let get = |key: &str| {
        ini.get(PROFILE_SECTION, key)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let found = |credentials| {
        Ok(Lookup::Found(Found {
            credentials,
            project_id: get("project_id"),
            region: None,
            iam_endpoint: get("iam_endpoint"),
        }))
    };
    match (get("idp_id"), get("id_token_file")) {
        (Some(idp_id), Some(file)) => return found(Credentials::oidc(idp_id, file)),
        (None, None) => {}
        _ => {
            return Err(Error::Config(format!(
                "{shown}: the [{PROFILE_SECTION}] section needs both `idp_id` and \
                 `id_token_file` for a federated identity"
            )))
        }
    }
    let (ak, sk) = match (get("ak"), get("sk")) {
        (Some(ak), Some(sk)) => (ak, sk),
        (ak, sk) => {
            let missing = match (ak, sk) {
                (None, None) => "`ak` and `sk`",
                (None, _) => "`ak`",
                _ => "`sk`",
            };
            return Err(Error::Config(format!(
                "{shown}: the [{PROFILE_SECTION}] section has no {missing} (nor `idp_id` and \
                 `id_token_file`)"
            )));
        }
    };
    found(match get("security_token") {
        Some(token) => Credentials::temporary_ak_sk(ak, sk, token),
        None => Credentials::ak_sk(ak, sk),
    })
}

/// The first section or key (within its section) that an INI text gives twice, named for a
/// message (`the section [basic]`, ``the key `sk` of [basic]``), as Python's configparser
/// reads names: sections as written, keys case-insensitively, before the first `=` or `:`.
/// Comment, blank and continuation (indented) lines are skipped. No value is ever named;
/// a name that does not look like one (it could be a value written without its key) is not
/// named either.
fn given_twice(text: &str) -> Option<String> {
    let named = |name: &str| {
        let plain = !name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_-. ".contains(&b));
        if plain {
            name.to_owned()
        } else {
            "(a name not shown)".to_owned()
        }
    };
    let mut sections = std::collections::HashSet::new();
    let mut section = String::new();
    let mut keys = std::collections::HashSet::new();
    for line in text.lines() {
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let line = line.trim();
        if line.is_empty() || line.starts_with(['#', ';']) {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            if !sections.insert(name.to_owned()) {
                return Some(format!("the section [{}]", named(name)));
            }
            section = name.to_owned();
            keys.clear();
            continue;
        }
        let key = line
            .split(['=', ':'])
            .next()
            .unwrap_or_default()
            .trim()
            .to_lowercase();
        if !keys.insert(key.clone()) {
            return Some(format!(
                "the key `{}` of [{}]",
                named(&key),
                named(&section)
            ));
        }
    }
    None
}

/// KooCLI's configuration: the profiles and which one is current. Other keys are KooCLI's own
/// business and ignored.
#[derive(Deserialize)]
struct KoocliConfig {
    #[serde(default)]
    current: Option<String>,
    #[serde(default)]
    profiles: Vec<KoocliProfile>,
}

/// Deliberately not `Debug`: it holds the secret key.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KoocliProfile {
    #[serde(default)]
    name: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    access_key_id: String,
    #[serde(default)]
    secret_access_key: String,
    #[serde(default)]
    security_token: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    project_id: String,
}

/// The KooCLI profile `name` (else the current one) of the configuration at `path`. Only
/// `AKSK` profiles with both keys can be used by another program.
pub(crate) fn koocli_profile(
    path: &Path,
    shown: &str,
    name: Option<&str>,
) -> Result<Lookup<Found>> {
    let text = match read(path, shown)? {
        Lookup::Found(text) => text,
        Lookup::Absent(why) if name.is_none() => return Ok(Lookup::Absent(why)),
        Lookup::Absent(why) => {
            return Err(Error::Config(format!(
                "{why}, and it should hold the KooCLI profile \"{}\"",
                crate::error::echo(name.unwrap_or_default())
            )))
        }
    };
    let config: KoocliConfig = serde_json::from_str(&text).map_err(|e| {
        // serde_json's position, never the text around it.
        Error::Config(format!(
            "{shown}: not a KooCLI configuration (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    let wanted = match name.or(config.current.as_deref()).filter(|n| !n.is_empty()) {
        Some(wanted) => wanted,
        None => {
            return Ok(Lookup::Absent(format!(
                "{shown}: no current profile (set HWINST_PROFILE to choose one)"
            )))
        }
    };
    // KooCLI keeps one profile per name; two of one name are a broken file, not a choice.
    let mut names = std::collections::HashSet::new();
    if let Some(twice) = config.profiles.iter().find(|p| !names.insert(&p.name)) {
        return Err(Error::Config(format!(
            "{shown}: the KooCLI profile \"{}\" is given twice",
            crate::error::echo(&twice.name)
        )));
    }
    let Some(profile) = config.profiles.iter().find(|p| p.name == wanted) else {
        // Names and modes are echoed short and escaped: a file may hold anything.
        let mut names: Vec<String> = config
            .profiles
            .iter()
            .take(10)
            .map(|p| crate::error::echo(&p.name))
            .collect();
        if config.profiles.len() > 10 {
            names.push(format!("and {} more", config.profiles.len() - 10));
        }
        return Err(Error::Config(format!(
            "{shown}: no KooCLI profile \"{}\" (its profiles: {})",
            crate::error::echo(wanted),
            if names.is_empty() {
                "none".to_owned()
            } else {
                names.join(", ")
            }
        )));
    };
    let what = format!(
        "{shown}: the KooCLI profile \"{}\"",
        crate::error::echo(wanted)
    );
    if !profile.mode.eq_ignore_ascii_case("AKSK") {
        return Err(Error::Config(format!(
            "{what} is in mode \"{}\"; only AKSK profiles can be used outside KooCLI \
             (make one with `hcloud configure set --cli-profile=NAME --cli-mode=AKSK`)",
            crate::error::echo(&profile.mode)
        )));
    }
    if profile.access_key_id.is_empty() || profile.secret_access_key.is_empty() {
        return Err(Error::Config(format!(
            "{what} has an empty accessKeyId or secretAccessKey"
        )));
    }
    let text = |value: &str| Some(value.to_owned()).filter(|v| !v.is_empty());
    let ak = profile.access_key_id.clone();
    let sk = Secret::new(profile.secret_access_key.clone());
    Ok(Lookup::Found(Found {
        credentials: match text(&profile.security_token) {
            Some(token) => Credentials::temporary_ak_sk(ak, sk, token),
            None => Credentials::ak_sk(ak, sk),
        },
        project_id: text(&profile.project_id),
        region: text(&profile.region),
        iam_endpoint: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("hwinst-profile-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("file");
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn the_basic_section_of_a_profile_file() {
        let path = file(
            "basic",
            "[global]\nak = GLOBALAK\nsk = global-s3cr3t\n\n[basic]\n# keys\nak = BASICAK\nSK: basic-s3cr3t\nproject_id = p1\n",
        );
        let Lookup::Found(found) = profile_file(&path, "f").unwrap() else {
            panic!("not found")
        };
        assert_eq!(
            found.credentials,
            Credentials::ak_sk("BASICAK", "basic-s3cr3t")
        );
        assert_eq!(found.project_id.as_deref(), Some("p1"));
        let federated = file(
            "oidc",
            "[basic]\nak = BASICAK\nsk = basic-s3cr3t\nidp_id = github\nid_token_file = /run/token\nproject_id = p2\n",
        );
        let Lookup::Found(found) = profile_file(&federated, "f").unwrap() else {
            panic!("not found")
        };
        assert_eq!(found.credentials, Credentials::oidc("github", "/run/token"));
        assert_eq!(found.project_id.as_deref(), Some("p2"));
        assert!(matches!(
            profile_file(&file("global", "[global]\nak=A\nsk=B\n"), "f").unwrap(),
            Lookup::Absent(why) if why.contains("[basic]")
        ));
        assert!(matches!(
            profile_file(Path::new("/no/such/file"), "f").unwrap(),
            Lookup::Absent(why) if why.contains("no such file")
        ));
        for (text, missing) in [
            ("[basic]\nak = A\n", "`sk`"),
            ("[basic]\nsk = s3cr3t-sk\n", "`ak`"),
            ("[basic]\nidp_id = x\n", "federated"),
            (
                "[basic]\nid_token_file = /t\nak = A\nsk = s3cr3t-sk\n",
                "`idp_id`",
            ),
            ("ak = s3cr3t-outside\n[basic", "INI"),
        ] {
            let err = profile_file(&file("broken", text), "f").unwrap_err();
            assert!(err.to_string().contains(missing), "{text}: {err}");
            assert!(!err.to_string().contains("s3cr3t"), "{err}");
        }
    }

    #[test]
    fn koocli_profiles() {
        let path = file(
            "koocli",
            r#"{"current":"dev","profiles":[
                {"name":"dev","mode":"AKSK","accessKeyId":"DEVAK","secretAccessKey":"dev-s3cr3t","securityToken":"","region":"cn-north-4","projectId":"p1"},
                {"name":"sso","mode":"SSO","accessKeyId":"","secretAccessKey":""},
                {"name":"blank","mode":"AKSK","accessKeyId":"AK","secretAccessKey":""}],
               "language":"en"}"#,
        );
        let Lookup::Found(found) = koocli_profile(&path, "k", None).unwrap() else {
            panic!("not found")
        };
        assert_eq!(found.credentials, Credentials::ak_sk("DEVAK", "dev-s3cr3t"));
        assert_eq!(found.region.as_deref(), Some("cn-north-4"));
        assert_eq!(found.project_id.as_deref(), Some("p1"));
        for (name, expected) in [
            ("sso", "mode \"SSO\""),
            ("blank", "empty"),
            ("nope", "dev, sso, blank"),
        ] {
            let err = koocli_profile(&path, "k", Some(name)).unwrap_err();
            assert!(err.to_string().contains(expected), "{name}: {err}");
        }
        assert!(matches!(
            koocli_profile(Path::new("/no/such"), "k", None).unwrap(),
            Lookup::Absent(_)
        ));
        assert!(koocli_profile(Path::new("/no/such"), "k", Some("dev")).is_err());
        let err =
            koocli_profile(&file("bad", "{\"secretAccessKey\": s3cr3t"), "k", None).unwrap_err();
        assert!(!err.to_string().contains("s3cr3t"), "{err}");
    }
}
