//! The seed's `mdatp health` step, read-only, and its Windows counterpart: the commands, and
//! their output read into healthy / licensed / running (the raw text kept for the user).

use crate::arm::machines::OsFamily;

/// The Linux check, exactly as issue 12 asks.
pub const LINUX_CHECK: &str = "mdatp health --field healthy --field licensed";

/// The script lines of the sensor check for `os`. On Windows `sc` is PowerShell's alias of
/// `Set-Content`: `sc.exe` is the service tool.
pub fn script(os: OsFamily) -> Option<Vec<String>> {
    match os {
        OsFamily::Linux => Some(vec![LINUX_CHECK.into()]),
        OsFamily::Windows => Some(vec![
            "Get-MpComputerStatus | Format-List AMServiceEnabled,AntivirusEnabled,RealTimeProtectionEnabled,AMRunningMode,AMProductVersion".into(),
            "sc.exe query sense".into(),
        ]),
        OsFamily::Unknown => None,
    }
}

/// What the output says; `None` where it does not say.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct SensorHealth {
    pub healthy: Option<bool>,
    pub licensed: Option<bool>,
    /// Linux: the `mdatp` daemon answered. Windows: the `sense` service is RUNNING.
    pub running: Option<bool>,
    /// The command's output as it came.
    pub raw: String,
}

impl SensorHealth {
    /// One line for the page and the audit log.
    pub fn summary(&self) -> String {
        let word = |v: Option<bool>| match v {
            Some(true) => "yes",
            Some(false) => "no",
            None => "not reported",
        };
        format!("healthy: {}, licensed: {}, running: {}", word(self.healthy), word(self.licensed), word(self.running))
    }

    /// Healthy, running and not unlicensed: nothing to act on.
    pub fn is_good(&self) -> bool {
        self.healthy == Some(true) && self.running == Some(true) && self.licensed != Some(false)
    }
}

/// Reads the output of the check of `os`.
pub fn parse(os: OsFamily, output: &str) -> SensorHealth {
    match os {
        OsFamily::Windows => parse_windows(output),
        _ => parse_linux(output),
    }
}

fn boolean(value: &str) -> Option<bool> {
    match value.trim().trim_matches('"').to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// `key : value` lines (the seed shows `healthy : true`), or bare values in the order asked
/// (`--field healthy --field licensed` prints `true` lines on some versions).
fn parse_linux(output: &str) -> SensorHealth {
    let mut health = SensorHealth { raw: output.to_string(), ..Default::default() };
    let mut bare = Vec::new();
    for line in output.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match line.split_once(':') {
            Some((key, value)) if key.trim().eq_ignore_ascii_case("healthy") => health.healthy = boolean(value),
            Some((key, value)) if key.trim().eq_ignore_ascii_case("licensed") => health.licensed = boolean(value),
            None => bare.extend(boolean(line)),
            _ => {}
        }
    }
    if health.healthy.is_none() && health.licensed.is_none() {
        health.healthy = bare.first().copied();
        health.licensed = bare.get(1).copied();
    }
    let lower = output.to_ascii_lowercase();
    health.running = if health.healthy.is_some() || health.licensed.is_some() {
        Some(true)
    } else if lower.contains("not found") || lower.contains("could not connect") || lower.contains("not running") {
        Some(false)
    } else {
        None
    };
    health
}

/// `Get-MpComputerStatus` as a list (`AMServiceEnabled : True`) and `sc.exe query sense`
/// (`STATE : 4  RUNNING`). Healthy: the antivirus service is enabled and the sensor runs
/// (`RealTimeProtectionEnabled` is false in passive mode, which is fine). Windows reports no
/// license here.
fn parse_windows(output: &str) -> SensorHealth {
    let mut health = SensorHealth { raw: output.to_string(), ..Default::default() };
    let mut service_enabled = None;
    for line in output.lines() {
        let Some((key, value)) = line.split_once(':') else { continue };
        match key.trim().to_ascii_lowercase().as_str() {
            "amserviceenabled" => service_enabled = boolean(value),
            "state" => health.running = Some(value.to_ascii_uppercase().contains("RUNNING")),
            _ => {}
        }
    }
    if output.contains("FAILED 1060") || output.to_ascii_lowercase().contains("does not exist as an installed service")
    {
        health.running = Some(false);
    }
    health.healthy = match (service_enabled, health.running) {
        (Some(enabled), Some(running)) => Some(enabled && running),
        (Some(false), None) | (None, Some(false)) => Some(false),
        _ => None,
    };
    health
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linux_healthy_as_the_seed_shows_it() {
        let health = parse(OsFamily::Linux, "healthy : true\nlicensed: true\n");
        assert_eq!((health.healthy, health.licensed, health.running), (Some(true), Some(true), Some(true)));
        assert!(health.is_good());
        assert_eq!(health.summary(), "healthy: yes, licensed: yes, running: yes");
        let bare = parse(OsFamily::Linux, "true\ntrue\n");
        assert!(bare.is_good());
    }

    #[test]
    fn linux_unhealthy_unlicensed_or_missing() {
        let health = parse(OsFamily::Linux, "healthy                   : false\nlicensed                  : false\n");
        assert_eq!((health.healthy, health.licensed), (Some(false), Some(false)));
        assert!(!health.is_good());
        let missing = parse(OsFamily::Linux, "bash: line 1: mdatp: command not found\n");
        assert_eq!((missing.healthy, missing.running), (None, Some(false)));
        assert!(missing.summary().contains("healthy: not reported"));
        assert!(missing.raw.contains("command not found"));
    }

    const SC_RUNNING: &str = "\nSERVICE_NAME: sense\n        TYPE               : 10  WIN32_OWN_PROCESS\n        STATE              : 4  RUNNING\n                                (STOPPABLE, NOT_PAUSABLE, IGNORES_SHUTDOWN)\n        WIN32_EXIT_CODE    : 0  (0x0)\n";

    #[test]
    fn windows_healthy_and_stopped() {
        let mp = "\r\nAMServiceEnabled          : True\r\nAntivirusEnabled          : True\r\nRealTimeProtectionEnabled : True\r\nAMRunningMode             : Normal\r\n";
        let health = parse(OsFamily::Windows, &format!("{mp}{SC_RUNNING}"));
        assert_eq!((health.healthy, health.licensed, health.running), (Some(true), None, Some(true)));
        assert!(health.is_good());
        let stopped = parse(OsFamily::Windows, &format!("{mp}{}", SC_RUNNING.replace("4  RUNNING", "1  STOPPED")));
        assert_eq!((stopped.healthy, stopped.running), (Some(false), Some(false)));
        let absent = parse(
            OsFamily::Windows,
            "[SC] EnumQueryServicesStatus:OpenService FAILED 1060:\r\n\r\nThe specified service does not exist as an installed service.\r\n",
        );
        assert_eq!((absent.healthy, absent.running), (Some(false), Some(false)));
    }

    #[test]
    fn the_scripts() {
        assert_eq!(script(OsFamily::Linux).unwrap(), vec!["mdatp health --field healthy --field licensed"]);
        let windows = script(OsFamily::Windows).unwrap();
        assert!(windows[0].starts_with("Get-MpComputerStatus"));
        assert_eq!(windows[1], "sc.exe query sense");
    }
}
