//! `source-simulator`: a source system on the command line, with its copy in a state file.
//! Every step prints one line of JSON on stdout; logs and errors go to stderr.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use serde_json::json;
use source_simulator::{Fixture, Holdings, Processed, Simulator, State, SyncReport, write_state};

/// The environment variable a token may come from, so it need not be on a command line (and
/// in the process list and the shell history).
const TOKEN_VARIABLE: &str = "INZAGE_SOURCE_TOKEN";

const USAGE: &str = "\
usage: source-simulator --api URL [--token TOKEN] --state FILE <command>

  --api URL       the API's base URL, e.g. http://127.0.0.1:3000/api/v1
  --token TOKEN   the source's bearer token (or set INZAGE_SOURCE_TOKEN)
  --state FILE    the state file: {\"original\": copy, \"copy\": copy}

commands:
  init FIXTURE.json           read a fixture, write the state file (replacing one) and push it
  push                        send the current copy
  resend-original             send the copy as init first sent it: a stale sync, which Inzage
                              may refuse (exits 0 then all the same)
  process                     apply and acknowledge open events and tasks, save the state
  cycle                       process, then push the current copy
  run --every SECONDS [--rounds N]
                              cycle every SECONDS (fractions allowed), N times or until Ctrl-C

exit status: 0 done; 1 no answer, a 5xx, or a state file problem; 2 bad usage;
             3 a batch refused (4xx) or an event or task that could not be read";

/// What the command line asks.
#[derive(Debug)]
struct Cli {
    api: String,
    token: String,
    state: PathBuf,
    command: Command,
}

/// The commands.
#[derive(Debug)]
enum Command {
    Init {
        fixture: PathBuf,
    },
    Push,
    ResendOriginal,
    Process,
    Cycle,
    Run {
        every: Duration,
        rounds: Option<usize>,
    },
}

/// How a command ended, as an exit status.
enum Outcome {
    Done,
    Refused,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = match parse(std::env::args().skip(1), std::env::var(TOKEN_VARIABLE).ok()) {
        Ok(Some(cli)) => cli,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("source-simulator: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match execute(cli).await {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Refused) => ExitCode::from(3),
        Err(e) => {
            eprintln!("source-simulator: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Reads the arguments; `None` when help was asked for.
fn parse(
    args: impl IntoIterator<Item = String>,
    token_from_env: Option<String>,
) -> Result<Option<Cli>, String> {
    let mut api = None;
    let mut token = None;
    let mut state = None;
    let mut every = None;
    let mut rounds = None;
    let mut words = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        // `--name value` and `--name=value` both.
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => {
                (name.to_owned(), Some(value.to_owned()))
            }
            _ => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match name.as_str() {
            "-h" | "--help" => return Ok(None),
            "--api" => api = Some(value()?),
            "--token" => token = Some(value()?),
            "--state" => state = Some(PathBuf::from(value()?)),
            "--every" => every = Some(value()?),
            "--rounds" => rounds = Some(value()?),
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            _ => words.push(arg),
        }
    }
    let api = api.ok_or("--api is missing")?;
    let token = token
        .or(token_from_env)
        .filter(|t| !t.trim().is_empty())
        .ok_or(format!(
            "--token is missing and {TOKEN_VARIABLE} is not set"
        ))?;
    let state = state.ok_or("--state is missing")?;
    let mut words = words.into_iter();
    let word = words.next();
    if word.as_deref() != Some("run") && (every.is_some() || rounds.is_some()) {
        return Err("--every and --rounds are for run only".to_owned());
    }
    let command = match word.as_deref() {
        Some("init") => Command::Init {
            fixture: words
                .next()
                .map(PathBuf::from)
                .ok_or("init needs a fixture file")?,
        },
        Some("push") => Command::Push,
        Some("resend-original") => Command::ResendOriginal,
        Some("process") => Command::Process,
        Some("cycle") => Command::Cycle,
        Some("run") => {
            let every = every.ok_or("run needs --every SECONDS")?;
            let every = every
                .parse::<f64>()
                .ok()
                .and_then(|s| Duration::try_from_secs_f64(s).ok())
                .filter(|d| !d.is_zero())
                .ok_or(format!(
                    "--every {every}: expected a number of seconds above zero"
                ))?;
            let rounds = rounds
                .map(|n| {
                    n.parse::<usize>()
                        .map_err(|_| format!("--rounds {n}: expected a whole number"))
                })
                .transpose()?;
            Command::Run { every, rounds }
        }
        Some(other) => return Err(format!("unknown command {other}")),
        None => return Err("no command given".to_owned()),
    };
    if let Some(extra) = words.next() {
        return Err(format!("unexpected argument {extra}"));
    }
    Ok(Some(Cli {
        api,
        token,
        state,
        command,
    }))
}

/// Carries out the command.
async fn execute(cli: Cli) -> anyhow::Result<Outcome> {
    let Cli {
        api,
        token,
        state: path,
        command,
    } = cli;
    if let Command::Init { fixture } = &command {
        let text = std::fs::read_to_string(fixture)
            .with_context(|| format!("reading fixture {}", fixture.display()))?;
        let fixture_data = Fixture::parse(&text)
            .with_context(|| format!("reading fixture {}", fixture.display()))?;
        if !fixture_data.ignored.is_empty() {
            eprintln!(
                "source-simulator: not sent from {}: {}",
                fixture.display(),
                fixture_data.ignored.join(", ")
            );
        }
        let state = State {
            original: fixture_data.copy.clone(),
            copy: fixture_data.copy,
        };
        state.save(&path)?;
        print_line(json!({
            "step": "init",
            "fixture": fixture.display().to_string(),
            "records": state.copy.records.len(),
            "consents": state.copy.consents.len(),
            "disclosures": state.copy.disclosures.len(),
            "log_lines": state.copy.log_lines.len(),
            "ignored": fixture_data.ignored,
        }));
        let simulator = Simulator::new(api, token, state.copy)?;
        return Ok(pushed("push", &simulator.push_own().await?));
    }

    let State { original, copy } = State::load(&path)?;
    let mut simulator = Simulator::new(api, token, copy)?;
    let save = |copy: &Holdings| write_state(&path, &original, copy);
    Ok(match command {
        Command::Init { .. } | Command::Push => pushed("push", &simulator.push_own().await?),
        Command::ResendOriginal => {
            pushed("resend-original", &simulator.push(&original).await?);
            // A stale sync refused is what a test of it expects to see, not a failure.
            Outcome::Done
        }
        Command::Process => processed(&simulator.process_then(save).await?),
        Command::Cycle => {
            let processing = processed(&simulator.process_then(save).await?);
            let pushing = pushed("push", &simulator.push_own().await?);
            worse(processing, pushing)
        }
        Command::Run { every, rounds } => {
            let run = simulator.run_then(every, rounds, save, |round, outcome| {
                if let Ok(cycle) = outcome {
                    print_line(
                        json!({"step": "round", "round": round, "clean": cycle.is_clean(),
                        "processed": cycle.processed, "pushed": cycle.pushed}),
                    );
                }
            });
            tokio::select! {
                summary = run => {
                    let summary = summary?;
                    print_line(json!({"step": "run", "summary": summary}));
                    if summary.failed > 0 {
                        anyhow::bail!("{} of {} rounds failed", summary.failed, summary.rounds);
                    }
                    if summary.unclean > 0 { Outcome::Refused } else { Outcome::Done }
                }
                // The state is saved before anything is acknowledged, so stopping mid-round
                // loses nothing: the next start repeats what was not acknowledged.
                _ = tokio::signal::ctrl_c() => {
                    eprintln!("source-simulator: stopped");
                    Outcome::Done
                }
            }
        }
    })
}

/// Prints a push's line; refused when a batch was.
fn pushed(step: &str, report: &SyncReport) -> Outcome {
    print_line(json!({"step": step, "accepted": report.is_accepted(), "batches": report}));
    if report.is_accepted() {
        Outcome::Done
    } else {
        Outcome::Refused
    }
}

/// Prints processing's line; refused when an event or task could not be read.
fn processed(processed: &Processed) -> Outcome {
    print_line(json!({"step": "process", "clean": processed.is_clean(), "processed": processed}));
    if processed.is_clean() {
        Outcome::Done
    } else {
        Outcome::Refused
    }
}

/// The worse of two outcomes.
fn worse(a: Outcome, b: Outcome) -> Outcome {
    match (a, b) {
        (Outcome::Done, Outcome::Done) => Outcome::Done,
        _ => Outcome::Refused,
    }
}

/// One line of JSON on stdout.
fn print_line(value: serde_json::Value) {
    println!("{value}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn reads_global_options_and_a_command() {
        let cli = parse(
            args("--api http://x/api/v1 --token t --state s.json push"),
            None,
        )
        .unwrap()
        .unwrap();
        assert_eq!(cli.api, "http://x/api/v1");
        assert_eq!(cli.token, "t");
        assert_eq!(cli.state, PathBuf::from("s.json"));
        assert!(matches!(cli.command, Command::Push));
    }

    #[test]
    fn takes_the_token_from_the_environment() {
        let cli = parse(
            args("--api=http://x --state=s.json init f.json"),
            Some("env".to_owned()),
        )
        .unwrap()
        .unwrap();
        assert_eq!(cli.token, "env");
        assert!(matches!(cli.command, Command::Init { fixture } if fixture == Path::new("f.json")));
    }

    #[test]
    fn reads_run_with_fractional_seconds_and_rounds() {
        let cli = parse(
            args("--api x --token t --state s run --every 0.25 --rounds 3"),
            None,
        )
        .unwrap()
        .unwrap();
        assert!(matches!(
            cli.command,
            Command::Run { every, rounds: Some(3) } if every == Duration::from_millis(250)
        ));
    }

    #[test]
    fn refuses_what_it_cannot_do() {
        for line in [
            "--api x --state s push",
            "--api x --token t push",
            "--api x --token t --state s",
            "--api x --token t --state s fly",
            "--api x --token t --state s init",
            "--api x --token t --state s run",
            "--api x --token t --state s run --every 0",
            "--api x --token t --state s run --every 1 --rounds -1",
            "--api x --token t --state s push --every 1",
            "--api x --token t --state s push extra",
            "--api x --token t --state s --verbose push",
            "--api x --token t --state",
        ] {
            assert!(parse(args(line), None).is_err(), "{line}");
        }
        assert!(parse(args("--help"), None).unwrap().is_none());
    }
}
