//! Load test for the citizen pages: `sessions` citizens log in through the DigiD stand-in (each
//! its own server-side session), then each requests `path` in a loop with `think_ms` between
//! requests, for `seconds`; latencies (request sent to body received, on loopback) are reported
//! as percentiles. See docs/BENCHMARKS.md for how it is run and what it measured.
//!
//! ```text
//! cargo run --release -p server --example loadtest -- \
//!     http://localhost:3200 <bsn> [sessions=50] [seconds=30] [think_ms=1000] [path=/mijn-gegevens]
//! ```

// A load generator: a failed step should stop the run loudly, so unwrap is the point here.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

fn arg<T: std::str::FromStr>(args: &[String], i: usize, default: T) -> T {
    args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default)
}

async fn login(base: &str, bsn: &str) -> Result<reqwest::Client, String> {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .default_headers({
            let mut h = reqwest::header::HeaderMap::new();
            h.insert("origin", base.parse().map_err(|_| "bad base")?);
            h
        })
        .build()
        .map_err(|e| e.to_string())?;
    // /inloggen redirects to the stand-in's authorize URL; its query is the login form's input.
    let authorize = client
        .get(format!("{base}/inloggen"))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let url = authorize.url().clone();
    let mut form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    form.extend(
        [
            ("persoon", "anders"),
            ("bsn", bsn),
            ("niveau", "substantieel"),
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
    if !done.url().path().ends_with("/overzicht") {
        return Err(format!("login ended at {}", done.url()));
    }
    Ok(client)
}

fn report(label: &str, mut latencies: Vec<Duration>, elapsed: Duration) {
    latencies.sort();
    let pick = |q: f64| {
        latencies[((latencies.len() as f64 * q).ceil() as usize)
            .saturating_sub(1)
            .min(latencies.len() - 1)]
    };
    println!(
        "{label}: {} requests in {:.1} s ({:.1}/s); p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        pick(0.50).as_secs_f64() * 1000.0,
        pick(0.90).as_secs_f64() * 1000.0,
        pick(0.99).as_secs_f64() * 1000.0,
        latencies
            .last()
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or_default(),
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: loadtest <base> <bsn> [sessions] [seconds] [think_ms] [path]");
        std::process::exit(2);
    }
    let base = args[1].trim_end_matches('/').to_owned();
    let bsn = args[2].clone();
    let sessions: usize = arg(&args, 3, 50);
    let seconds: u64 = arg(&args, 4, 30);
    let think_ms: u64 = arg(&args, 5, 1000);
    let path: String = arg(&args, 6, "/mijn-gegevens".to_owned());

    let mut clients = Vec::new();
    for _ in 0..sessions {
        match login(&base, &bsn).await {
            Ok(client) => clients.push(client),
            Err(e) => {
                eprintln!("login failed: {e}");
                std::process::exit(1);
            }
        }
    }
    // Check once that the page holds the data, so a fast error page cannot pass for a result.
    let sample = clients[0]
        .get(format!("{base}{path}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    println!(
        "{sessions} sessions logged in; {path} is {} KiB",
        sample.len() / 1024
    );

    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for (i, client) in clients.into_iter().enumerate() {
        let url = format!("{base}{path}");
        tasks.push(tokio::spawn(async move {
            // Spread the sessions over the first think period.
            tokio::time::sleep(Duration::from_millis(
                think_ms * i as u64 / sessions.max(1) as u64,
            ))
            .await;
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                let response = client.get(&url).send().await.expect("request");
                assert!(
                    response.status().is_success(),
                    "status {}",
                    response.status()
                );
                let _ = response.bytes().await.expect("body");
                latencies.push(t.elapsed());
                tokio::time::sleep(Duration::from_millis(think_ms)).await;
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.expect("session task"));
    }
    report(
        &format!("{sessions} sessions, think {think_ms} ms, {path}"),
        all,
        started.elapsed(),
    );
}
