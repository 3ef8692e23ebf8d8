//! Raw HTTP to the simulator, for what the client hides: statuses, headers and bodies as sent.

use serde_json::Value;
use std::time::SystemTime;

pub struct Raw {
    pub status: u16,
    pub headers: ureq::http::HeaderMap,
    pub body: String,
}

impl Raw {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The one `Date` header, as a time.
    pub fn date(&self) -> SystemTime {
        let dates: Vec<_> = self.headers.get_all("date").iter().collect();
        assert_eq!(dates.len(), 1, "exactly one Date header: {dates:?}");
        httpdate::parse_http_date(dates[0].to_str().unwrap()).expect("an HTTP date")
    }
}

/// An agent that gives every status back as an answer, and ignores proxies.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .into()
}

pub fn read(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Raw {
    let mut response = response.expect("an answer");
    Raw {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.body_mut().read_to_string().expect("a text body"),
    }
}
