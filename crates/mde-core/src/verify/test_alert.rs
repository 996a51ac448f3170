//! The seed's "Send a test alert", per OS: the steps to do by hand, the alert they raise, and
//! the script Run Command sends to do the same.

use crate::arm::machines::OsFamily;

/// The folder the Windows test writes its harmless `invoice.exe` into (the seed creates it first).
pub const WINDOWS_FOLDER: &str = r"C:\test-MDATP-test";

/// The seed's Windows command, exactly as the seed prints it.
pub const WINDOWS_COMMAND: &str = r"powershell.exe -NoExit -ExecutionPolicy Bypass -WindowStyle Hidden (New-Object System.Net.WebClient).DownloadFile('http://127.0.0.1/1.exe', 'C:\\test-MDATP-test\\invoice.exe'); Start-Process 'C:\\test-MDATP-test\\invoice.exe'";

/// Where the Linux test tool is downloaded from (a zip holding `mde_linux_edr_diy`).
pub const LINUX_TOOL_URL: &str = "https://aka.ms/LinuxDIY";
/// The seed's Linux command, run in the extracted folder.
pub const LINUX_COMMAND: &str = "./mde_linux_edr_diy";

/// One step for a person at the machine; `command` gets a copy button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub text: &'static str,
    pub command: Option<&'static str>,
}

/// The test alert of one OS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestAlert {
    pub os: OsFamily,
    pub steps: Vec<Step>,
    /// `alertDisplayName` of the alert Defender raises.
    pub alert_name: &'static str,
    pub severity: &'static str,
}

/// The test alert for `os`; `None` when the OS is unknown.
pub fn for_os(os: OsFamily) -> Option<TestAlert> {
    let step = |text, command| Step { text, command };
    match os {
        OsFamily::Windows => Some(TestAlert {
            os,
            steps: vec![
                step("Create the folder", Some(WINDOWS_FOLDER)),
                step("Sign in to the machine (Remote Desktop) and open a command prompt.", None),
                step("Run this command; the window closes by itself.", Some(WINDOWS_COMMAND)),
            ],
            alert_name: "Suspicious PowerShell CommandLine",
            severity: "Informational",
        }),
        OsFamily::Linux => Some(TestAlert {
            os,
            steps: vec![
                step("Download the test alert tool", Some(LINUX_TOOL_URL)),
                step("Extract the zip file, then in its folder run", Some(LINUX_COMMAND)),
            ],
            alert_name: "Enumeration of files with sensitive data",
            severity: "Low",
        }),
        OsFamily::Unknown => None,
    }
}

/// What running the test alert through Run Command does on a machine of `os`, for the
/// confirmation the user answers before it is sent: the Linux script fetches and runs a program
/// from the internet with root's rights, which the user must know before saying yes.
pub fn consent(os: OsFamily) -> Option<&'static str> {
    match os {
        OsFamily::Windows => Some(
            "It creates the folder C:\\test-MDATP-test and starts PowerShell with the test alert's command line \
             (its download from the machine itself, 127.0.0.1, fails by design): Defender for Endpoint raises a \
             harmless test alert; nothing else changes.",
        ),
        OsFamily::Linux => Some(
            "It downloads Microsoft's test alert tool (a zip) from https://aka.ms/LinuxDIY and runs it as root, in \
             a new temporary folder: Defender for Endpoint raises a harmless test alert. The tool is Microsoft's, \
             fetched at run time: this app does not check its bytes.",
        ),
        OsFamily::Unknown => None,
    }
}

/// The script lines Run Command sends for the test alert on `os`.
///
/// Windows: the seed's command keeps its PowerShell open (`-NoExit`), which would hold Run
/// Command until its 90-minute limit; it is started detached (`Start-Process`) with the same
/// command line, which is what Defender looks at. Linux: the tool is fetched and run in a
/// fresh temporary folder (`unzip`, else Python's zipfile, to extract).
pub fn script(os: OsFamily) -> Option<Vec<String>> {
    match os {
        OsFamily::Windows => {
            // The seed's command line after `powershell.exe `, its quotes doubled for a
            // single-quoted PowerShell string.
            let arguments = WINDOWS_COMMAND.trim_start_matches("powershell.exe ").replace('\'', "''");
            Some(vec![
                format!("New-Item -ItemType Directory -Force -Path '{WINDOWS_FOLDER}' | Out-Null"),
                format!("Start-Process -FilePath powershell.exe -ArgumentList '{arguments}'"),
                "Write-Output 'Test alert command started.'".into(),
            ])
        }
        OsFamily::Linux => Some(vec![
            "set -e".into(),
            "cd \"$(mktemp -d)\"".into(),
            format!("curl -fsSL -o mde_linux_edr_diy.zip {LINUX_TOOL_URL}"),
            "unzip -o -q mde_linux_edr_diy.zip || python3 -m zipfile -e mde_linux_edr_diy.zip .".into(),
            "chmod +x ./mde_linux_edr_diy".into(),
            LINUX_COMMAND.into(),
        ]),
        OsFamily::Unknown => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_names_and_severities() {
        let windows = for_os(OsFamily::Windows).unwrap();
        assert_eq!((windows.alert_name, windows.severity), ("Suspicious PowerShell CommandLine", "Informational"));
        assert_eq!(windows.steps[2].command, Some(WINDOWS_COMMAND));
        let linux = for_os(OsFamily::Linux).unwrap();
        assert_eq!((linux.alert_name, linux.severity), ("Enumeration of files with sensitive data", "Low"));
        assert!(linux.steps.iter().any(|s| s.command == Some("./mde_linux_edr_diy")));
        assert!(for_os(OsFamily::Unknown).is_none());
    }

    #[test]
    fn the_windows_script_starts_the_seed_command_line() {
        let lines = script(OsFamily::Windows).unwrap();
        assert!(lines[0].contains(r"C:\test-MDATP-test"));
        // PowerShell reads '' inside '...' as ': the started process gets the seed's text.
        let started = lines[1].split_once("-ArgumentList '").unwrap().1.strip_suffix('\'').unwrap().replace("''", "'");
        assert_eq!(format!("powershell.exe {started}"), WINDOWS_COMMAND);
    }

    #[test]
    fn the_consent_says_what_the_script_does() {
        let linux = consent(OsFamily::Linux).unwrap();
        assert!(linux.contains(LINUX_TOOL_URL) && linux.contains("runs it as root"), "{linux}");
        let windows = consent(OsFamily::Windows).unwrap();
        assert!(windows.contains(WINDOWS_FOLDER), "{windows}");
        assert_eq!(consent(OsFamily::Unknown), None);
    }

    #[test]
    fn the_linux_script_runs_the_diy_tool() {
        let lines = script(OsFamily::Linux).unwrap();
        assert!(lines.iter().any(|l| l.contains("https://aka.ms/LinuxDIY")));
        assert_eq!(lines.last().unwrap(), "./mde_linux_edr_diy");
    }
}
