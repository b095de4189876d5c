//! Request metrics, rendered in the Prometheus text format by `GET /metrics`.
//!
//! Per route (the route template, e.g. `/v1/entities/{id}`, so ids do not explode the label
//! space) and method: a request counter by status code and a latency histogram. Plus the number
//! of screening results returned and how many of them were matches, and reloads by outcome.
//! Snapshot age and version are added by the handler from the engine in service.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
pub const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, Default)]
struct RouteStats {
    /// Count per bucket (not cumulative); the last slot is +Inf.
    buckets: [AtomicU64; BUCKETS.len() + 1],
    sum_micros: AtomicU64,
    count: AtomicU64,
    by_status: Mutex<BTreeMap<u16, u64>>,
}

/// All counters of the process.
#[derive(Debug, Default)]
pub struct Metrics {
    routes: RwLock<BTreeMap<(String, String), Arc<RouteStats>>>,
    /// Screening results returned (all scores).
    pub results: AtomicU64,
    /// Screening results at or above the threshold.
    pub matches: AtomicU64,
    /// Queries screened (one per entry of a batch).
    pub queries: AtomicU64,
    /// Reloads that put a new snapshot in service (`watchlist_reloads_total{result="ok"}`).
    pub reloads_ok: AtomicU64,
    /// Reloads that failed, leaving the snapshot in service as it was.
    pub reloads_failed: AtomicU64,
}

impl Metrics {
    fn stats(&self, route: &str, method: &str) -> Arc<RouteStats> {
        let key = (route.to_string(), method.to_string());
        if let Some(s) = self.routes.read().expect("metrics lock").get(&key) {
            return s.clone();
        }
        self.routes
            .write()
            .expect("metrics lock")
            .entry(key)
            .or_default()
            .clone()
    }

    /// Records one finished request.
    pub fn observe(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        let s = self.stats(route, method);
        let secs = elapsed.as_secs_f64();
        let slot = BUCKETS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(BUCKETS.len());
        s.buckets[slot].fetch_add(1, Ordering::Relaxed);
        s.sum_micros
            .fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
        s.count.fetch_add(1, Ordering::Relaxed);
        *s.by_status
            .lock()
            .expect("metrics lock")
            .entry(status)
            .or_default() += 1;
    }

    /// Records the results of one screened query.
    pub fn screened(&self, results: usize, matches: usize) {
        self.queries.fetch_add(1, Ordering::Relaxed);
        self.results.fetch_add(results as u64, Ordering::Relaxed);
        self.matches.fetch_add(matches as u64, Ordering::Relaxed);
    }

    /// The request metrics in the Prometheus text format.
    pub fn render(&self, out: &mut String) {
        let routes = self.routes.read().expect("metrics lock");
        out.push_str("# HELP watchlist_http_requests_total HTTP requests by route template, method and status.\n");
        out.push_str("# TYPE watchlist_http_requests_total counter\n");
        for ((route, method), s) in routes.iter() {
            for (status, n) in s.by_status.lock().expect("metrics lock").iter() {
                let _ = writeln!(out, "watchlist_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {n}", escape(route));
            }
        }
        out.push_str("# HELP watchlist_http_request_duration_seconds Time from request to response, by route template and method.\n");
        out.push_str("# TYPE watchlist_http_request_duration_seconds histogram\n");
        for ((route, method), s) in routes.iter() {
            let labels = format!("route=\"{}\",method=\"{method}\"", escape(route));
            let mut cum = 0;
            for (i, b) in BUCKETS.iter().enumerate() {
                cum += s.buckets[i].load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "watchlist_http_request_duration_seconds_bucket{{{labels},le=\"{b}\"}} {cum}"
                );
            }
            cum += s.buckets[BUCKETS.len()].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "watchlist_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {cum}"
            );
            let sum = s.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
            let _ = writeln!(
                out,
                "watchlist_http_request_duration_seconds_sum{{{labels}}} {sum}"
            );
            let _ = writeln!(
                out,
                "watchlist_http_request_duration_seconds_count{{{labels}}} {}",
                s.count.load(Ordering::Relaxed)
            );
        }
        let counter = |out: &mut String, name: &str, help: &str, v: &AtomicU64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                v.load(Ordering::Relaxed)
            );
        };
        counter(
            out,
            "watchlist_queries_screened_total",
            "Queries screened (each entry of a batch counts).",
            &self.queries,
        );
        counter(
            out,
            "watchlist_results_returned_total",
            "Screening results returned, whatever their score.",
            &self.results,
        );
        counter(
            out,
            "watchlist_matches_returned_total",
            "Screening results returned at or above the match threshold.",
            &self.matches,
        );
        out.push_str("# HELP watchlist_reloads_total Snapshot reloads by outcome.\n# TYPE watchlist_reloads_total counter\n");
        let _ = writeln!(
            out,
            "watchlist_reloads_total{{result=\"ok\"}} {}",
            self.reloads_ok.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "watchlist_reloads_total{{result=\"failed\"}} {}",
            self.reloads_failed.load(Ordering::Relaxed)
        );
    }
}

/// Escapes a Prometheus label value.
pub fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let m = Metrics::default();
        m.observe("/v1/match", "POST", 200, Duration::from_micros(700));
        m.observe("/v1/match", "POST", 200, Duration::from_millis(30));
        m.observe("/v1/match", "POST", 400, Duration::from_secs(20));
        m.screened(3, 1);
        let mut s = String::new();
        m.render(&mut s);
        assert!(s.contains(
            "watchlist_http_requests_total{route=\"/v1/match\",method=\"POST\",status=\"200\"} 2"
        ));
        assert!(s.contains(
            "watchlist_http_requests_total{route=\"/v1/match\",method=\"POST\",status=\"400\"} 1"
        ));
        assert!(s.contains("le=\"0.0005\"} 0"));
        assert!(s.contains("le=\"0.001\"} 1"));
        assert!(s.contains("le=\"0.05\"} 2"));
        assert!(s.contains("le=\"10\"} 2"));
        assert!(s.contains("le=\"+Inf\"} 3"));
        assert!(s.contains("watchlist_matches_returned_total 1"));
        assert!(s.contains("watchlist_results_returned_total 3"));
    }
}
