//! Load test for the back-office queue: `staff` logins of demo handlers (Eva de Boer and Ahmed
//! Yilmaz, alternately) each open queue pages back to back for `seconds`: the default view and
//! filtered views (open, overdue, due within 5 days, mine, by kind), on pages spread over the
//! whole queue. Every answer must be 200 with the queue's table; it prints pages/s and the
//! latency percentiles, and with the server's process id also its resident memory (peak and at
//! the end). See docs/BENCHMARKS.md.
//!
//! ```text
//! cargo run --release -p server --example queue -- \
//!     http://localhost:3200 [staff=10] [seconds=60] [server-pid] [path] [subject]
//! ```
//!
//! With `path` (and the `subject` to log in as, e.g. `/backoffice/toezicht mw-0004` for the
//! privacy officer) every staff member loads that one page instead, each answer 200 with a `<h1`.

// A load generator: a failed step should stop the run loudly, so unwrap is the point here.
#![allow(clippy::unwrap_used)]

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

fn arg<T: std::str::FromStr>(args: &[String], i: usize, default: T) -> T {
    args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default)
}

async fn login(base: &str, subject: &str) -> Result<reqwest::Client, String> {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .pool_max_idle_per_host(1)
        .default_headers({
            let mut h = reqwest::header::HeaderMap::new();
            h.insert("origin", base.parse().map_err(|_| "bad base")?);
            h
        })
        .build()
        .map_err(|e| e.to_string())?;
    let authorize = client
        .get(format!("{base}/backoffice/inloggen"))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !authorize.status().is_success() {
        return Err(format!(
            "/backoffice/inloggen answered {}",
            authorize.status()
        ));
    }
    let url = authorize.url().clone();
    let mut form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    form.extend(
        [
            ("medewerker", subject),
            ("fout", "none"),
            ("actie", "inloggen"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    let done = client
        .post(format!("{base}/dev/digid/authorize"))
        .form(&form)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !done.url().path().ends_with("/backoffice") {
        return Err(format!("login ended at {}", done.url()));
    }
    Ok(client)
}

/// "Pagina 1 van N" on the first page: how many pages the unfiltered queue has (1 without links).
fn pages(page: &str) -> u64 {
    page.split("Pagina 1 van ")
        .nth(1)
        .and_then(|rest| {
            rest.split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(1)
}

/// Resident memory of `pid` in MB: (now, peak).
fn memory(pid: u32) -> Option<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb = |key: &str| -> Option<f64> {
        status
            .lines()
            .find(|l| l.starts_with(key))?
            .split_whitespace()
            .nth(1)?
            .parse::<f64>()
            .ok()
    };
    Some((kb("VmRSS:")? / 1024.0, kb("VmHWM:")? / 1024.0))
}

fn percentile(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * q).ceil() as usize)
        .saturating_sub(1)
        .min(sorted.len() - 1);
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 2 {
        eprintln!("usage: queue <base> [staff] [seconds] [server-pid] [path] [subject]");
        std::process::exit(2);
    }
    let base = args[1].trim_end_matches('/').to_owned();
    let staff: u32 = arg(&args, 2, 10);
    let seconds: u64 = arg(&args, 3, 60);
    let pid: Option<u32> = args.get(4).and_then(|p| p.parse().ok());
    let only: Option<String> = args.get(5).cloned();
    let as_subject: Option<String> = args.get(6).cloned();

    let mut clients = Vec::new();
    for n in 0..staff {
        let subject = match &as_subject {
            Some(subject) => subject.as_str(),
            None if n % 2 == 0 => "mw-0001",
            None => "mw-0002",
        };
        match login(&base, subject).await {
            Ok(client) => clients.push(client),
            Err(e) => {
                eprintln!("login {n} failed: {e}");
                std::process::exit(1);
            }
        }
    }
    let first = clients[0]
        .get(format!("{base}/backoffice/verzoeken"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let total_pages = pages(&first);
    println!("{staff} staff logged in; the queue has {total_pages} pages; loading for {seconds} s");
    if let Some((rss, _)) = pid.and_then(memory) {
        println!("server memory before: {rss:.1} MB");
    }

    // The views a handler opens: mostly the default queue, paged through, and the filters.
    let views: Vec<String> = vec![
        String::new(),
        "status=open".to_owned(),
        "te_laat=1".to_owned(),
        "binnen=5".to_owned(),
        "van_mij=1".to_owned(),
        "soort=access".to_owned(),
        "soort=erasure&status=open".to_owned(),
    ];
    let errors = Arc::new(AtomicU64::new(0));
    let peak = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    if let Some(pid) = pid {
        let peak = peak.clone();
        tokio::spawn(async move {
            while Instant::now() < deadline {
                if let Some((rss, _)) = memory(pid) {
                    peak.fetch_max((rss * 10.0) as u64, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
    }
    let mut tasks = Vec::new();
    for (n, client) in clients.into_iter().enumerate() {
        let base = base.clone();
        let errors = errors.clone();
        let views = views.clone();
        let only = only.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut i: u64 = n as u64 * 7919;
            while Instant::now() < deadline {
                i = i
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let view = &views[(i >> 33) as usize % views.len()];
                // The default view goes anywhere in the queue; a filter mostly to its first pages.
                let page = if view.is_empty() {
                    1 + (i >> 20) % total_pages
                } else {
                    1 + (i >> 20) % 3
                };
                let sep = if view.is_empty() { "" } else { "&" };
                let (url, marker) = match &only {
                    Some(path) => (format!("{base}{path}"), "<h1"),
                    None => (
                        format!("{base}/backoffice/verzoeken?{view}{sep}pagina={page}"),
                        "data-testid=\"queue-shown\"",
                    ),
                };
                let t = Instant::now();
                let ok = match client.get(&url).send().await {
                    Ok(r) if r.status().is_success() => {
                        r.text().await.is_ok_and(|body| body.contains(marker))
                    }
                    _ => false,
                };
                if ok {
                    latencies.push(t.elapsed());
                } else if errors.fetch_add(1, Ordering::Relaxed) < 5 {
                    eprintln!("error: {url}");
                }
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let errors = errors.load(Ordering::Relaxed);
    println!(
        "{}: {} pages in {:.1} s ({:.0} pages/s), {errors} errors; p50 {:.1} ms, p90 {:.1} ms, \
         p99 {:.1} ms, max {:.1} ms",
        only.as_deref().unwrap_or("queue"),
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.9),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0),
    );
    if let Some((rss, hwm)) = pid.and_then(memory) {
        println!(
            "server memory: {rss:.1} MB at the end, {:.1} MB the highest sampled under load, \
             {hwm:.1} MB the process's peak",
            peak.load(Ordering::Relaxed) as f64 / 10.0
        );
    }
    if errors > 0 {
        std::process::exit(1);
    }
}
