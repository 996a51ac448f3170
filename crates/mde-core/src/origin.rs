//! Whether the site runs on an origin of its own, as it must: the browser's trust boundary for
//! everything the app keeps (its tokens in sessionStorage, its Cache Storage, its workers, the
//! redirect URI's answer) is the origin, not the folder, so any other page on the origin can
//! read or replace them.

/// The warning for a site served from `host` under `folder` (`/`, or `/mde-console/`), when the
/// host is known to put many sites on one origin; `None` elsewhere (a host of one's own, Azure
/// Static Web Apps, whose `*.azurestaticapps.net` host is one app's).
///
/// - GitHub Pages: every repository of an account publishes at `https://<owner>.github.io/<repo>/`
///   ("Types of GitHub Pages sites", docs.github.com), one origin for all of them, the account's
///   own site at the root included.
/// - Azure Storage: a static website is the account's `$web` container at
///   `<account>.z<n>.web.core.windows.net` ("Static website hosting in Azure Storage",
///   learn.microsoft.com), and the blob endpoint `<account>.blob.core.windows.net` serves every
///   container of the account: one origin per account. At the root of `$web` the site is the
///   account's only one; under a folder, the account's other folders (or containers) share it.
pub fn shared_origin(host: &str, folder: &str) -> Option<String> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let under = |suffix: &str| host.ends_with(suffix) && host.len() > suffix.len();
    let why = if under(".github.io") {
        format!("{host} is GitHub Pages' origin for every repository of that account")
    } else if (under(".web.core.windows.net") || under(".blob.core.windows.net")) && folder != "/" {
        format!("{host} is one storage account's origin, shared by every folder and container of the account")
    } else {
        return None;
    };
    Some(format!(
        "This site runs on a shared origin: {why}. Any page of that origin can read what this app keeps in the \
         browser (your sign-in included) or replace the copy it keeps for offline use. Give the app an origin of \
         its own (a custom domain or a sub-domain) before you sign in here."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_that_share_an_origin_get_the_warning() {
        for (host, folder) in [
            ("contoso.github.io", "/mde-console/"),
            ("Contoso.GitHub.io", "/"),
            ("mdeconsole.z6.web.core.windows.net", "/tools/mde/"),
            ("mdeconsole.blob.core.windows.net", "/$web/"),
        ] {
            let warning = shared_origin(host, folder).unwrap_or_else(|| panic!("{host}{folder}: no warning"));
            assert!(warning.contains(&host.to_ascii_lowercase()) && warning.contains("origin of its own"), "{warning}");
        }
    }

    #[test]
    fn an_origin_of_its_own_gets_none() {
        for (host, folder) in [
            ("mde.contoso.com", "/"),
            ("intranet.contoso.com", "/tools/mde-console/"),
            ("nice-sea-0a1b2c3d4.5.azurestaticapps.net", "/"),
            ("mdeconsole.z6.web.core.windows.net", "/"),
            ("github.io", "/"),
            ("notgithub.io", "/"),
            ("contoso.github.io.example.com", "/"),
            ("127.0.0.1", "/"),
        ] {
            assert_eq!(shared_origin(host, folder), None, "{host}{folder}");
        }
    }
}
