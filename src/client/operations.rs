//! The five service APIs (see `docs/apis.md`), one method each, and reading a lifecycle
//! through them. Each method checks its IDs, then takes the client's one path
//! ([`Client::get_json`]).

use super::Client;
use crate::endpoint::Service;
use crate::error::{Error, Result};
use crate::id;
use crate::lifecycle::{Lifecycle, Source};
use crate::model::apig::ApigCreationProgress;
use crate::model::clouddc::ClouddcInstanceStatus;
use crate::model::roma::{RomaCreationProgress, RomaInstance, RomaInstancePage, RomaListQuery};

impl Client {
    /// `GET /v2/{project_id}/instances/{instance_id}/process`: how far the creation of a ROMA
    /// Connect instance has got, overall and per sub-service.
    pub fn roma_creation_progress(&self, instance_id: &str) -> Result<RomaCreationProgress> {
        let instance = id::path_segment("instance_id", instance_id)?;
        self.get_json(
            Service::Roma,
            |project| ["/v2/", project, "/instances/", &instance, "/process"].concat(),
            &[],
            "ROMA creation progress",
        )
    }

    /// `GET /v2/{project_id}/apic/instances/{instance_id}`: the details of a ROMA Connect
    /// instance, its status among them.
    pub fn roma_instance(&self, instance_id: &str) -> Result<RomaInstance> {
        let instance = id::path_segment("instance_id", instance_id)?;
        self.get_json(
            Service::Roma,
            |project| ["/v2/", project, "/apic/instances/", &instance].concat(),
            &[],
            "ROMA instance details",
        )
    }

    /// `GET /v2/{project_id}/instances?status=&offset=&limit=`: one page of the ROMA Connect
    /// instances that match `query`.
    ///
    /// ```no_run
    /// # let client: hwinst::Client = unimplemented!();
    /// let page = client.roma_list_instances(&hwinst::RomaListQuery::new().status("RUNNING").limit(50))?;
    /// for instance in &page.instances {
    ///     println!("{:?} {:?}", instance.id, instance.status);
    /// }
    /// # Ok::<_, hwinst::Error>(())
    /// ```
    pub fn roma_list_instances(&self, query: &RomaListQuery) -> Result<RomaInstancePage> {
        self.get_json(
            Service::Roma,
            |project| ["/v2/", project, "/instances"].concat(),
            &query.pairs()?,
            "ROMA instance list",
        )
    }

    /// `GET /v2/{project_id}/apigw/instances/{instance_id}/progress`: how far the creation of a
    /// dedicated APIG instance has got.
    pub fn apig_creation_progress(&self, instance_id: &str) -> Result<ApigCreationProgress> {
        let instance = id::path_segment("instance_id", instance_id)?;
        self.get_json(
            Service::Apig,
            |project| ["/v2/", project, "/apigw/instances/", &instance, "/progress"].concat(),
            &[],
            "APIG creation progress",
        )
    }

    /// `GET /v1/{project_id}/instances/{id}/status`: the state of a Cloud DC instance.
    pub fn clouddc_instance_status(&self, instance_id: &str) -> Result<ClouddcInstanceStatus> {
        let instance = id::path_segment("instance_id", instance_id)?;
        self.get_json(
            Service::Clouddc,
            |project| ["/v1/", project, "/instances/", &instance, "/status"].concat(),
            &[],
            "Cloud DC instance status",
        )
    }

    /// Reads an instance's lifecycle from `source`: one request to that source's API.
    ///
    /// ```no_run
    /// use hwinst::{Phase, Source};
    /// # let client: hwinst::Client = unimplemented!();
    /// let lifecycle = client.lifecycle(Source::Apig, "eddc4d25480b4cd6b512f270a1b8b341")?;
    /// if lifecycle.phase == Phase::Running {
    ///     println!("ready");
    /// }
    /// # Ok::<_, hwinst::Error>(())
    /// ```
    pub fn lifecycle(&self, source: Source, instance_id: &str) -> Result<Lifecycle> {
        let lifecycle = match source {
            Source::Roma => self
                .roma_creation_progress(instance_id)
                .map(|p| Lifecycle::from_roma_process(instance_id, &p)),
            Source::RomaDetails => self
                .roma_instance(instance_id)
                .map(|d| Lifecycle::from_roma_details(instance_id, &d)),
            Source::Apig => self
                .apig_creation_progress(instance_id)
                .map(|p| Lifecycle::from_apig(instance_id, &p)),
            Source::Clouddc => self
                .clouddc_instance_status(instance_id)
                .map(|s| Lifecycle::from_clouddc(instance_id, &s)),
            Source::RomaList => Err(Error::InvalidArgument(
                "the roma-list source cannot be asked about one instance; \
                 read \"roma\" or \"roma-details\" instead"
                    .into(),
            )),
        };
        let read_at = self.inner.transport.clock().wall_time();
        lifecycle.map(|l| l.observed_at(read_at))
    }
}
