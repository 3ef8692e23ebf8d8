//! Where each service is reached: an explicit endpoint, else the region's entry in the
//! service's region table (see `docs/apis.md`, Endpoints and regions).

use crate::error::{Error, Result};
use std::fmt;
use std::net::IpAddr;
use ureq::http::Uri;

/// The Huawei Cloud services hwinst talks to. In documents (the simulator's scenarios) a
/// service is its [`name`](Self::name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    /// ROMA Connect (`roma.{region}.myhuaweicloud.com`).
    Roma,
    /// API Gateway, dedicated edition (`apig.{region}.myhuaweicloud.com`).
    Apig,
    /// Cloud DC (`clouddc.{region}.myhuaweicloud.com`).
    Clouddc,
}

impl Service {
    /// Every service, in a fixed order.
    pub const ALL: [Service; 3] = [Service::Roma, Service::Apig, Service::Clouddc];

    /// The service's name as used in host names and configuration keys.
    pub fn name(self) -> &'static str {
        match self {
            Service::Roma => "roma",
            Service::Apig => "apig",
            Service::Clouddc => "clouddc",
        }
    }

    /// The regions the official SDKs list for this service.
    pub fn regions(self) -> &'static [&'static str] {
        match self {
            Service::Roma => ROMA_REGIONS,
            Service::Apig => APIG_REGIONS,
            Service::Clouddc => CLOUDDC_REGIONS,
        }
    }

    /// The endpoint of this service in `region`, or `None` when the region is not in the
    /// service's table.
    ///
    /// ```
    /// use hwinst::Service;
    /// assert_eq!(
    ///     Service::Apig.regional_endpoint("cn-north-4").as_deref(),
    ///     Some("https://apig.cn-north-4.myhuaweicloud.com")
    /// );
    /// assert_eq!(Service::Clouddc.regional_endpoint("cn-north-4"), None);
    /// ```
    pub fn regional_endpoint(self, region: &str) -> Option<String> {
        if !self.regions().contains(&region) {
            return None;
        }
        let domain = match (self, region) {
            (Service::Apig, "eu-west-101") => "myhuaweicloud.eu",
            _ => "myhuaweicloud.com",
        };
        Some(format!("https://{}.{region}.{domain}", self.name()))
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One value per service, reached by the service rather than by its position, so that a new
/// service or a reordering of [`Service`] cannot silently pick another service's value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PerService<T> {
    roma: T,
    apig: T,
    clouddc: T,
}

impl<T> PerService<T> {
    /// Each service's value, from `value`.
    pub(crate) fn from_fn(mut value: impl FnMut(Service) -> T) -> PerService<T> {
        PerService {
            roma: value(Service::Roma),
            apig: value(Service::Apig),
            clouddc: value(Service::Clouddc),
        }
    }

    pub(crate) fn get(&self, service: Service) -> &T {
        match service {
            Service::Roma => &self.roma,
            Service::Apig => &self.apig,
            Service::Clouddc => &self.clouddc,
        }
    }

    pub(crate) fn get_mut(&mut self, service: Service) -> &mut T {
        match service {
            Service::Roma => &mut self.roma,
            Service::Apig => &mut self.apig,
            Service::Clouddc => &mut self.clouddc,
        }
    }
}

const ROMA_REGIONS: &[&str] = &[
    "cn-north-1",
    "cn-north-4",
    "cn-east-2",
    "cn-east-3",
    "cn-south-1",
    "ap-southeast-1",
    "ap-southeast-3",
    "ru-northwest-2",
];

const CLOUDDC_REGIONS: &[&str] = &[
    "cn-east-3",
    "cn-southwest-2",
    "cn-south-1",
    "ap-southeast-3",
];

const APIG_REGIONS: &[&str] = &[
    "ae-ad-1",
    "af-north-1",
    "af-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "cn-east-2",
    "cn-east-3",
    "cn-east-4",
    "cn-east-5",
    "cn-north-1",
    "cn-north-2",
    "cn-north-4",
    "cn-north-9",
    "cn-north-11",
    "cn-north-12",
    "cn-south-1",
    "cn-south-2",
    "cn-south-4",
    "cn-southwest-2",
    "cn-southwest-3",
    "eu-west-0",
    "eu-west-101",
    "la-north-2",
    "la-south-2",
    "me-east-1",
    "my-kualalumpur-1",
    "na-mexico-1",
    "ru-moscow-1",
    "ru-northwest-2",
    "sa-brazil-1",
    "tr-west-1",
];

/// A checked base URL: `scheme://host[:port][/prefix]`, without a trailing `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoint {
    base: String,
}

impl Endpoint {
    /// Checks `url` as the endpoint of `service` (a [`Service`] or `"iam"`). Plain `http://` is
    /// refused unless the host is loopback or `allow_http` is set, so a credential never
    /// crosses a network in clear text by accident.
    pub(crate) fn parse(
        service: impl fmt::Display,
        url: &str,
        allow_http: bool,
    ) -> Result<Endpoint> {
        let shown = without_user_info(url);
        let bad = |why: &str| Error::Config(format!("endpoint for {service} {shown:?} {why}"));
        let uri: Uri = url
            .parse()
            .map_err(|e| bad(&format!("is not a URL: {e}")))?;
        let authority = uri
            .authority()
            .ok_or_else(|| bad("has no host (expected https://host[:port])"))?;
        if authority.as_str().contains('@') {
            return Err(bad("must not carry user information"));
        }
        if uri.query().is_some() || url.contains('#') {
            return Err(bad("must not have a query or fragment"));
        }
        match uri.scheme_str() {
            Some("https") => {}
            Some("http") if allow_http || is_loopback(authority.host()) => {}
            Some("http") => {
                return Err(bad(
                    "uses plain http to a host that is not loopback (set allow_http to permit it)",
                ))
            }
            _ => return Err(bad("must start with https:// or http://")),
        }
        let base = format!(
            "{}://{}{}",
            uri.scheme_str().unwrap_or_default(),
            authority.as_str(),
            uri.path().trim_end_matches('/')
        );
        Ok(Endpoint { base })
    }

    /// The URL of `path` (which starts with `/`) with an optional encoded query.
    pub(crate) fn url(&self, path: &str, query: &str) -> String {
        // Concatenated, not formatted: this runs on every call.
        if query.is_empty() {
            [self.base.as_str(), path].concat()
        } else {
            [self.base.as_str(), path, "?", query].concat()
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.base
    }
}

/// `url` with anything between `://` and `@` masked: user information may hold a password,
/// and the URL goes into error messages.
pub(crate) fn without_user_info(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(start), Some(at)) if start + 3 <= at => {
            format!("{}***{}", &url[..start + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Checks a region's syntax, whether or not any endpoint comes from it (it is also sent to
/// IAM to look the project up): 2 to 63 lowercase letters, digits and `-`, starting with a
/// letter and not ending with `-` — a DNS label, as it becomes one in every regional host name
/// (`cn-north-4`, `ap-southeast-1`, `eu-west-101`). The error shows at most a short, escaped
/// start of what was given.
pub(crate) fn check_region(region: &str) -> Result<()> {
    let bytes = region.as_bytes();
    let valid = (2..=63).contains(&bytes.len())
        && bytes[0].is_ascii_lowercase()
        && bytes[bytes.len() - 1] != b'-'
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-');
    if valid {
        return Ok(());
    }
    if region.is_empty() {
        return Err(Error::Config("the region is empty".into()));
    }
    let shown = crate::error::echo(region);
    Err(Error::Config(format!(
        "the region \"{shown}\" is not a region name: 2 to 63 lowercase letters, digits and \
         `-`, starting with a letter, like `cn-north-4`"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_name_services_as_name_does() {
        for service in Service::ALL {
            let read: Service = serde_json::from_str(&format!("{:?}", service.name())).unwrap();
            assert_eq!(read, service);
        }
        assert!(serde_json::from_str::<Service>(r#""ROMA""#).is_err());
    }

    #[test]
    fn regional_endpoints_follow_the_table() {
        assert_eq!(
            Service::Roma.regional_endpoint("cn-north-4").unwrap(),
            "https://roma.cn-north-4.myhuaweicloud.com"
        );
        assert_eq!(
            Service::Apig.regional_endpoint("eu-west-101").unwrap(),
            "https://apig.eu-west-101.myhuaweicloud.eu"
        );
        assert_eq!(
            Service::Clouddc
                .regional_endpoint("cn-southwest-2")
                .unwrap(),
            "https://clouddc.cn-southwest-2.myhuaweicloud.com"
        );
        assert_eq!(Service::Roma.regional_endpoint("la-south-2"), None);
        assert_eq!(Service::Roma.regional_endpoint("CN-NORTH-4"), None);
        assert_eq!(Service::Roma.regional_endpoint(""), None);
    }

    #[test]
    fn endpoint_checks() {
        let ok = |url: &str, allow_http| Endpoint::parse(Service::Roma, url, allow_http);
        assert_eq!(
            ok("https://example.com/", false).unwrap().as_str(),
            "https://example.com"
        );
        assert_eq!(
            ok("https://example.com:8443/prefix/", false)
                .unwrap()
                .as_str(),
            "https://example.com:8443/prefix"
        );
        for url in [
            "http://127.0.0.1:1234",
            "http://localhost",
            "http://[::1]:80",
            "http://127.9.9.9",
        ] {
            assert!(ok(url, false).is_ok(), "{url}");
        }
        assert!(ok("http://example.com", true).is_ok());
        for url in [
            "http://example.com",
            "http://10.0.0.1",
            "ftp://example.com",
            "example.com",
            "https://user:pw@example.com",
            "https://example.com/?a=b",
            "https://example.com/#x",
            "",
            "https://",
        ] {
            let err = ok(url, false).unwrap_err();
            assert!(matches!(err, Error::Config(_)), "{url}: {err}");
        }
        // The password of a URL with user information is never echoed back.
        let err = ok("https://user:hunter2@example.com", false).unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        assert!(err.to_string().contains("user information"), "{err}");
    }
}
