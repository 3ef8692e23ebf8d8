//! Waiting for an instance: poll its lifecycle until it reaches a target phase, with growing,
//! jittered intervals, an overall deadline, and a callback on every change. The intervals, the
//! deadline and the jitter are on the client's [`Clock`].

use super::Client;
use crate::clock::Clock;
use crate::error::{Error, ErrorKind, Result};
use crate::interrupt::CancelScope;
use crate::phase::{Lifecycle, Phase, Source};
use crate::wait::WaitOptions;
use std::ops::ControlFlow;
use std::time::Duration;

impl Client {
    /// Polls the lifecycle of `instance_id` from `source` until its phase is one of
    /// `options`' targets, and returns that lifecycle.
    ///
    /// `on_change` is called with the first lifecycle observed and then with every one that
    /// differs from the one before (not on every poll); returning `ControlFlow::Break(())`
    /// cancels the wait.
    ///
    /// Ends with an error:
    /// - [`ErrorKind::InstanceFailed`] when the instance reaches `failed` or `deleted` (and
    ///   they are not targets); [`Error::lifecycle`] has the last lifecycle, whose `error`
    ///   has the service's error code and message;
    /// - [`ErrorKind::Cancelled`] when `on_change` breaks, or the options'
    ///   [`CancelToken`](crate::CancelToken) is cancelled;
    /// - [`ErrorKind::Timeout`] at the deadline, with the last lifecycle seen;
    /// - at once on errors that polling again cannot fix (401, 403, an invalid ID, ...).
    ///
    /// Throttling (429), server errors (5xx), timeouts and connection failures are polled
    /// through until the deadline; after an answer with `Retry-After`, the next poll comes no
    /// sooner than it asks, and one that asks for a pause past the deadline ends the wait with
    /// that answer ([`ErrorKind::Throttled`] for a 429). "Not found" is polled through during the grace period
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
        let client = self.with_deadline(deadline);
        let mut interval = options.initial_interval;
        let mut last: Option<Lifecycle> = None;
        let mut polls = 0u32;
        let cancelled = |last: Option<Lifecycle>| Err(Error::Cancelled(last.map(Box::new)));
        loop {
            if options.is_cancelled() {
                return cancelled(last);
            }
            polls += 1;
            let mut last_error = None;
            let mut asked_pause = None;
            let outcome = {
                // A cancel cuts the request in flight instead of waiting for its answer.
                let _scope = CancelScope::enter(options.cancel.as_ref());
                poll(
                    &client,
                    source,
                    instance_id,
                    options,
                    clock.now().saturating_duration_since(started),
                    last.is_some(),
                )
            };
            // A cancel that came during the request wins over what the request found, and
            // over the error a cut request ends with.
            if options.is_cancelled() {
                return cancelled(match outcome {
                    Ok(Poll::Seen(lifecycle)) => Some(lifecycle),
                    Ok(Poll::NotYet(_)) | Err(_) => last,
                });
            }
            let outcome = outcome?;
            match outcome {
                Poll::Seen(lifecycle) => {
                    let changed = last.as_ref().is_none_or(|l| !l.same_state(&lifecycle));
                    if changed && on_change(&lifecycle).is_break() {
                        return cancelled(Some(lifecycle));
                    }
                    if options.until.contains(&lifecycle.phase) {
                        return Ok(lifecycle);
                    }
                    if matches!(lifecycle.phase, Phase::Failed | Phase::Deleted) {
                        return Err(Error::InstanceFailed(Box::new(lifecycle)));
                    }
                    last = Some(lifecycle);
                }
                Poll::NotYet(error) => {
                    asked_pause = error.retry_after();
                    if asked_pause.is_some_and(|asked| clock.now() + asked >= deadline) {
                        // The service allows no poll before the deadline: its answer is the
                        // outcome, not more requests it would refuse.
                        log::info!(
                            target: "hwinst",
                            "wait for {source} {instance_id}: ends, the service asked for a pause \
                             past the wait's deadline: {error}"
                        );
                        return Err(error);
                    }
                    last_error = Some(error.to_string());
                }
            }
            let now = clock.now();
            let left = deadline.saturating_duration_since(now);
            if left.is_zero() {
                return Err(Error::WaitTimeout {
                    waited: now.saturating_duration_since(started),
                    polls,
                    last: last.map(Box::new),
                    last_error,
                });
            }
            // Never sooner than the service asked (`Retry-After`), and within the deadline.
            let pause = jittered(interval, clock)
                .max(asked_pause.unwrap_or_default())
                .min(left);
            if clock.sleep(pause, options.cancel.as_ref()) {
                return cancelled(last);
            }
            interval = (interval * 3 / 2).min(options.max_interval);
        }
    }
}

/// What one poll of a wait found.
enum Poll {
    /// The instance's lifecycle (a synthesised `deleted` one for a vanished instance).
    Seen(Lifecycle),
    /// Nothing usable yet, for a reason worth polling through: throttling, a server or
    /// transport failure, or "not found" during the grace period.
    NotYet(Error),
}

/// Reads the lifecycle once, `waited` after the start of the wait. Errors that polling again
/// cannot fix end the wait (`Err`).
fn poll(
    client: &Client,
    source: Source,
    instance_id: &str,
    options: &WaitOptions,
    waited: Duration,
    seen_before: bool,
) -> Result<Poll> {
    match client.lifecycle(source, instance_id) {
        Ok(lifecycle) => Ok(Poll::Seen(lifecycle)),
        // Once seen, or when waiting for a deletion, "not found" means deleted.
        Err(e) if e.kind() == ErrorKind::NotFound => {
            if seen_before || options.until.contains(&Phase::Deleted) {
                Ok(Poll::Seen(Lifecycle::gone(source, instance_id)))
            } else if waited < options.not_found_grace {
                Ok(Poll::NotYet(e))
            } else {
                Err(e)
            }
        }
        Err(e) if e.is_retryable() => Ok(Poll::NotYet(e)),
        Err(e) => Err(e),
    }
}

/// `interval` shortened by a random amount of up to half ("equal jitter").
fn jittered(interval: Duration, clock: &dyn Clock) -> Duration {
    interval - clock.jitter(interval / 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;

    #[test]
    fn jitter_stays_within_half() {
        let interval = Duration::from_millis(1000);
        for _ in 0..1000 {
            let d = jittered(interval, &SystemClock);
            assert!(d >= interval / 2 && d <= interval, "{d:?}");
        }
    }
}
