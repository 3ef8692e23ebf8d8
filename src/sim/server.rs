//! The HTTP glue: hyper's HTTP/1 server on a current-thread tokio runtime in the simulator's
//! own thread, one task per connection. Requests are answered by plain functions over the
//! shared world; only a `slow` fault's delay and reading the request body wait.

use super::admin;
use super::error::SimError;
use super::fault::FaultKind;
use super::fault::Hit;
use super::random::hex_digits;
use super::reply::Reply;
use super::routes;
use super::shared::Shared;
use super::verify::Received;
use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::http::{HeaderValue, Request, Response, StatusCode};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};
use tokio::sync::oneshot;

/// The largest request body read (admin documents, IAM requests); larger is a 413.
pub const MAX_REQUEST_BODY: usize = 1024 * 1024;

/// `reply` as the response, with `X-Request-Id` and a `Date` header of `date` (the simulator's
/// calendar time; hyper then adds none of its own).
fn into_response(reply: Reply, request_id: &str, date: SystemTime) -> Response<SimBody> {
    let len = reply.body.len() as u64;
    let body = SimBody {
        remaining: len,
        fail_after_data: reply.truncated,
        data: if reply.truncated {
            Some(Bytes::from(reply.body).slice(..(len / 2) as usize))
        } else {
            Some(Bytes::from(reply.body)).filter(|b| !b.is_empty())
        },
    };
    let mut response = Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    for (name, value) in
        std::iter::once(("x-request-id", request_id.to_owned())).chain(reply.headers)
    {
        headers.append(name, header_value(&value));
    }
    headers.insert(
        hyper::http::header::DATE,
        header_value(&httpdate::fmt_http_date(date)),
    );
    response
}

/// `value` as a header value: anything but visible ASCII and spaces becomes `?` (reasons may
/// quote a path or a canonical request).
fn header_value(value: &str) -> HeaderValue {
    let clean: String = value
        .chars()
        .map(|c| {
            if c == ' ' || c.is_ascii_graphic() {
                c
            } else {
                '?'
            }
        })
        .collect();
    HeaderValue::from_str(&clean).unwrap_or_else(|_| HeaderValue::from_static("?"))
}

/// A response body: the whole of it, or (truncated) half of it followed by an error, which
/// makes hyper close the connection short of the promised length.
pub(crate) struct SimBody {
    data: Option<Bytes>,
    /// Bytes still promised (the `Content-Length` is the whole body's).
    remaining: u64,
    fail_after_data: bool,
}

impl Body for SimBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        if let Some(data) = self.data.take() {
            self.remaining -= data.len() as u64;
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        if self.fail_after_data {
            self.fail_after_data = false;
            return Poll::Ready(Some(Err(std::io::Error::other(
                "the body is truncated on purpose (a simulator fault)",
            ))));
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none() && !self.fail_after_data
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

/// The running server: its thread, and how to stop it.
pub(crate) struct Server {
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Serves `listener` (already bound) in a new thread.
    pub(crate) fn spawn(
        listener: std::net::TcpListener,
        shared: Arc<Shared>,
    ) -> Result<Server, SimError> {
        let io = |what: &str| {
            let what = what.to_owned();
            move |source| SimError::Io { what, source }
        };
        listener
            .set_nonblocking(true)
            .map_err(io("cannot configure the listening socket"))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(io("cannot start the simulator's runtime"))?;
        let listener = {
            let _context = runtime.enter();
            tokio::net::TcpListener::from_std(listener)
                .map_err(io("cannot register the listening socket"))?
        };
        let (shutdown, stop) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("hwinst-sim".into())
            .spawn(move || {
                runtime.block_on(accept(listener, shared, stop));
                // Dropping the runtime here ends every connection task and closes its socket.
            })
            .map_err(io("cannot start the simulator's thread"))?;
        Ok(Server {
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            // The receiver is gone only if the thread already ended.
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            // A panic in the server thread has nothing more to report here.
            let _ = thread.join();
        }
    }
}

/// Accepts connections until told to stop (or until the simulator is gone).
async fn accept(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    mut stop: oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let shared = Arc::clone(&shared);
                    tokio::spawn(async move {
                        let service = service_fn(move |request| {
                            let shared = Arc::clone(&shared);
                            async move { Ok::<_, Infallible>(handle(&shared, request).await) }
                        });
                        // A connection that fails (or is cut short on purpose) only ends itself.
                        let _ = http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
                // Out of file descriptors and the like: try again shortly rather than spin
                // (real time: it is the operating system that needs it to pass).
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
        }
    }
}

/// Answers one request.
async fn handle(shared: &Shared, request: Request<Incoming>) -> Response<SimBody> {
    let request_id = hex_digits(32);
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, MAX_REQUEST_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            let (status, why) = if e.is::<LengthLimitError>() {
                (
                    413,
                    format!("the request body is over {MAX_REQUEST_BODY} bytes"),
                )
            } else {
                (400, "the request body could not be read".to_owned())
            };
            let reply = Reply::json(status, &serde_json::json!({ "error": why }));
            return into_response(reply, &request_id, shared.world().calendar());
        }
    };
    let method = parts.method.as_str();
    let path = parts.uri.path();
    let query = parts.uri.query().unwrap_or("");
    if admin::is_admin(path) {
        let reply = admin::handle(shared, method, path, &body);
        return into_response(reply, &request_id, shared.world().calendar());
    }
    let target = routes::target(method, path);
    let mut hit = routes::take_fault(&mut shared.world(), &target);
    if let Some(Hit {
        kind: FaultKind::Slow(delay),
        ..
    }) = hit
    {
        // Real time on purpose: the fault tests the caller's own timeouts, which run on real
        // time (the socket's), whatever clock the simulator's lifecycles follow.
        tokio::time::sleep(delay).await;
        hit = None;
    }
    let received = Received {
        method,
        path,
        query,
        headers: &parts.headers,
        body: &body,
    };
    let mut world = shared.world();
    let reply = routes::answer(&mut world, &target, &received, &request_id, hit);
    let date = world.calendar();
    drop(world);
    into_response(reply, &request_id, date)
}
