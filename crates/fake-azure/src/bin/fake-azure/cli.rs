//! Command-line arguments of `fake-azure` (serve, generate and schema). `lexopt` splits the command line
//! (`--flag value`, `--flag=value`, `-h`); the messages are ours, so every error names the flag
//! and what a valid value looks like.

use std::ffi::OsString;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use fake_azure::generate::GenerateOptions;
use fake_azure::{Faults, Options};
use lexopt::{Arg, Parser};

pub const USAGE: &str = "\
usage:
  fake-azure --scenario PATH --app-origin ORIGIN [--listen 127.0.0.1:PORT] [options]
  fake-azure generate --subscriptions N --machines M [--seed S] > scenario.json
  fake-azure schema > scenario.schema.json   (the scenario format's JSON Schema)

serve options:
  --listen ADDR          loopback address to bind (default 127.0.0.1:0 = any free port)
  --app-origin ORIGIN    the app's origin, e.g. http://127.0.0.1:8080: the only origin CORS
                         allows and the only place sign-in redirects may go
  --auto-approve         /authorize redirects back at once (no sign-in page)
  --page-size N          items per ARM list page (default 100)
  --latency-ms N         latency added to every answer
  --jitter-ms N          extra random latency, 0..=N ms
  --fail-429-rate F      answer this fraction of ARM requests 429
  --fail-429-after N     throttle a subscription for --retry-after s after every N requests
  --retry-after S        Retry-After of injected 429/503 (default 1)
  --fail-5xx-rate F      answer this fraction of ARM requests 500 or 503
  --drop-rate F          close the connection without an answer for this fraction
  --lost-answer-rate F   carry out this fraction of ARM requests, then close the connection
                         without the answer (a write is applied, the client never learns it)
  --lose-run-answers N   run the first N Run Commands, then close the connection without
                         their answer
  --fail-run-answers N   run the next N Run Commands, then answer them 504 GatewayTimeout
  --conflict-rate F      answer this fraction of ARM writes 409 Conflict (another update
                         operation in progress)
  --hang-first N         hold the first N ARM requests to each subscription (and N to the
                         tenant level) for --hang-ms before answering; later ones as usual
  --hang-ms N            how long a held request waits for its answer
  --rate-limits          enforce ARM's own read/write buckets and ARG's quota (429 when empty)
  --token-lifetime S     access token lifetime in seconds (default 3600)
  --revoke-access-after-ms N
                         refuse access tokens N ms after issue (401), whatever expires_in said
  --lro-ms N             how long an extension delete runs (default 3000)
  --seed N               seed of every random choice (default 0): replay a run with it
  --witness              TESTS ONLY: serve /_witness/ routes that switch the faults off
                         (POST calm) and back (POST storm), hand out an ARM token (GET
                         token), count the faults injected (GET injected), change a
                         subscription's state (PUT subscriptions/ID/state) and move the
                         fake's clock on (POST clock/advance?ms=N), with no sign-in
  --quiet                no request log on stderr";

/// What the command line asks for.
#[derive(Debug, PartialEq)]
pub enum Command {
    Serve(Box<Serve>),
    Generate(GenerateOptions),
    /// Print the scenario format's JSON Schema.
    Schema,
    Help,
}

#[derive(Debug, PartialEq)]
pub struct Serve {
    pub scenario: PathBuf,
    pub listen: SocketAddr,
    pub app_origin: String,
    pub options: Options,
    pub quiet: bool,
    /// Serve the test-only `/_witness/` routes (never without the flag).
    pub witness: bool,
}

/// The arguments after the program's name.
pub fn parse<I>(args: I) -> Result<Command, String>
where
    I: IntoIterator,
    I::Item: Into<OsString>,
{
    let mut args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    match args.first().and_then(|first| first.to_str()) {
        Some("generate") => {
            args.remove(0);
            generate(Parser::from_args(args))
        }
        Some("schema") => match args.get(1).and_then(|a| a.to_str()) {
            None => Ok(Command::Schema),
            Some("--help" | "-h") => Ok(Command::Help),
            Some(other) => Err(format!("schema: unknown argument '{other}'")),
        },
        Some("help") => Ok(Command::Help),
        _ => serve(Parser::from_args(args)),
    }
}

/// The next flag, spelled as typed (`--seed`, `-h`); `None` at the end of the line. `context`
/// prefixes the message about a stray word.
fn next_flag(parser: &mut Parser, context: &str) -> Result<Option<String>, String> {
    match parser.next() {
        Ok(None) => Ok(None),
        Ok(Some(Arg::Long(name))) => Ok(Some(format!("--{name}"))),
        Ok(Some(Arg::Short(letter))) => Ok(Some(format!("-{letter}"))),
        Ok(Some(Arg::Value(word))) => Err(format!("{context}unknown argument '{}'", word.to_string_lossy())),
        Err(lexopt::Error::UnexpectedValue { option, value }) => {
            Err(format!("{option} takes no value (got '{}')", value.to_string_lossy()))
        }
        Err(e) => Err(e.to_string()),
    }
}

/// The value after a flag (or after its `=`).
fn value(flag: &str, parser: &mut Parser) -> Result<OsString, String> {
    parser.value().map_err(|_| format!("{flag} needs a value"))
}

fn text(flag: &str, parser: &mut Parser) -> Result<String, String> {
    value(flag, parser)?.into_string().map_err(|raw| format!("{flag}: '{}' is not UTF-8", raw.to_string_lossy()))
}

fn number<T: std::str::FromStr>(flag: &str, parser: &mut Parser) -> Result<T, String> {
    let text = text(flag, parser)?;
    text.parse().map_err(|_| format!("{flag}: '{text}' is not a valid number"))
}

fn rate(flag: &str, parser: &mut Parser) -> Result<f64, String> {
    let rate: f64 = number(flag, parser)?;
    if !(0.0..=1.0).contains(&rate) {
        return Err(format!("{flag}: {rate} is not a fraction between 0 and 1"));
    }
    Ok(rate)
}

fn serve(mut parser: Parser) -> Result<Command, String> {
    let (mut scenario, mut app_origin, mut quiet, mut witness) = (None, None, false, false);
    let mut listen = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);
    let mut options = Options::default();
    let mut faults = Faults::default();
    let mut rate_429_given = false;
    while let Some(flag) = next_flag(&mut parser, "")? {
        let p = &mut parser;
        match flag.as_str() {
            "--scenario" => scenario = Some(PathBuf::from(value(&flag, p)?)),
            "--listen" => listen = listen_address(&text(&flag, p)?)?,
            "--app-origin" => app_origin = Some(origin(&text(&flag, p)?)?),
            "--auto-approve" => options.auto_approve = true,
            "--page-size" => options.page_size = number::<usize>(&flag, p)?.max(1),
            "--latency-ms" => faults.latency_ms = number(&flag, p)?,
            "--jitter-ms" => faults.jitter_ms = number(&flag, p)?,
            "--fail-429-rate" => (faults.rate_429, rate_429_given) = (rate(&flag, p)?, true),
            "--fail-429-after" => faults.after_429 = Some(number(&flag, p)?),
            "--retry-after" => faults.retry_after_s = number(&flag, p)?,
            "--fail-5xx-rate" => faults.rate_5xx = rate(&flag, p)?,
            "--drop-rate" => faults.drop_rate = rate(&flag, p)?,
            "--lost-answer-rate" => faults.lost_answer_rate = rate(&flag, p)?,
            "--lose-run-answers" => faults.lose_run_answers = number(&flag, p)?,
            "--fail-run-answers" => faults.fail_run_answers = number(&flag, p)?,
            "--conflict-rate" => faults.conflict_rate = rate(&flag, p)?,
            "--hang-first" => faults.hang_first = number(&flag, p)?,
            "--hang-ms" => faults.hang_ms = number(&flag, p)?,
            "--rate-limits" => faults.rate_limits = true,
            "--token-lifetime" => options.token_lifetime_s = number(&flag, p)?,
            "--revoke-access-after-ms" => options.revoke_access_after_ms = Some(number(&flag, p)?),
            "--lro-ms" => options.lro_ms = number(&flag, p)?,
            "--seed" => options.seed = number(&flag, p)?,
            "--quiet" => quiet = true,
            "--witness" => witness = true,
            "--help" | "-h" => return Ok(Command::Help),
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    if rate_429_given && faults.after_429.is_some() {
        return Err("--fail-429-rate and --fail-429-after are alternatives: give one".into());
    }
    if (faults.hang_first == 0) != (faults.hang_ms == 0) {
        return Err("--hang-first N and --hang-ms MS go together: give both, above 0".into());
    }
    let scenario = scenario.ok_or("--scenario PATH is required")?;
    let app_origin =
        app_origin.ok_or("--app-origin ORIGIN is required (the app's origin, e.g. http://127.0.0.1:8080)")?;
    options.faults = faults;
    options.app_origin = Some(app_origin.clone());
    Ok(Command::Serve(Box::new(Serve { scenario, listen, app_origin, options, quiet, witness })))
}

/// Loopback only: the fake gives tokens and data to anyone who connects.
fn listen_address(text: &str) -> Result<SocketAddr, String> {
    let text = text.strip_prefix("localhost:").map_or_else(|| text.to_string(), |port| format!("127.0.0.1:{port}"));
    let address: SocketAddr =
        text.parse().map_err(|_| format!("--listen: '{text}' is not an address like 127.0.0.1:8443"))?;
    if !address.ip().is_loopback() {
        return Err(format!(
            "refusing to listen on {address}: the fake Azure hands out tokens and tenant data to anyone who connects, so it binds loopback addresses only (127.0.0.1 or [::1])"
        ));
    }
    Ok(address)
}

/// `scheme://host[:port]`, without a trailing slash, as browsers send `Origin`.
fn origin(text: &str) -> Result<String, String> {
    let trimmed = text.trim_end_matches('/');
    let url = url::Url::parse(trimmed).map_err(|e| format!("--app-origin: '{text}' is not a URL ({e})"))?;
    let origin = url.origin().ascii_serialization();
    if origin == "null" || origin != trimmed {
        return Err(format!(
            "--app-origin: '{text}' is not an origin like http://127.0.0.1:8080 (scheme, host and port only)"
        ));
    }
    Ok(origin)
}

fn generate(mut parser: Parser) -> Result<Command, String> {
    let mut options = GenerateOptions::default();
    while let Some(flag) = next_flag(&mut parser, "generate: ")? {
        let p = &mut parser;
        match flag.as_str() {
            "--subscriptions" => options.subscriptions = number(&flag, p)?,
            "--machines" => options.machines = number(&flag, p)?,
            "--seed" => options.seed = number(&flag, p)?,
            "--now-ms" => options.now_ms = number(&flag, p)?,
            "--help" | "-h" => return Ok(Command::Help),
            other => return Err(format!("generate: unknown argument '{other}'")),
        }
    }
    Ok(Command::Generate(options))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn parse_line(line: &str) -> Result<Command, String> {
        parse(line.split_whitespace())
    }

    const BASE: &str = "--scenario s.json --app-origin http://127.0.0.1:8080";

    /// What `BASE` plus nothing else gives, every value written out as the README's table says.
    fn base() -> Serve {
        Serve {
            scenario: PathBuf::from("s.json"),
            listen: "127.0.0.1:0".parse().unwrap(),
            app_origin: "http://127.0.0.1:8080".into(),
            options: Options {
                page_size: 100,
                require_auth: true,
                faults: Faults {
                    latency_ms: 0,
                    jitter_ms: 0,
                    rate_429: 0.0,
                    after_429: None,
                    retry_after_s: 1,
                    rate_5xx: 0.0,
                    drop_rate: 0.0,
                    lost_answer_rate: 0.0,
                    lose_run_answers: 0,
                    fail_run_answers: 0,
                    conflict_rate: 0.0,
                    hang_first: 0,
                    hang_ms: 0,
                    rate_limits: false,
                },
                seed: 0,
                token_lifetime_s: 3600,
                app_origin: Some("http://127.0.0.1:8080".into()),
                auto_approve: false,
                lro_ms: 3000,
                revoke_access_after_ms: None,
            },
            quiet: false,
            witness: false,
        }
    }

    fn serve_with(change: impl FnOnce(&mut Serve)) -> Result<Command, String> {
        let mut serve = base();
        change(&mut serve);
        Ok(Command::Serve(Box::new(serve)))
    }

    #[test]
    fn serve_lines_and_the_options_they_give() {
        let table: Vec<(String, Result<Command, String>)> = vec![
            (BASE.into(), serve_with(|_| {})),
            // The e2e tests' line.
            (
                format!("{BASE} --auto-approve --token-lifetime 2 --lro-ms 1500 --revoke-access-after-ms 4000 --hang-first 5 --hang-ms 30000 --latency-ms 150 --listen 127.0.0.1:0"),
                serve_with(|s| {
                    s.options.auto_approve = true;
                    s.options.token_lifetime_s = 2;
                    s.options.lro_ms = 1500;
                    s.options.revoke_access_after_ms = Some(4000);
                    (s.options.faults.hang_first, s.options.faults.hang_ms) = (5, 30_000);
                    s.options.faults.latency_ms = 150;
                }),
            ),
            (
                format!("{BASE} --page-size 2 --jitter-ms 40 --fail-429-after 3 --retry-after 2 --fail-5xx-rate 0.25 --drop-rate 0.5 --lost-answer-rate 0.1 --lose-run-answers 1 --fail-run-answers 2 --conflict-rate 0.2 --rate-limits --seed 9 --quiet"),
                serve_with(|s| {
                    s.options.page_size = 2;
                    s.options.faults.jitter_ms = 40;
                    s.options.faults.after_429 = Some(3);
                    s.options.faults.retry_after_s = 2;
                    s.options.faults.rate_5xx = 0.25;
                    s.options.faults.drop_rate = 0.5;
                    s.options.faults.lost_answer_rate = 0.1;
                    (s.options.faults.lose_run_answers, s.options.faults.fail_run_answers) = (1, 2);
                    s.options.faults.conflict_rate = 0.2;
                    s.options.faults.rate_limits = true;
                    s.options.seed = 9;
                    s.quiet = true;
                }),
            ),
            (format!("{BASE} --fail-429-rate 1"), serve_with(|s| s.options.faults.rate_429 = 1.0)),
            (format!("{BASE} --witness"), serve_with(|s| s.witness = true)),
            // `--flag=value`, a trailing slash on the origin, `localhost:` and IPv6 loopback.
            (format!("{BASE} --seed=7"), serve_with(|s| s.options.seed = 7)),
            (
                "--scenario s.json --app-origin http://127.0.0.1:8080/ --listen localhost:8443".into(),
                serve_with(|s| s.listen = "127.0.0.1:8443".parse().unwrap()),
            ),
            (format!("{BASE} --listen [::1]:0"), serve_with(|s| s.listen = "[::1]:0".parse().unwrap())),
            // A page holds one item at least.
            (format!("{BASE} --page-size 0"), serve_with(|s| s.options.page_size = 1)),
            ("--help".into(), Ok(Command::Help)),
            ("-h".into(), Ok(Command::Help)),
            ("help".into(), Ok(Command::Help)),
            (format!("{BASE} --help"), Ok(Command::Help)),
        ];
        for (line, expected) in table {
            assert_eq!(parse_line(&line), expected, "{line}");
        }
    }

    #[test]
    fn refused_lines_say_why() {
        let table = [
            ("", "--scenario PATH is required"),
            ("--scenario s.json", "--app-origin ORIGIN is required (the app's origin, e.g. http://127.0.0.1:8080)"),
            ("--seed", "--seed needs a value"),
            ("--scenario", "--scenario needs a value"),
            ("--seed x", "--seed: 'x' is not a valid number"),
            ("--latency-ms -5", "--latency-ms: '-5' is not a valid number"),
            ("--page-size 1.5", "--page-size: '1.5' is not a valid number"),
            ("--drop-rate 2", "--drop-rate: 2 is not a fraction between 0 and 1"),
            ("--fail-5xx-rate -0.1", "--fail-5xx-rate: -0.1 is not a fraction between 0 and 1"),
            ("--conflict-rate 1.5", "--conflict-rate: 1.5 is not a fraction between 0 and 1"),
            ("--fail-429-rate half", "--fail-429-rate: 'half' is not a valid number"),
            ("--bogus", "unknown argument '--bogus'"),
            ("-x", "unknown argument '-x'"),
            ("stray", "unknown argument 'stray'"),
            ("--quiet=yes", "--quiet takes no value (got 'yes')"),
            ("--witness=on", "--witness takes no value (got 'on')"),
            (
                "--scenario s --app-origin http://a:1 --fail-429-rate 0.1 --fail-429-after 3",
                "--fail-429-rate and --fail-429-after are alternatives: give one",
            ),
            (
                "--scenario s --app-origin http://a:1 --hang-first 5",
                "--hang-first N and --hang-ms MS go together: give both, above 0",
            ),
            (
                "--app-origin http://a:1/app",
                "--app-origin: 'http://a:1/app' is not an origin like http://127.0.0.1:8080 (scheme, host and port only)",
            ),
            ("--app-origin nowhere", "--app-origin: 'nowhere' is not a URL (relative URL without a base)"),
            ("--listen nowhere", "--listen: 'nowhere' is not an address like 127.0.0.1:8443"),
            (
                "--listen 0.0.0.0:80",
                "refusing to listen on 0.0.0.0:80: the fake Azure hands out tokens and tenant data to anyone who connects, so it binds loopback addresses only (127.0.0.1 or [::1])",
            ),
        ];
        for (line, message) in table {
            assert_eq!(parse_line(line), Err(message.to_string()), "{line}");
        }
    }

    #[test]
    fn generate_lines() {
        let generated = |subscriptions, machines, seed, now_ms| {
            Ok(Command::Generate(GenerateOptions { subscriptions, machines, seed, now_ms }))
        };
        let table = [
            ("generate", generated(8, 40, 1, 1_717_200_000_000)),
            ("generate --subscriptions 500 --machines 2000 --seed 7", generated(500, 2000, 7, 1_717_200_000_000)),
            ("generate --now-ms 5 --machines=3", generated(8, 3, 1, 5)),
            ("generate --help", Ok(Command::Help)),
            ("generate --subscriptions ten", Err("--subscriptions: 'ten' is not a valid number".to_string())),
            ("generate --machines", Err("--machines needs a value".to_string())),
            ("generate --scenario s.json", Err("generate: unknown argument '--scenario'".to_string())),
            ("generate 12", Err("generate: unknown argument '12'".to_string())),
            ("schema", Ok(Command::Schema)),
            ("schema -h", Ok(Command::Help)),
            ("schema --out x", Err("schema: unknown argument '--out'".to_string())),
        ];
        for (line, expected) in table {
            assert_eq!(parse_line(line), expected, "{line}");
        }
    }

    /// `--flag` words of a text.
    fn flags(text: &str) -> BTreeSet<&str> {
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .filter(|word| word.starts_with("--") && word.len() > 2)
            .collect()
    }

    /// The usage text and the README's options table name the same serve flags, and the parser
    /// knows each of them.
    #[test]
    fn usage_and_readme_name_every_flag() {
        let serve_usage = USAGE.lines().filter(|l| !l.contains("fake-azure generate")).collect::<Vec<_>>().join("\n");
        let usage = flags(&serve_usage);
        let readme = include_str!("../../../README.md");
        let table = &readme[readme.find("## Options").unwrap()..];
        // The first cell of each row.
        let first_cells: Vec<&str> = table
            .lines()
            .skip(1)
            .take_while(|l| !l.starts_with("## "))
            .filter_map(|l| l.split('|').nth(1).filter(|cell| cell.trim_start().starts_with("`--")))
            .collect();
        let first_cells = first_cells.join(" ");
        assert_eq!(usage, flags(&first_cells));
        for flag in usage {
            let err = parse_line(&format!("{flag} 1")).err().unwrap_or_default();
            assert_ne!(err, format!("unknown argument '{flag}'"));
        }
    }
}
