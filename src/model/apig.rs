//! API Gateway (dedicated edition): the model of its instance creation progress
//! (`ShowDetailsOfInstanceProgressV2`,
//! `GET /v2/{project_id}/apigw/instances/{instance_id}/progress`; `docs/apis.md`).

use crate::model::fields::model;
use crate::model::lenient::Number;
use crate::model::vocab::{vocabulary, OpenEnum};

vocabulary! {
    /// The APIG creation status (`status` of [`ApigCreationProgress`]).
    pub enum ApigProgressStatus {
        /// `creating`: being created.
        Creating = "creating",
        /// `success`: created.
        Success = "success",
        /// `failed`: creation failed; `error_code` and `error_msg` say why.
        Failed = "failed",
    }
}

model! {
    /// Creation progress of a dedicated APIG instance.
    #[derive(Debug, Clone, PartialEq)]
    #[non_exhaustive]
    pub struct ApigCreationProgress {
        /// Progress in percent: 30, 50, 80, 90 or 100 (some servers send it as a string).
        pub progress: Option<Number>,
        /// `creating`, `success` or `failed`.
        pub status: Option<OpenEnum<ApigProgressStatus>>,
        /// Why creation failed.
        pub error_code: Option<String>,
        /// Why creation failed, for people.
        pub error_msg: Option<String>,
        /// When creation started (Unix time, milliseconds).
        pub start_time: Option<Number>,
        /// When creation ended (Unix time, milliseconds).
        pub end_time: Option<Number>,
    }
}

crate::model::lenient::number_values!(ApigCreationProgress {
    progress,
    start_time,
    end_time
});
