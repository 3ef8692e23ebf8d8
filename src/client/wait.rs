//! Waiting for an instance: poll its lifecycle until it reaches a target phase, with growing,
//! jittered intervals, an overall deadline, and a callback on every change. The intervals, the
//! deadline and the jitter are on the client's [`Clock`].

use super::poll::{Answer, PollState, Verdict};
use super::Client;
use crate::client::options::WaitOptions;
use crate::error::{Error, Result};
use crate::http::interrupt::CancelScope;
use crate::lifecycle::{Lifecycle, Source};
use std::ops::ControlFlow;

impl Client {
    /// Polls the lifecycle of `instance_id` from `source` until its phase is one of
    /// `options`' targets, and returns that lifecycle.
    ///
    /// A target phase counts once it has been seen on [`WaitOptions::settle`] polls in a row
    /// (default 1).
    ///
    /// `on_change` is called with the first lifecycle observed and then with every one that
    /// differs from the one before (not on every poll); returning `ControlFlow::Break(())`
    /// cancels the wait, unless that lifecycle already ends it: then the wait's outcome
    /// stands (the lifecycle, or `InstanceFailed`), as in [`Client::wait_many`], whose
    /// outcome is decided before its callback runs.
    ///
    /// Ends with an error:
    /// - [`ErrorKind::InstanceFailed`](crate::ErrorKind::InstanceFailed) when the instance reaches `failed` or `deleted` (and
    ///   they are not targets); [`Error::lifecycle`] has the last lifecycle, whose `error`
    ///   has the service's error code and message;
    /// - [`ErrorKind::Cancelled`](crate::ErrorKind::Cancelled) when `on_change` breaks, or the options'
    ///   [`CancelToken`](crate::CancelToken) is cancelled;
    /// - [`ErrorKind::Timeout`](crate::ErrorKind::Timeout) at the deadline, with the last lifecycle seen;
    /// - at once on errors that polling again cannot fix (401, 403, an invalid ID, ...).
    ///
    /// Throttling (429), server errors (5xx), timeouts and connection failures are polled
    /// through until the deadline; after an answer with `Retry-After`, the next poll comes no
    /// sooner than it asks, and one that asks for a pause past the deadline ends the wait with
    /// that answer ([`ErrorKind::Throttled`](crate::ErrorKind::Throttled) for a 429). "Not found" is polled through during the grace period
    /// after the start (a new instance may not be visible yet); after an instance has been
    /// seen, or when `deleted` is a target, it means the instance was deleted.
    ///
    /// ```no_run
    /// use std::ops::ControlFlow;
    /// use hwinst::{Source, WaitOptions};
    /// # let client: hwinst::Client = unimplemented!();
    /// let ready = client.wait(Source::Apig, "eddc4d25480b4cd6b512f270a1b8b341",
    ///     &WaitOptions::new(), |lifecycle| {
    ///         println!("{} {:?}%", lifecycle.phase, lifecycle.progress);
    ///         ControlFlow::Continue(())
    ///     })?;
    /// println!("ready: {}", ready.status.unwrap_or_default());
    /// # Ok::<_, hwinst::Error>(())
    /// ```
    pub fn wait(
        &self,
        source: Source,
        instance_id: &str,
        options: &WaitOptions,
        mut on_change: impl FnMut(&Lifecycle) -> ControlFlow<()>,
    ) -> Result<Lifecycle> {
        options.check()?;
        let clock = self.inner.transport.clock();
        let started = clock.now();
        let deadline = started + options.timeout;
        let client = self.for_wait(deadline, options.cancel.as_ref());
        let mut state = PollState::new(source, instance_id, options);
        loop {
            if options.is_cancelled() {
                return Err(state.cancelled());
            }
            let answer = {
                // A cancel cuts the request in flight instead of waiting for its answer.
                let _scope = CancelScope::enter(options.cancel.as_ref());
                client.lifecycle(source, instance_id)
            };
            // A cancel that came during the request wins over what the request found, and
            // over the error a cut request ends with.
            if options.is_cancelled() {
                if let Ok(lifecycle) = answer {
                    state.last = Some(lifecycle);
                }
                return Err(state.cancelled());
            }
            let waited = clock.now().saturating_duration_since(started);
            let mut asked_pause = None;
            match state.record(answer, options, waited, clock)? {
                Answer::Seen { changed, verdict } => {
                    let stop =
                        changed && state.last.as_ref().is_some_and(|l| on_change(l).is_break());
                    // The outcome this lifecycle decides stands over a request to stop.
                    match (verdict, state.last.take()) {
                        (Verdict::Reached, Some(lifecycle)) => return Ok(lifecycle),
                        (Verdict::Failed, Some(lifecycle)) => {
                            return Err(Error::InstanceFailed(Box::new(lifecycle)))
                        }
                        (_, last) => state.last = last,
                    }
                    if stop {
                        return Err(state.cancelled());
                    }
                }
                Answer::NotYet(error) => {
                    asked_pause = error.retry_after();
                    if asked_pause.is_some_and(|asked| {
                        asked >= deadline.saturating_duration_since(clock.now())
                    }) {
                        // The service allows no poll before the deadline: its answer is the
                        // outcome, not more requests it would refuse.
                        log::info!(
                            target: "hwinst",
                            "wait for {source} {instance_id}: ends, the service asked for a pause \
                             past the wait's deadline: {error}"
                        );
                        return Err(error);
                    }
                }
            }
            let now = clock.now();
            let left = deadline.saturating_duration_since(now);
            if left.is_zero() {
                return Err(state.timed_out(now.saturating_duration_since(started)));
            }
            // Never sooner than the service asked (`Retry-After`), and within the deadline.
            let pause = state.pacer.next(clock, asked_pause).min(left);
            if clock.sleep(pause, options.cancel.as_ref()) {
                return Err(state.cancelled());
            }
        }
    }
}
