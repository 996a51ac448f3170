//! Command-line arguments of `fake-azure` (serve and generate), parsed by hand to keep the
//! binary free of dependencies.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use fake_azure::generate::GenerateOptions;
use fake_azure::{Faults, Options};

pub const USAGE: &str = "\
usage:
  fake-azure --scenario PATH --app-origin ORIGIN [--listen 127.0.0.1:PORT] [options]
  fake-azure generate --subscriptions N --machines M [--seed S] > scenario.json

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
  --hang-first N         hold the first N ARM requests to each subscription (and N to the
                         tenant level) for --hang-ms before answering; later ones as usual
  --hang-ms N            how long a held request waits for its answer
  --rate-limits          enforce ARM's own read/write buckets and ARG's quota (429 when empty)
  --token-lifetime S     access token lifetime in seconds (default 3600)
  --revoke-access-after-ms N
                         refuse access tokens N ms after issue (401), whatever expires_in said
  --lro-ms N             how long an extension delete runs (default 3000)
  --seed N               seed of every random choice (default 0): replay a run with it
  --quiet                no request log on stderr";

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    Serve(Box<Serve>),
    Generate(GenerateOptions),
    Help,
}

#[derive(Debug)]
pub struct Serve {
    pub scenario: PathBuf,
    pub listen: SocketAddr,
    pub app_origin: String,
    pub options: Options,
    pub quiet: bool,
}

pub fn parse(mut args: impl Iterator<Item = String>) -> Result<Command, String> {
    let first = args.next();
    match first.as_deref() {
        Some("generate") => generate(args),
        Some("-h" | "--help" | "help") => Ok(Command::Help),
        _ => serve(first.into_iter().chain(args)),
    }
}

/// The value after a flag.
fn value(flag: &str, args: &mut dyn Iterator<Item = String>) -> Result<String, String> {
    args.next().ok_or_else(|| format!("{flag} needs a value"))
}

fn number<T: std::str::FromStr>(flag: &str, args: &mut dyn Iterator<Item = String>) -> Result<T, String> {
    let text = value(flag, args)?;
    text.parse().map_err(|_| format!("{flag}: '{text}' is not a valid number"))
}

fn rate(flag: &str, args: &mut dyn Iterator<Item = String>) -> Result<f64, String> {
    let rate: f64 = number(flag, args)?;
    if !(0.0..=1.0).contains(&rate) {
        return Err(format!("{flag}: {rate} is not a fraction between 0 and 1"));
    }
    Ok(rate)
}

fn serve(args: impl Iterator<Item = String>) -> Result<Command, String> {
    let mut args: Box<dyn Iterator<Item = String>> = Box::new(args);
    let (mut scenario, mut app_origin, mut quiet) = (None, None, false);
    let mut listen = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);
    let mut options = Options::default();
    let mut faults = Faults::default();
    let mut rate_429_given = false;
    while let Some(flag) = args.next() {
        let a = &mut *args;
        match flag.as_str() {
            "--scenario" => scenario = Some(PathBuf::from(value(&flag, a)?)),
            "--listen" => listen = listen_address(&value(&flag, a)?)?,
            "--app-origin" => app_origin = Some(origin(&value(&flag, a)?)?),
            "--auto-approve" => options.auto_approve = true,
            "--page-size" => options.page_size = number::<usize>(&flag, a)?.max(1),
            "--latency-ms" => faults.latency_ms = number(&flag, a)?,
            "--jitter-ms" => faults.jitter_ms = number(&flag, a)?,
            "--fail-429-rate" => (faults.rate_429, rate_429_given) = (rate(&flag, a)?, true),
            "--fail-429-after" => faults.after_429 = Some(number(&flag, a)?),
            "--retry-after" => faults.retry_after_s = number(&flag, a)?,
            "--fail-5xx-rate" => faults.rate_5xx = rate(&flag, a)?,
            "--drop-rate" => faults.drop_rate = rate(&flag, a)?,
            "--hang-first" => faults.hang_first = number(&flag, a)?,
            "--hang-ms" => faults.hang_ms = number(&flag, a)?,
            "--rate-limits" => faults.rate_limits = true,
            "--token-lifetime" => options.token_lifetime_s = number(&flag, a)?,
            "--revoke-access-after-ms" => options.revoke_access_after_ms = Some(number(&flag, a)?),
            "--lro-ms" => options.lro_ms = number(&flag, a)?,
            "--seed" => options.seed = number(&flag, a)?,
            "--quiet" => quiet = true,
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
    Ok(Command::Serve(Box::new(Serve { scenario, listen, app_origin, options, quiet })))
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

fn generate(args: impl Iterator<Item = String>) -> Result<Command, String> {
    let mut args: Box<dyn Iterator<Item = String>> = Box::new(args);
    let mut options = GenerateOptions::default();
    while let Some(flag) = args.next() {
        let a = &mut *args;
        match flag.as_str() {
            "--subscriptions" => options.subscriptions = number(&flag, a)?,
            "--machines" => options.machines = number(&flag, a)?,
            "--seed" => options.seed = number(&flag, a)?,
            "--now-ms" => options.now_ms = number(&flag, a)?,
            other => return Err(format!("generate: unknown argument '{other}'")),
        }
    }
    Ok(Command::Generate(options))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> impl Iterator<Item = String> + '_ {
        line.split_whitespace().map(str::to_string)
    }

    #[test]
    fn refuses_non_loopback() {
        let err = parse(args("--scenario s.json --app-origin http://127.0.0.1:8080 --listen 0.0.0.0:80")).unwrap_err();
        assert!(err.contains("refusing to listen on 0.0.0.0:80"), "{err}");
        assert!(parse(args("--scenario s --app-origin http://a:1 --listen [::1]:0")).is_ok());
    }

    #[test]
    fn parses_faults() {
        let Command::Serve(serve) = parse(args("--scenario s --app-origin http://127.0.0.1:8080/ --fail-429-after 3 --retry-after 2 --seed 9 --page-size 2")).unwrap() else {
            panic!("not serve")
        };
        assert_eq!(serve.app_origin, "http://127.0.0.1:8080");
        assert_eq!(serve.options.faults.after_429, Some(3));
        assert_eq!(serve.options.seed, 9);
        assert_eq!(serve.options.page_size, 2);
        assert!(parse(args("--scenario s --app-origin http://a:1 --fail-429-rate 0.1 --fail-429-after 3")).is_err());
        assert!(parse(args("--scenario s --app-origin http://a:1 --drop-rate 2")).is_err());
        assert!(parse(args("--scenario s --app-origin http://a:1/app")).is_err());
        let Command::Serve(serve) =
            parse(args("--scenario s --app-origin http://a:1 --hang-first 5 --hang-ms 60000")).unwrap()
        else {
            panic!("not serve")
        };
        assert_eq!((serve.options.faults.hang_first, serve.options.faults.hang_ms), (5, 60_000));
        let alone = parse(args("--scenario s --app-origin http://a:1 --hang-first 5")).unwrap_err();
        assert!(alone.contains("go together"), "{alone}");
    }
}
