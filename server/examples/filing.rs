//! Load test for filing: `citizens` different citizens log in through the DigiD stand-in, then
//! each files access requests ("all my data": the form, the review step, filing) back to back
//! for `seconds`. Every acknowledgement (the redirect to the new request's page) is kept, and
//! afterwards each citizen opens every request it was told was filed: 0 errors and 0 lost is
//! the pass. See docs/BENCHMARKS.md for how it is run and what it measured.
//!
//! ```text
//! cargo run --release -p server --example filing -- \
//!     http://localhost:3200 [citizens=200] [seconds=300]
//! ```
//!
//! The server must allow the logins: set `INZAGE_LIMITS__LOGIN_PER_MINUTE` above `citizens`
//! (they all come from one address).

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

/// The `n`-th BSN (11-proef) from 700000000 on: citizens no demo seed uses.
fn bsn(n: u32) -> String {
    let mut candidate = 700_000_000 + n * 11;
    loop {
        let digits: Vec<u32> = format!("{candidate:09}")
            .chars()
            .map(|c| c.to_digit(10).unwrap())
            .collect();
        let sum: i64 = digits[..8]
            .iter()
            .enumerate()
            .map(|(i, d)| i64::from(*d) * (9 - i as i64))
            .sum::<i64>()
            - i64::from(digits[8]);
        if sum % 11 == 0 {
            return format!("{candidate:09}");
        }
        candidate += 1;
    }
}

async fn login(base: &str, bsn: &str) -> Result<reqwest::Client, String> {
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
        .get(format!("{base}/inloggen"))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !authorize.status().is_success() {
        return Err(format!("/inloggen answered {}", authorize.status()));
    }
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

/// The hidden `token` field of the review page.
fn token(page: &str) -> Option<String> {
    let at = page.find("name=\"token\"")?;
    let rest = &page[at..];
    let start = rest.find("value=\"")? + 7;
    let end = rest[start..].find('"')?;
    Some(rest[start..start + end].to_owned())
}

/// One filing: the form, the review, the submission. The reference it was acknowledged with.
async fn file(client: &reqwest::Client, base: &str) -> Result<String, String> {
    let review = client
        .post(format!("{base}/verzoeken/nieuw"))
        .form(&[
            ("soort", "access"),
            ("bereik", "alles"),
            ("toelichting", ""),
        ])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !review.status().is_success() {
        return Err(format!("review answered {}", review.status()));
    }
    let page = review.text().await.map_err(|e| e.to_string())?;
    let token = token(&page).ok_or("the review page has no token")?;
    let filed = client
        .post(format!("{base}/verzoeken/nieuw"))
        .form(&[("stap", "indienen"), ("token", token.as_str())])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = filed.status();
    let path = filed.url().path().to_owned();
    let _ = filed.bytes().await;
    match path.strip_prefix("/verzoeken/AVG-") {
        Some(rest) if status.is_success() => Ok(format!("AVG-{rest}")),
        _ => Err(format!("filing ended at {path} with {status}")),
    }
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
        eprintln!("usage: filing <base> [citizens] [seconds]");
        std::process::exit(2);
    }
    let base = args[1].trim_end_matches('/').to_owned();
    let citizens: u32 = arg(&args, 2, 200);
    let seconds: u64 = arg(&args, 3, 300);

    let mut clients = Vec::new();
    for n in 0..citizens {
        match login(&base, &bsn(n)).await {
            Ok(client) => clients.push(client),
            Err(e) => {
                eprintln!("login {n} failed: {e}");
                std::process::exit(1);
            }
        }
    }
    println!("{citizens} citizens logged in; filing for {seconds} s");

    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for client in clients {
        let base = base.clone();
        let errors = errors.clone();
        tasks.push(tokio::spawn(async move {
            let mut filed = Vec::new();
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                match file(&client, &base).await {
                    Ok(reference) => {
                        latencies.push(t.elapsed());
                        filed.push(reference);
                    }
                    Err(e) => {
                        if errors.fetch_add(1, Ordering::Relaxed) < 5 {
                            eprintln!("error: {e}");
                        }
                    }
                }
            }
            (client, filed, latencies)
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    let elapsed = started.elapsed();
    let mut latencies: Vec<Duration> = results.iter().flat_map(|r| r.2.clone()).collect();
    latencies.sort();
    let acknowledged: usize = results.iter().map(|r| r.1.len()).sum();
    let errors = errors.load(Ordering::Relaxed);
    println!(
        "filed: {acknowledged} acknowledged in {:.1} s ({:.1}/s), {errors} errors; per filing \
         (3 requests) p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        elapsed.as_secs_f64(),
        acknowledged as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.9),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0),
    );

    // Every acknowledged request is there: each citizen opens each of its own.
    let missing = Arc::new(AtomicU64::new(0));
    let mut checks = Vec::new();
    for (client, filed, _) in results {
        let base = base.clone();
        let missing = missing.clone();
        checks.push(tokio::spawn(async move {
            for reference in filed {
                let page = client
                    .get(format!("{base}/verzoeken/{reference}"))
                    .send()
                    .await
                    .unwrap();
                let ok = page.status().is_success()
                    && page.text().await.unwrap_or_default().contains(&reference);
                if !ok && missing.fetch_add(1, Ordering::Relaxed) < 5 {
                    eprintln!("missing: {reference}");
                }
            }
        }));
    }
    for check in checks {
        check.await.unwrap();
    }
    let missing = missing.load(Ordering::Relaxed);
    println!("checked: {acknowledged} acknowledged, {missing} not found afterwards");
    if errors > 0 || missing > 0 {
        std::process::exit(1);
    }
}
