//! `cargo bench --features sim --bench floor`: what one call costs next to the floor, a bare
//! ureq loop, measured side by side in one run against the same local servers.
//!
//! Two servers, each a static keep-alive HTTP/1.1 responder serving the APIG progress example
//! (hyper, with a thread and a single-threaded tokio runtime per connection):
//! - **realistic headers**: every answer carries what an API gateway behind nginx sends
//!   (`Server`, `Date`, `Content-Type`, `Content-Length`, `Last-Modified`, `ETag`,
//!   `Connection`, `Accept-Ranges`, `X-Request-Id`, `Cache-Control` and the usual security
//!   headers): parsing and keeping headers is a good part of a call's cost;
//! - **minimal headers**: `Content-Type`, `Content-Length` and `Date` only.
//!
//! Each runs in a **child process** (this binary again, with `--serve`), so that
//! `getrusage(RUSAGE_SELF)` in this process counts the clients' CPU only: every client thread
//! and any thread a client spawns (a DNS helper, say), and nothing of the servers'. The
//! server's own CPU per call (from `/proc/PID/stat`) is printed alongside.
//!
//! Clients, each with one thread and with two threads sharing one agent or client:
//! - `floor`: one `ureq::Agent` with ureq's defaults, GET, read the body, parse it to a
//!   `serde_json::Value`;
//! - `floor+timeouts`: the same with hwinst's default timeouts (connect 10 s, global 30 s);
//! - `rust`: `Client::apig_creation_progress`;
//! - `c`: `hwinst::ffi::hwinst_apig_creation_progress` and `hwinst_string_free`.
//!
//! Then the list page: one `GET /v2/{project}/instances?limit=2000` answered (realistic headers)
//! with 2,000 instances, each the ROMA list document's example instance with its own ID and
//! name, compact and in the document's key order (1.55 MB): `page floor` (ureq + `serde_json::Value`), `page rust`
//! (`Client::roma_list_instances`), `page c` (`hwinst_roma_list_instances`, the result document
//! freed) and `page c step` (`hwinst_roma_list_page`, the paging walk's step: the page, the new
//! positions and the next cursor). `FLOOR_PAGE_CALLS` pages per client and round (default 50).
//!
//! Then the waiter's own cost: CPU per poll of `Client::wait` / `hwinst_wait` (1 ms intervals,
//! an instance whose progress changes on every poll, so the callback runs every time) beyond
//! one `apig_creation_progress` call; and 1,000 consecutive `hwinst_lifecycle` calls.
//!
//! Every figure is the best of `FLOOR_ROUNDS` rounds (default 3) of `FLOOR_CALLS` calls
//! (default 20,000), the clients interleaved within each round.
//!
//! Other modes, used by `scripts/bench-c.sh` and `benches/callgrind.sh`: `--serve
//! [--realistic]` (print the base URL, serve until stdin closes) and `--only floor|rust|c|wait|...
//! |rust-aksk|page-floor|page-rust|page-c|page-c-step --calls N --url URL [--threads T]` (just
//! that loop, on T threads sharing one client, e.g. under strace, perf or callgrind).

// Real time here (clippy.toml refuses it elsewhere): a benchmark measures real time.
#![allow(clippy::disallowed_methods)]
// `t` indexes the same thread count in several clients' rows at once.
#![allow(clippy::needless_range_loop)]

use hwinst::ffi;
use hwinst::{Client, Service, Source, WaitOptions};
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::hint::black_box;
use std::io::{BufRead, BufReader, Read, Write};
use std::ops::ControlFlow;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

const PROJECT: &str = "0a1b2c3d4e5f";
const INSTANCE: &str = "eddc4d25480b4cd6b512f270a1b8b341";
/// An instance whose progress the server changes on every request (for the waiter).
const COUNTING: &str = "counting-0001";
const BODY: &str = include_str!("../tests/fixtures/apig_creation_progress.json");
/// Instances on the list page.
const PAGE_SIZE: usize = 2_000;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--serve") {
        return serve(args.iter().any(|a| a == "--realistic"));
    }
    if let Some(i) = args.iter().position(|a| a == "--only") {
        let value = |flag: &str| {
            let at = args.iter().position(|a| a == flag).expect(flag);
            args[at + 1].clone()
        };
        let calls: usize = value("--calls").parse().unwrap();
        let threads = match args.iter().any(|a| a == "--threads") {
            true => value("--threads").parse().unwrap(),
            false => 1,
        };
        return only(&args[i + 1], &value("--url"), calls, threads);
    }
    bench();
}

// --- the server ------------------------------------------------------------------------------

/// Serves until stdin closes: with `realistic`, every answer carries the headers a real
/// gateway sends; without, only `Content-Type` (and hyper's `Content-Length` and `Date`).
fn serve(realistic: bool) {
    use http_body_util::Full;
    use hyper::body::Bytes;
    use hyper::service::service_fn;
    use hyper_util::rt::TokioIo;

    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static REQUESTS: AtomicU64 = AtomicU64::new(0);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    println!("http://{address}");
    std::io::stdout().flush().unwrap();
    // Serve until the parent closes stdin (or dies).
    std::thread::spawn(|| {
        let _ = std::io::stdin().read_to_end(&mut Vec::new());
        std::process::exit(0);
    });
    let page = Bytes::from(page_body(PAGE_SIZE));
    // A thread per connection, each with its own single-threaded runtime: one client
    // thread's requests wake one server thread, with no scheduler between them.
    for stream in listener.incoming() {
        let stream = stream.unwrap();
        let page = page.clone();
        stream.set_nodelay(true).unwrap();
        stream.set_nonblocking(true).unwrap();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let stream = tokio::net::TcpStream::from_std(stream).unwrap();
                let service = service_fn(|request: hyper::Request<hyper::body::Incoming>| {
                    let path = request.uri().path();
                    let body = if path.ends_with("/instances") {
                        page.clone()
                    } else if path.contains(COUNTING) {
                        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
                        Bytes::from(format!(
                            r#"{{"progress":{},"status":"creating","start_time":1597389901161}}"#,
                            n % 99 + 1
                        ))
                    } else {
                        Bytes::from_static(BODY.as_bytes())
                    };
                    let mut response = hyper::Response::builder();
                    if realistic {
                        // What an API gateway behind nginx sends (the nginx set, a request ID
                        // and the usual security headers); Content-Length comes from the body.
                        let n = REQUESTS.fetch_add(1, Ordering::Relaxed);
                        response = response
                            .header("server", "api-gateway")
                            .header("date", httpdate::fmt_http_date(SystemTime::now()))
                            .header("content-type", "application/json;charset=UTF-8")
                            .header("last-modified", "Fri, 14 Aug 2020 07:25:01 GMT")
                            .header("etag", "\"5f363c4d-9a\"")
                            .header("connection", "keep-alive")
                            .header("accept-ranges", "bytes")
                            .header("x-request-id", format!("{n:032x}"))
                            .header(
                                "strict-transport-security",
                                "max-age=31536000; includeSubDomains",
                            )
                            .header("x-content-type-options", "nosniff")
                            .header("x-frame-options", "SAMEORIGIN")
                            .header("x-xss-protection", "1; mode=block")
                            .header("cache-control", "no-cache, no-store, must-revalidate");
                    } else {
                        response = response.header("content-type", "application/json");
                    }
                    let response = response.body(Full::new(body));
                    async move { response }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        });
    }
}

/// A ROMA list page of `n` instances: the list document's example instance (the fixture),
/// each copy with its own ID and name, as a gateway sends it: compact, and the keys in the
/// document's order (which a `serde_json::Value` would sort).
fn page_body(n: usize) -> String {
    let example = compact(include_str!("../tests/fixtures/roma_instance_page.json"));
    let (id, name) = (
        r#""id":"e34610ca-0a37-4f04-8856-4101b08cc5e2""#,
        r#""name":"roma-test""#,
    );
    let start = example.find(r#""instances":["#).unwrap() + r#""instances":["#.len();
    let instance = &example[start..example.rfind("]}").unwrap()];
    assert!(
        instance.starts_with(&format!("{{{id},{name},")),
        "{instance}"
    );
    let instances: Vec<String> = (0..n)
        .map(|i| {
            instance
                .replacen(
                    id,
                    &format!(r#""id":"e34610ca-0a37-4f04-8856-{i:012x}""#),
                    1,
                )
                .replacen(name, &format!(r#""name":"roma-test-{i}""#), 1)
        })
        .collect();
    format!(
        r#"{{"total":{n},"size":{n},"instances":[{}]}}"#,
        instances.join(",")
    )
}

/// JSON text without the whitespace between its tokens.
fn compact(json: &str) -> String {
    let (mut out, mut in_string, mut escaped) = (String::with_capacity(json.len()), false, false);
    for c in json.chars() {
        if in_string {
            in_string = escaped || c != '"';
            escaped = !escaped && c == '\\';
        } else if c == '"' {
            in_string = true;
        } else if c.is_ascii_whitespace() {
            continue;
        }
        out.push(c);
    }
    out
}

struct Server {
    child: Child,
    url: String,
}

impl Server {
    /// The responder in a child process; `realistic` as in [`serve`].
    fn start(realistic: bool) -> Server {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .arg("--serve")
            .args(realistic.then_some("--realistic"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        Server {
            child,
            url: line.trim().to_owned(),
        }
    }

    /// The server process's CPU time so far (user + system, clock ticks of 10 ms).
    fn cpu(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap();
        let fields: Vec<&str> = stat
            .rsplit(')')
            .next()
            .unwrap()
            .split_whitespace()
            .collect();
        // utime and stime are fields 14 and 15 of stat(5); after the ')' they are 12th, 13th.
        let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
        // SAFETY: sysconf has no preconditions.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as u64;
        Duration::from_micros(ticks * 1_000_000 / hz)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

// --- the clients -----------------------------------------------------------------------------

/// This process's CPU time so far (user + system, every thread), from `getrusage`.
fn process_cpu() -> Duration {
    // SAFETY: a zeroed rusage is a valid out-parameter.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: RUSAGE_SELF with a valid pointer.
    assert_eq!(unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) }, 0);
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// One way of making the call, shareable between threads.
trait Caller: Sync {
    fn call(&self);
}

struct Floor {
    agent: ureq::Agent,
    url: String,
}

impl Floor {
    /// The progress call.
    fn new(base: &str, timeouts: bool) -> Floor {
        Floor::at(
            base,
            &format!("/v2/{PROJECT}/apigw/instances/{INSTANCE}/progress"),
            timeouts,
        )
    }

    /// A GET of `path_and_query`.
    fn at(base: &str, path_and_query: &str, timeouts: bool) -> Floor {
        let agent = if timeouts {
            ureq::Agent::config_builder()
                .timeout_connect(Some(Duration::from_secs(10)))
                .timeout_global(Some(Duration::from_secs(30)))
                .build()
                .new_agent()
        } else {
            ureq::Agent::new_with_defaults()
        };
        Floor {
            agent,
            url: format!("{base}{path_and_query}"),
        }
    }
}

impl Caller for Floor {
    fn call(&self) {
        let body = self
            .agent
            .get(&self.url)
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap();
        black_box(serde_json::from_str::<serde_json::Value>(&body).unwrap());
    }
}

struct Rust(Client);

fn client(base: &str) -> Client {
    Client::builder()
        .project_id(PROJECT)
        .token("bench-token")
        .endpoint(Service::Apig, base)
        .endpoint(Service::Roma, base)
        .build()
        .unwrap()
}

impl Caller for Rust {
    fn call(&self) {
        black_box(self.0.apig_creation_progress(INSTANCE).unwrap());
    }
}

struct C(*mut ffi::hwinst_client, CString);

// SAFETY: a hwinst_client may be used by any number of threads at once (the C ABI's contract).
unsafe impl Sync for C {}

impl C {
    fn new(base: &str) -> C {
        let config = CString::new(format!(
            r#"{{"project_id":"{PROJECT}","credentials":{{"token":"bench-token"}},"endpoints":{{"apig":"{base}","roma":"{base}"}}}}"#
        ))
        .unwrap();
        let mut client = std::ptr::null_mut();
        // SAFETY: valid strings and out-pointers.
        let code =
            unsafe { ffi::hwinst_client_new(config.as_ptr(), &mut client, std::ptr::null_mut()) };
        assert_eq!(code, ffi::hwinst_code::OK);
        C(client, CString::new(INSTANCE).unwrap())
    }
}

impl Drop for C {
    fn drop(&mut self) {
        // SAFETY: the client from hwinst_client_new, freed once.
        unsafe { ffi::hwinst_client_free(self.0) };
    }
}

impl Caller for C {
    fn call(&self) {
        let mut json: *mut c_char = std::ptr::null_mut();
        // SAFETY: a live client, a NUL-terminated ID and a writable out-pointer; the document
        // is freed once.
        unsafe {
            let code = ffi::hwinst_apig_creation_progress(self.0, self.1.as_ptr(), &mut json);
            assert_eq!(code, ffi::hwinst_code::OK);
            ffi::hwinst_string_free(json);
        }
    }
}

/// The list page through the Rust API.
struct PageRust(Client);

impl Caller for PageRust {
    fn call(&self) {
        let query = hwinst::RomaListQuery::new().limit(PAGE_SIZE as u32);
        let page = self.0.roma_list_instances(&query).unwrap();
        assert_eq!(page.instances.len(), PAGE_SIZE);
        black_box(page);
    }
}

/// The list page through the C ABI: `hwinst_roma_list_instances`, or with `step`
/// `hwinst_roma_list_page` (the first step of a paging walk).
struct PageC {
    c: C,
    step: bool,
    query: CString,
}

impl PageC {
    fn new(base: &str, step: bool) -> PageC {
        PageC {
            c: C::new(base),
            step,
            query: CString::new(format!(r#"{{"limit":{PAGE_SIZE}}}"#)).unwrap(),
        }
    }
}

impl Caller for PageC {
    fn call(&self) {
        let mut json: *mut c_char = std::ptr::null_mut();
        // SAFETY: a live client, a NUL-terminated query and a writable out-pointer; the
        // document is freed once.
        unsafe {
            let code = if self.step {
                ffi::hwinst_roma_list_page(self.c.0, self.query.as_ptr(), &mut json)
            } else {
                ffi::hwinst_roma_list_instances(self.c.0, self.query.as_ptr(), &mut json)
            };
            assert_eq!(code, ffi::hwinst_code::OK);
            ffi::hwinst_string_free(json);
        }
    }
}

/// The page's four clients.
fn page_callers(base: &str) -> [(&'static str, Box<dyn Caller>); 4] {
    let path = format!("/v2/{PROJECT}/instances?limit={PAGE_SIZE}");
    [
        ("floor (bare ureq)", Box::new(Floor::at(base, &path, false))),
        ("hwinst Rust API", Box::new(PageRust(client(base)))),
        (
            "hwinst C ABI (list_instances)",
            Box::new(PageC::new(base, false)),
        ),
        ("hwinst C ABI (list_page)", Box::new(PageC::new(base, true))),
    ]
}

/// Wall and CPU time of `calls` calls made by `threads` threads sharing `caller`, and the
/// server's CPU meanwhile.
#[derive(Clone, Copy)]
struct Sample {
    wall: Duration,
    cpu: Duration,
    server: Duration,
}

fn run(server: &Server, caller: &dyn Caller, threads: usize, calls: usize) -> Sample {
    let (cpu0, server0, start) = (process_cpu(), server.cpu(), Instant::now());
    on_threads(caller, threads, calls);
    Sample {
        wall: start.elapsed(),
        cpu: process_cpu() - cpu0,
        server: server.cpu() - server0,
    }
}

/// `calls` calls of `caller`, shared out between `threads` spawned threads.
fn on_threads(caller: &dyn Caller, threads: usize, calls: usize) {
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                for _ in 0..calls / threads {
                    caller.call();
                }
            });
        }
    });
}

// --- the waiter ------------------------------------------------------------------------------

/// `polls` polls of a wait on the counting instance, through Rust or C.
fn wait_polls(rust: &Client, c: &C, through_c: bool, polls: u32) {
    if through_c {
        unsafe extern "C" fn count(_: *const c_char, user_data: *mut c_void) -> c_int {
            // SAFETY: user_data is the &mut [u32; 2] passed below, used by this thread only.
            let left = unsafe { &mut *(user_data as *mut u32) };
            *left -= 1;
            c_int::from(*left == 0)
        }
        let mut left = polls;
        let (source, id) = (c"apig", CString::new(COUNTING).unwrap());
        let options = cr#"{"timeout_ms":600000,"initial_interval_ms":1,"max_interval_ms":1}"#;
        let mut json: *mut c_char = std::ptr::null_mut();
        // SAFETY: a live client, NUL-terminated strings, a callback that follows the
        // contract with its user_data, a writable out-pointer; the document is freed once.
        unsafe {
            let code = ffi::hwinst_wait(
                c.0,
                source.as_ptr(),
                id.as_ptr(),
                options.as_ptr(),
                Some(count),
                &mut left as *mut u32 as *mut c_void,
                &mut json,
            );
            assert_eq!(
                code,
                ffi::hwinst_code::CANCELLED,
                "{:?}",
                CStr::from_ptr(json)
            );
            ffi::hwinst_string_free(json);
        }
    } else {
        let options = WaitOptions::new()
            .timeout(Duration::from_secs(600))
            .initial_interval(Duration::from_millis(1))
            .max_interval(Duration::from_millis(1));
        let mut left = polls;
        let outcome = rust.wait(Source::Apig, COUNTING, &options, |_| {
            left -= 1;
            if left == 0 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        assert_eq!(outcome.unwrap_err().kind(), hwinst::ErrorKind::Cancelled);
    }
}

fn lifecycles(c: &C, calls: usize) {
    let id = CString::new(INSTANCE).unwrap();
    for _ in 0..calls {
        let mut json: *mut c_char = std::ptr::null_mut();
        // SAFETY: as in C::call.
        unsafe {
            let code = ffi::hwinst_lifecycle(c.0, c"apig".as_ptr(), id.as_ptr(), &mut json);
            assert_eq!(code, ffi::hwinst_code::OK);
            ffi::hwinst_string_free(json);
        }
    }
}

fn timed(f: impl FnOnce()) -> Sample {
    let (cpu0, start) = (process_cpu(), Instant::now());
    f();
    Sample {
        wall: start.elapsed(),
        cpu: process_cpu() - cpu0,
        server: Duration::ZERO,
    }
}

// --- the report ------------------------------------------------------------------------------

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).map_or(default, |v| v.parse().expect(name))
}

fn us(d: Duration, n: usize) -> f64 {
    d.as_secs_f64() * 1e6 / n as f64
}

fn best_of(a: Option<Sample>, s: Sample) -> Option<Sample> {
    Some(match a {
        None => s,
        Some(b) => Sample {
            wall: b.wall.min(s.wall),
            cpu: b.cpu.min(s.cpu),
            server: b.server.min(s.server),
        },
    })
}

const CLIENTS: [&str; 4] = [
    "floor (bare ureq)",
    "floor + hwinst's timeouts",
    "hwinst Rust API",
    "hwinst C ABI",
];

/// The four clients against one server.
struct Clients {
    server: Server,
    floor: Floor,
    floor_timeouts: Floor,
    rust: Rust,
    c: C,
}

impl Clients {
    fn new(realistic: bool) -> Clients {
        let server = Server::start(realistic);
        let url = server.url.clone();
        Clients {
            floor: Floor::new(&url, false),
            floor_timeouts: Floor::new(&url, true),
            rust: Rust(client(&url)),
            c: C::new(&url),
            server,
        }
    }

    fn callers(&self) -> [&dyn Caller; 4] {
        [&self.floor, &self.floor_timeouts, &self.rust, &self.c]
    }
}

fn bench() {
    let calls = env_or("FLOOR_CALLS", 20_000);
    let rounds = env_or("FLOOR_ROUNDS", 3);
    let polls = env_or("FLOOR_POLLS", 1_000) as u32;
    let pages = env_or("FLOOR_PAGE_CALLS", 50);
    // The same clients against a server answering like a real gateway, and a bare one.
    let servers = [
        ("realistic headers", Clients::new(true)),
        ("minimal headers", Clients::new(false)),
    ];
    println!(
        "{calls} calls per client and thread count, best of {rounds} rounds, servers in child \
         processes; CPU = this process's getrusage (user+sys)\n"
    );
    for (_, clients) in &servers {
        for caller in clients.callers() {
            run(&clients.server, caller, 2, 1000); // connections and caches warm
        }
    }
    let mut best = [[[None::<Sample>; 2]; 4]; 2];
    // rust call, rust wait, c wait, c lifecycle, rust call + a bare 1 ms sleep
    let mut waits = [None::<Sample>; 5];
    let page_clients = page_callers(&servers[0].1.server.url);
    for (_, caller) in &page_clients {
        run(&servers[0].1.server, caller.as_ref(), 1, 2); // connections warm
    }
    let mut page_best = [None::<Sample>; 4];
    for round in 0..rounds {
        for (k, (_, clients)) in servers.iter().enumerate() {
            for threads in [1, 2] {
                for (i, caller) in clients.callers().into_iter().enumerate() {
                    let s = run(&clients.server, caller, threads, calls);
                    best[k][i][threads - 1] = best_of(best[k][i][threads - 1], s);
                }
            }
        }
        let (rust, c) = (&servers[0].1.rust, &servers[0].1.c);
        let id = COUNTING;
        let samples = [
            timed(|| {
                for _ in 0..polls {
                    black_box(rust.0.apig_creation_progress(id).unwrap());
                }
            }),
            timed(|| wait_polls(&rust.0, c, false, polls)),
            timed(|| wait_polls(&rust.0, c, true, polls)),
            timed(|| lifecycles(c, 1000)),
            // A poll's floor: the same call and a bare 1 ms sleep, no waiter.
            timed(|| {
                for _ in 0..polls {
                    black_box(rust.0.apig_creation_progress(id).unwrap());
                    std::thread::sleep(Duration::from_millis(1));
                }
            }),
        ];
        for (slot, s) in waits.iter_mut().zip(samples) {
            *slot = best_of(*slot, s);
        }
        for (slot, (_, caller)) in page_best.iter_mut().zip(&page_clients) {
            *slot = best_of(*slot, run(&servers[0].1.server, caller.as_ref(), 1, pages));
        }
        eprintln!("round {} of {rounds} done", round + 1);
    }

    println!(
        "| server | client | threads | wall/call | CPU/call | calls/s | wall ÷ floor | CPU ÷ floor | server CPU/call |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let best = best.map(|b| b.map(|b| b.map(Option::unwrap)));
    for (k, (server, _)) in servers.iter().enumerate() {
        let best = &best[k];
        for (i, name) in CLIENTS.iter().enumerate() {
            for t in 0..2 {
                let s = best[i][t];
                let f = best[0][t];
                println!(
                    "| {server} | {name} | {} | {:.1} µs | {:.1} µs | {:.0} | {:.2}× | {:.2}× | {:.1} µs |",
                    t + 1,
                    us(s.wall, calls),
                    us(s.cpu, calls),
                    calls as f64 / s.wall.as_secs_f64(),
                    s.wall.as_secs_f64() / f.wall.as_secs_f64(),
                    s.cpu.as_secs_f64() / f.cpu.as_secs_f64(),
                    us(s.server, calls),
                );
            }
        }
    }
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    let check = |ok: bool| if ok { "met" } else { "MISSED" };
    for (k, (server, _)) in servers.iter().enumerate() {
        let best = &best[k];
        println!("\n{server}:");
        for (i, name) in [(2, "Rust API"), (3, "C ABI")] {
            for t in 0..2 {
                let (w, c) = (
                    ratio(best[i][t].wall, best[0][t].wall),
                    ratio(best[i][t].cpu, best[0][t].cpu),
                );
                println!(
                    "{name}, {} thread(s): wall {w:.2}× (≤ 1.05: {}), CPU {c:.2}× (≤ 1.10: {})",
                    t + 1,
                    check(w <= 1.05),
                    check(c <= 1.10)
                );
            }
        }
        for t in 0..2 {
            let (w, c) = (
                ratio(best[3][t].wall, best[2][t].wall),
                ratio(best[3][t].cpu, best[2][t].cpu),
            );
            println!(
                "C ABI ÷ Rust API, {} thread(s): wall {w:.2}×, CPU {c:.2}× (≤ 1.05: {})",
                t + 1,
                check(w <= 1.05 && c <= 1.05)
            );
        }
        for (i, name) in CLIENTS.iter().enumerate() {
            let x = ratio(best[i][0].wall, best[i][1].wall);
            println!(
                "{name}: two threads give {x:.2}× the calls/s of one (≥ 1.7: {})",
                check(x >= 1.7)
            );
        }
    }
    println!(
        "\nthe {PAGE_SIZE}-instance ROMA list page ({} bytes, realistic headers, {pages} pages, \
         one thread):\n",
        page_body(PAGE_SIZE).len()
    );
    println!("| client | wall/page | CPU/page | wall ÷ floor | CPU ÷ floor | server CPU/page |");
    println!("|---|---|---|---|---|---|");
    let page_best = page_best.map(Option::unwrap);
    let ms = |d: Duration| d.as_secs_f64() * 1e3 / pages as f64;
    for (s, (name, _)) in page_best.iter().zip(&page_clients) {
        println!(
            "| {name} | {:.2} ms | {:.2} ms | {:.2}× | {:.2}× | {:.2} ms |",
            ms(s.wall),
            ms(s.cpu),
            ratio(s.wall, page_best[0].wall),
            ratio(s.cpu, page_best[0].cpu),
            ms(s.server),
        );
    }
    for (s, (name, _)) in page_best.iter().zip(&page_clients).skip(1) {
        let c = ratio(s.cpu, page_best[0].cpu);
        println!(
            "{name}: page CPU {c:.2}× the floor's (≤ 0.80: {})",
            check(c <= 0.8)
        );
    }
    let w = waits.map(Option::unwrap);
    let n = polls as usize;
    println!();
    println!(
        "waiter ({polls} polls, realistic headers, 1 ms intervals, progress changing on every \
         poll):\n\
         - apig_creation_progress alone: {:.1} µs CPU/call ({:.1} µs wall)\n\
         - the same call and a bare 1 ms `thread::sleep` (a poll's floor): {:.1} µs CPU, \
         {:.1} µs beyond the call\n\
         - Client::wait: {:.1} µs CPU/poll, {:.1} µs beyond the call, {:.1} µs beyond the floor\n\
         - hwinst_wait (callback every poll): {:.1} µs CPU/poll, {:.1} µs beyond the call, \
         {:.1} µs beyond the floor",
        us(w[0].cpu, n),
        us(w[0].wall, n),
        us(w[4].cpu, n),
        us(w[4].cpu, n) - us(w[0].cpu, n),
        us(w[1].cpu, n),
        us(w[1].cpu, n) - us(w[0].cpu, n),
        us(w[1].cpu, n) - us(w[4].cpu, n),
        us(w[2].cpu, n),
        us(w[2].cpu, n) - us(w[0].cpu, n),
        us(w[2].cpu, n) - us(w[4].cpu, n),
    );
    println!(
        "1,000 hwinst_lifecycle calls: {:.1} ms CPU, {:.1} ms wall ({:.1} µs CPU/call)",
        w[3].cpu.as_secs_f64() * 1e3,
        w[3].wall.as_secs_f64() * 1e3,
        us(w[3].cpu, 1000)
    );
}

/// Only `calls` calls of one client against `url` (for strace or callgrind); `wait` and
/// `wait-c` are a wait of `calls` polls on the instance whose progress changes on every
/// poll, through Rust or C, and `progress` as many plain calls on that instance (what a poll
/// costs beyond its request is the difference).
fn only(which: &str, url: &str, calls: usize, threads: usize) {
    let caller: Box<dyn Caller> = match which {
        "floor" => Box::new(Floor::new(url, false)),
        "rust" => Box::new(Rust(client(url))),
        // AK/SK-signed: the responder checks no signature; this is for the signer's cost.
        "rust-aksk" => Box::new(Rust(
            Client::builder()
                .project_id(PROJECT)
                .ak_sk(
                    "BENCHAKEXAMPLE0000000",
                    "bench-secret-key-0123456789abcdefghijklmn",
                )
                .endpoint(Service::Apig, url)
                .build()
                .unwrap(),
        )),
        "c" => Box::new(C::new(url)),
        "wait" | "wait-c" => {
            let polls = u32::try_from(calls).expect("--calls fits a u32");
            return wait_polls(&client(url), &C::new(url), which == "wait-c", polls);
        }
        "progress" => {
            let client = client(url);
            for _ in 0..calls {
                black_box(client.apig_creation_progress(COUNTING).unwrap());
            }
            return;
        }
        page if page.starts_with("page-") => {
            let callers = page_callers(url);
            let at = ["page-floor", "page-rust", "page-c", "page-c-step"]
                .iter()
                .position(|p| *p == page)
                .unwrap_or_else(|| panic!("--only page-floor|page-rust|page-c|page-c-step"));
            for _ in 0..calls {
                callers[at].1.call();
            }
            return;
        }
        other => panic!(
            "--only floor|rust|rust-aksk|c|wait|wait-c|progress|page-floor|page-rust|page-c|\
             page-c-step, not {other}"
        ),
    };
    let caller = caller.as_ref();
    // One call first: the connection is made and the caches are warm before the timed loop.
    caller.call();
    let (cpu0, start) = (process_cpu(), Instant::now());
    if threads == 1 {
        // On the main thread, as before `--threads` existed: the allocator's main arena.
        for _ in 0..calls {
            caller.call();
        }
    } else {
        on_threads(caller, threads, calls);
    }
    // For benches/pinned.sh: this process's CPU and the wall time of the loop alone.
    println!(
        "loop: {calls} calls, cpu {} ns, wall {} ns",
        (process_cpu() - cpu0).as_nanos(),
        start.elapsed().as_nanos()
    );
}
