//! Load test for bulk ingest: `batches` batches of 2,000 new records each (four records for
//! each of 500 citizens Inzage has not seen before) are posted to `POST /api/v1/records`,
//! `concurrency` at a time. It reports records/s and the latency per batch; afterwards it sends
//! the first batch again and expects "nothing changed" (all 2,000 unchanged), and checks that
//! every batch answered with 2,000 created: 0 errors and 0 lost is the pass.
//!
//! ```text
//! export INZAGE_SOURCE_TOKEN=$(target/release/inzage token create --source Bulk --label load | tail -n1)
//! cargo run --release -p server --example ingest -- \
//!     http://localhost:3200 [batches=50] [concurrency=4]
//! ```
//!
//! The records are filed under the processing activity `INZAGE_ACTIVITY` (default
//! `wmo-onderzoek`, from the demo register), which must be in the register. The server must
//! allow the calls: one token may make `limits.api_per_minute` calls (1,200 by default, so at
//! most 40,000 records/s); set `INZAGE_LIMITS__API_PER_MINUTE` higher for a faster run.
//! Each run uses its own record ids and a fresh range of BSNs, so it can run again.

// A load generator: a failed step should stop the run loudly, so unwrap is the point here.
#![allow(clippy::unwrap_used)]

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use serde_json::{Value, json};

/// Items per batch: the API's maximum.
const BATCH: usize = 2000;
/// Records per citizen in a batch.
const PER_CITIZEN: usize = 4;

fn arg<T: std::str::FromStr>(args: &[String], i: usize, default: T) -> T {
    args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default)
}

/// Whether nine digits pass the 11-proef (9·d1 + 8·d2 + … + 2·d8 − d9 a non-zero multiple of 11).
fn elfproef(n: u32) -> bool {
    let digits = format!("{n:09}");
    let sum: i64 = digits
        .bytes()
        .map(|b| i64::from(b - b'0'))
        .zip([9, 8, 7, 6, 5, 4, 3, 2, -1])
        .map(|(d, w)| d * w)
        .sum();
    sum != 0 && sum % 11 == 0
}

/// `count` different valid BSNs from `from` on.
fn bsns(from: u32, count: usize) -> Vec<String> {
    (from..)
        .filter(|n| elfproef(*n))
        .take(count)
        .map(|n| format!("{n:09}"))
        .collect()
}

/// The body of batch `b`: records `run-b-i` of the batch's 500 citizens.
fn body(run: u64, b: usize, people: &[String], activity: &str) -> Vec<u8> {
    let citizens = BATCH / PER_CITIZEN;
    let items: Vec<Value> = (0..BATCH)
        .map(|i| {
            json!({
                "source_record_id": format!("load-{run}-{b}-{i}"),
                "bsn": people[b * citizens + i % citizens],
                "activity_code": activity,
                "category": "Belastingtest",
                "label": format!("Gegeven {}", i / citizens + 1),
                "value": format!("Waarde {i} van batch {b}"),
                "recorded_at": "2026-11-03T10:00:00Z",
                "recorded_by": "Wmo-consulent, Gemeente Voorbeeldstad",
                "special_category": i % 3 == 0
            })
        })
        .collect();
    serde_json::to_vec(&json!({ "items": items })).unwrap()
}

/// What posting one batch got: the status and the parsed answer (`Null` when not JSON).
async fn post(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    body: Vec<u8>,
) -> Result<(u16, Value), String> {
    let response = client
        .post(url)
        .bearer_auth(token)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let text = response.text().await.map_err(|e| e.to_string())?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

/// A short description of a refused batch: status, title and the first field errors.
fn describe(status: u16, answer: &Value) -> String {
    let errors: Vec<String> = answer["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .take(3)
                .map(|e| format!("{} {}", e["pointer"], e["detail"]))
                .collect()
        })
        .unwrap_or_default();
    let mut text = format!("{status} {} {}", answer["title"], answer["detail"]);
    if !errors.is_empty() {
        text.push_str(&format!(" [{}]", errors.join("; ")));
    }
    if status == 429 {
        text.push_str(" (raise INZAGE_LIMITS__API_PER_MINUTE)");
    }
    text
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
        eprintln!("usage: ingest <base> [batches] [concurrency]   (token in INZAGE_SOURCE_TOKEN)");
        std::process::exit(2);
    }
    let Ok(token) = std::env::var("INZAGE_SOURCE_TOKEN") else {
        eprintln!("INZAGE_SOURCE_TOKEN is not set: `inzage token create --source NAME --label L`");
        std::process::exit(2);
    };
    let base = args[1].trim_end_matches('/').to_owned();
    let batches: usize = arg(&args, 2, 50).max(1);
    let concurrency: usize = arg(&args, 3, 4).max(1);
    let activity = std::env::var("INZAGE_ACTIVITY").unwrap_or_else(|_| "wmo-onderzoek".to_owned());
    let url = format!("{base}/api/v1/records");

    // A run of its own: new record ids, and BSNs from a range earlier runs are unlikely to
    // have used (each run takes about 5,500 numbers per batch).
    let run = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let from = 100_000_000 + u32::try_from(run % 1000).unwrap() * 800_000;
    let people = bsns(from, batches * BATCH / PER_CITIZEN);
    let bodies: Vec<Vec<u8>> = (0..batches)
        .map(|b| body(run, b, &people, &activity))
        .collect();
    let first = bodies[0].clone();
    println!(
        "{batches} batches of {BATCH} records ({} citizens each), {concurrency} at a time, \
         {:.1} MB in all",
        BATCH / PER_CITIZEN,
        bodies.iter().map(Vec::len).sum::<usize>() as f64 / 1e6
    );

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    let bodies = Arc::new(std::sync::Mutex::new(
        bodies.into_iter().map(Some).collect::<Vec<_>>(),
    ));
    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, url, token) = (client.clone(), url.clone(), token.clone());
        let (bodies, next, errors) = (bodies.clone(), next.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut created = 0u64;
            loop {
                let b = next.fetch_add(1, Ordering::Relaxed);
                let Some(body) = bodies.lock().unwrap().get_mut(b).and_then(Option::take) else {
                    break;
                };
                let t = Instant::now();
                match post(&client, &url, &token, body).await {
                    Ok((200, answer)) => {
                        latencies.push(t.elapsed());
                        created += answer["created"].as_u64().unwrap_or(0);
                    }
                    Ok((status, answer)) => {
                        if errors.fetch_add(1, Ordering::Relaxed) < 5 {
                            eprintln!("batch {b}: {}", describe(status, &answer));
                        }
                    }
                    Err(e) => {
                        if errors.fetch_add(1, Ordering::Relaxed) < 5 {
                            eprintln!("batch {b}: {e}");
                        }
                    }
                }
            }
            (latencies, created)
        }));
    }
    let mut latencies = Vec::new();
    let mut created = 0;
    for task in tasks {
        let (l, c) = task.await.unwrap();
        latencies.extend(l);
        created += c;
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let errors = errors.load(Ordering::Relaxed);
    println!(
        "ingested: {created} records created in {:.1} s ({:.0} records/s), {} batches \
         accepted, {errors} errors; per batch p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        elapsed.as_secs_f64(),
        created as f64 / elapsed.as_secs_f64(),
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0),
    );

    // Every accepted batch created all of its records, and they are there: the first batch
    // again is answered "all unchanged".
    let expected = (latencies.len() * BATCH) as u64;
    let (status, answer) = post(&client, &url, &token, first).await.unwrap();
    let again = (
        answer["created"].as_u64(),
        answer["updated"].as_u64(),
        answer["unchanged"].as_u64(),
    );
    let landed = status == 200 && again == (Some(0), Some(0), Some(BATCH as u64));
    if landed {
        println!("checked: the first batch again changed nothing ({BATCH} unchanged)");
    } else {
        eprintln!(
            "checked: the first batch again answered {status} {again:?}: {}",
            describe(status, &answer)
        );
    }
    if created != expected {
        eprintln!("lost: {expected} records in accepted batches, {created} reported created");
    }
    if errors > 0 || !landed || created != expected {
        std::process::exit(1);
    }
}
