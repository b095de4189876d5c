//! HTTP load generator for `POST /v1/match` (used by scripts/load-http.sh).
//!
//! Opens N keep-alive HTTP/1.1 connections to a loopback server and sends single-name
//! queries (from a JSON-lines file in `watchlist match`'s query format) for a fixed time, each
//! connection one request at a time. Reports requests per second, latency percentiles, errors
//! (any non-200 answer or transport failure), and, given the server's pid, the server's CPU
//! seconds, so throughput per CPU second can be compared with `watchlist match`.
//! Optionally triggers a hot reload (`POST /v1/admin/update`) part-way through.
//!
//! ```text
//! load --url http://127.0.0.1:8080 --queries q.jsonl --connections 16 --seconds 10
//!      [--rate REQUESTS_PER_SECOND] [--server-pid PID] [--reload-at 3 --admin-key KEY --import PATH]
//! ```
//!
//! Only loopback URLs are accepted: this tool must never load another machine.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Opts {
    url: String,
    queries: String,
    connections: usize,
    seconds: f64,
    server_pid: Option<u32>,
    reload_at: Option<f64>,
    admin_key: Option<String>,
    import: Option<String>,
    /// Total requests per second over all connections (open loop); none: as fast as answered.
    rate: Option<f64>,
}

fn parse_args() -> Opts {
    let mut o = Opts {
        url: String::new(),
        queries: String::new(),
        connections: 1,
        seconds: 10.0,
        server_pid: None,
        reload_at: None,
        admin_key: None,
        import: None,
        rate: None,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let v = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--url" => o.url = v,
            "--queries" => o.queries = v,
            "--connections" => o.connections = v.parse().expect("--connections N"),
            "--seconds" => o.seconds = v.parse().expect("--seconds S"),
            "--server-pid" => o.server_pid = Some(v.parse().expect("--server-pid PID")),
            "--reload-at" => o.reload_at = Some(v.parse().expect("--reload-at S")),
            "--admin-key" => o.admin_key = Some(v),
            "--import" => o.import = Some(v),
            "--rate" => o.rate = Some(v.parse().expect("--rate R")),
            other => panic!("unknown argument {other}"),
        }
        i += 2;
    }
    assert!(
        o.seconds > 0.0 && o.seconds <= 120.0,
        "--seconds must be in (0, 120]"
    );
    assert!(
        (1..=1024).contains(&o.connections),
        "--connections must be 1..=1024"
    );
    o
}

/// host:port of a loopback URL.
fn loopback_authority(url: &str) -> String {
    let rest = url.strip_prefix("http://").expect("an http:// URL");
    let auth = rest.split('/').next().unwrap_or_default().to_string();
    let host = auth.rsplit_once(':').map(|(h, _)| h).unwrap_or(&auth);
    assert!(
        host == "127.0.0.1" || host == "localhost" || host == "[::1]" || host.starts_with("127."),
        "only loopback targets are allowed, not {host}"
    );
    auth
}

/// Request bodies: one single-name query each.
fn bodies(path: &str) -> Vec<Bytes> {
    let text = std::fs::read_to_string(path).expect("the queries file");
    let out: Vec<Bytes> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|q| {
            let name = q["name"].as_str()?.to_string();
            let schema = match q["schema"].as_str().unwrap_or("LegalEntity") {
                "Aircraft" => "Airplane",
                s => s,
            }
            .to_string();
            let body = serde_json::json!({"queries": {"q": {"schema": schema, "properties": {"name": [name]}}}, "limit": 10});
            Some(Bytes::from(body.to_string()))
        })
        .collect();
    assert!(!out.is_empty(), "no queries in {path}");
    out
}

/// CPU seconds (user + system) of a process so far.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = after.split_whitespace().collect();
    let (u, s): (f64, f64) = (f.get(11)?.parse().ok()?, f.get(12)?.parse().ok()?);
    Some((u + s) / 100.0)
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn connect(auth: &str) -> Sender {
    let stream = tokio::net::TcpStream::connect(auth).await.expect("connect");
    stream.set_nodelay(true).ok();
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    sender
}

async fn post(
    sender: &mut Sender,
    auth: &str,
    path: &str,
    body: Bytes,
    key: Option<&str>,
) -> Result<(u16, Bytes), String> {
    let mut req = Request::post(path)
        .header("host", auth)
        .header("content-type", "application/json");
    if let Some(k) = key {
        req = req.header("authorization", format!("Bearer {k}"));
    }
    let req = req.body(Full::new(body)).map_err(|e| e.to_string())?;
    sender.ready().await.map_err(|e| e.to_string())?;
    let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let body = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok((status, body))
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let o = parse_args();
    let auth = loopback_authority(&o.url);
    let bodies = Arc::new(bodies(&o.queries));
    let stop = Arc::new(AtomicBool::new(false));
    let errors = Arc::new(AtomicU64::new(0));
    let first_error: Arc<std::sync::Mutex<Option<String>>> = Arc::default();
    let cpu0 = o.server_pid.and_then(cpu_seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    let (rate, connections) = (o.rate, o.connections);
    for c in 0..o.connections {
        let (auth, bodies, stop, errors, first_error) = (
            auth.clone(),
            bodies.clone(),
            stop.clone(),
            errors.clone(),
            first_error.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut sender = connect(&auth).await;
            let mut lat: Vec<u32> = Vec::with_capacity(4096);
            let mut i = c * 7919;
            // with --rate: each connection sends on a fixed schedule and latency counts from the
            // scheduled time, so a slow answer delays (and counts against) the next ones
            let interval = rate.map(|r| Duration::from_secs_f64(connections as f64 / r));
            let mut next = Instant::now()
                + interval
                    .map(|iv| iv.mul_f64(c as f64 / connections as f64))
                    .unwrap_or_default();
            while !stop.load(Ordering::Relaxed) {
                let body = bodies[i % bodies.len()].clone();
                i += 1;
                let t = match interval {
                    Some(iv) => {
                        tokio::time::sleep_until(tokio::time::Instant::from_std(next)).await;
                        let t = next;
                        next += iv;
                        t
                    }
                    None => Instant::now(),
                };
                match post(&mut sender, &auth, "/v1/match", body, None).await {
                    Ok((200, _)) => lat.push(t.elapsed().as_micros().min(u32::MAX as u128) as u32),
                    other => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        let msg = match other {
                            Ok((s, b)) => format!(
                                "HTTP {s}: {}",
                                String::from_utf8_lossy(&b[..b.len().min(200)])
                            ),
                            Err(e) => e,
                        };
                        first_error.lock().unwrap().get_or_insert(msg);
                        sender = connect(&auth).await;
                    }
                }
            }
            lat
        }));
    }
    let reload = match (o.reload_at, &o.admin_key, &o.import) {
        (Some(at), Some(key), Some(path)) => {
            let (auth, key, path) = (auth.clone(), key.clone(), path.clone());
            Some(tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs_f64(at)).await;
                let mut s = connect(&auth).await;
                let body = serde_json::json!({"source": "files", "paths": [path]}).to_string();
                let t = Instant::now();
                let r = post(
                    &mut s,
                    &auth,
                    "/v1/admin/update",
                    Bytes::from(body),
                    Some(&key),
                )
                .await;
                (r, t.elapsed())
            }))
        }
        _ => None,
    };
    tokio::time::sleep(Duration::from_secs_f64(o.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let elapsed = started.elapsed().as_secs_f64();
    let mut lat: Vec<u32> = Vec::new();
    for t in tasks {
        lat.extend(t.await.expect("a load task"));
    }
    let cpu = match (o.server_pid.and_then(cpu_seconds), cpu0) {
        (Some(b), Some(a)) => Some(b - a),
        _ => None,
    };
    lat.sort_unstable();
    let n = lat.len() as f64;
    let errs = errors.load(Ordering::Relaxed);
    let mut line = format!(
        "connections={} rate={} requests={} errors={} seconds={:.1} rps={:.0} p50_ms={:.2} p90_ms={:.2} p99_ms={:.2} max_ms={:.2}",
        o.connections,
        o.rate.map(|r| format!("{r:.0}")).unwrap_or_else(|| "max".into()),
        lat.len(),
        errs,
        elapsed,
        n / elapsed,
        percentile(&lat, 0.50),
        percentile(&lat, 0.90),
        percentile(&lat, 0.99),
        percentile(&lat, 1.0)
    );
    if let Some(cpu) = cpu {
        line.push_str(&format!(
            " server_cpu_s={cpu:.2} rps_per_server_cpu_s={:.0}",
            n / cpu.max(1e-9)
        ));
    }
    if let Some(r) = reload {
        match r.await.expect("the reload task") {
            (Ok((status, body)), took) => {
                let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                line.push_str(&format!(
                    " reload_status={status} reload_outcome={} reloaded={} reload_s={:.2}",
                    v["outcome"].as_str().unwrap_or("?"),
                    v["reloaded"],
                    took.as_secs_f64()
                ));
            }
            (Err(e), _) => line.push_str(&format!(" reload_error={e:?}")),
        }
    }
    println!("{line}");
    let first = first_error.lock().unwrap().clone();
    if let Some(e) = first {
        eprintln!("first error: {e}");
    }
}
