//! The domain rules of the integration: Off / Partial / On, and the Defender for Servers plan.
//!
//! These reproduce what the Azure portal shows (seed: "Enable the integration").

use crate::arm::pricings::Pricing;
use crate::arm::settings::{Setting, WDATP, WDATP_EXCLUDE_LINUX, WDATP_UNIFIED_SOLUTION};

/// The three parts of the integration of one subscription, read from its settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct IntegrationParts {
    /// `WDATP` enabled: the integration is on (Windows machines onboard).
    pub integration: bool,
    /// Linux machines onboard: `WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW` is *not* enabled.
    /// A subscription without that setting never excluded Linux, so Linux is on with WDATP.
    pub linux: bool,
    /// `WDATP_UNIFIED_SOLUTION` enabled: the unified agent for Windows Server 2012 R2 and 2016.
    pub unified: bool,
}

/// What the portal shows for a subscription's integration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IntegrationStatus {
    Off,
    /// WDATP is on but Defender for Servers (P1/P2) is off: nothing deploys.
    NoPlan,
    /// WDATP is on but Linux or the unified solution is not: **Fix** turns the missing parts on.
    Partial,
    On,
}

impl IntegrationStatus {
    /// The status with the plan taken into account; `plan` is `None` while it is unknown.
    pub fn of(parts: IntegrationParts, plan: Option<ServersPlan>) -> Self {
        match parts.status() {
            IntegrationStatus::Off => IntegrationStatus::Off,
            _ if plan == Some(ServersPlan::Off) => IntegrationStatus::NoPlan,
            status => status,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            IntegrationStatus::Off => "Off",
            IntegrationStatus::NoPlan => "On — no plan",
            IntegrationStatus::Partial => "Partial",
            IntegrationStatus::On => "On",
        }
    }

    /// A stable word for URLs and CSS classes.
    pub fn key(self) -> &'static str {
        match self {
            IntegrationStatus::Off => "off",
            IntegrationStatus::NoPlan => "no-plan",
            IntegrationStatus::Partial => "partial",
            IntegrationStatus::On => "on",
        }
    }

    /// What the status means for the user, when it needs saying.
    pub fn advice(self) -> Option<&'static str> {
        match self {
            IntegrationStatus::NoPlan => Some(
                "The integration is on, but Defender for Servers is off: nothing deploys to the machines until Plan 1 or Plan 2 is turned on for this subscription.",
            ),
            IntegrationStatus::Partial => {
                Some("The integration is on, but Linux machines or the unified solution are left out: Fix turns them on.")
            }
            _ => None,
        }
    }
}

impl IntegrationParts {
    /// Reads the parts from a subscription's settings list; other settings are ignored.
    ///
    /// On subscriptions that enable WDATP today, Linux and the unified solution come with it
    /// and their settings may not exist: a *missing* setting means "included". Only
    /// subscriptions that had the integration before those features carry an explicit
    /// exclusion (`WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW` true, `WDATP_UNIFIED_SOLUTION` false).
    pub fn from_settings(settings: &[Setting]) -> Self {
        let enabled =
            |name: &str| settings.iter().find(|s| s.name.eq_ignore_ascii_case(name)).map(|s| s.properties.enabled);
        IntegrationParts {
            integration: enabled(WDATP).unwrap_or(false),
            linux: enabled(WDATP_EXCLUDE_LINUX) != Some(true),
            unified: enabled(WDATP_UNIFIED_SOLUTION) != Some(false),
        }
    }

    /// Off / Partial / On from the settings alone (see [`IntegrationStatus::of`] for the plan).
    pub fn status(self) -> IntegrationStatus {
        match self {
            IntegrationParts { integration: false, .. } => IntegrationStatus::Off,
            IntegrationParts { linux: true, unified: true, .. } => IntegrationStatus::On,
            _ => IntegrationStatus::Partial,
        }
    }

    /// Windows on (the integration) and Linux off: the seed's most common gap.
    pub fn windows_on_linux_off(self) -> bool {
        self.integration && !self.linux
    }
}

/// The Defender for Servers plan of a subscription (pricing `VirtualMachines`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum ServersPlan {
    /// `Free` tier, or no pricing at all: the integration cannot be used.
    Off,
    P1,
    P2,
}

impl ServersPlan {
    /// Reads the plan from the tier and sub-plan. `Standard` without a sub-plan predates
    /// the split and is the full plan, P2.
    pub fn from_tier(pricing_tier: &str, sub_plan: Option<&str>) -> Self {
        if !pricing_tier.eq_ignore_ascii_case("Standard") {
            return ServersPlan::Off;
        }
        match sub_plan {
            Some(p) if p.eq_ignore_ascii_case("P1") => ServersPlan::P1,
            _ => ServersPlan::P2,
        }
    }

    pub fn from_pricing(pricing: Option<&Pricing>) -> Self {
        pricing.map_or(ServersPlan::Off, |p| {
            ServersPlan::from_tier(&p.properties.pricing_tier, p.properties.sub_plan.as_deref())
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            ServersPlan::Off => "Off",
            ServersPlan::P1 => "P1",
            ServersPlan::P2 => "P2",
        }
    }

    /// The integration needs Defender for Servers Plan 1 or Plan 2.
    pub fn allows_integration(self) -> bool {
        self != ServersPlan::Off
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arm::settings::SettingProperties;

    fn setting(name: &str, enabled: bool) -> Setting {
        Setting {
            name: name.into(),
            kind: Some("DataExportSettings".into()),
            properties: SettingProperties { enabled },
        }
    }

    /// Settings from three optional switches: None = the setting is missing entirely.
    fn parts(wdatp: Option<bool>, exclude_linux: Option<bool>, unified: Option<bool>) -> IntegrationParts {
        let mut settings = vec![setting("MCAS", true), setting("Sentinel", false)];
        for (name, value) in [(WDATP, wdatp), (WDATP_EXCLUDE_LINUX, exclude_linux), (WDATP_UNIFIED_SOLUTION, unified)] {
            if let Some(v) = value {
                settings.push(setting(name, v));
            }
        }
        IntegrationParts::from_settings(&settings)
    }

    /// The seed's rules, written out for all 27 combinations (None = the setting is missing):
    /// (WDATP, WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW, WDATP_UNIFIED_SOLUTION) -> status, Linux on.
    type Combination = (Option<bool>, Option<bool>, Option<bool>, IntegrationStatus, bool);
    const EVERY_COMBINATION: [Combination; 27] = {
        use IntegrationStatus::{Off, On, Partial};
        [
            (None, None, None, Off, true),
            (None, None, Some(false), Off, true),
            (None, None, Some(true), Off, true),
            (None, Some(false), None, Off, true),
            (None, Some(false), Some(false), Off, true),
            (None, Some(false), Some(true), Off, true),
            (None, Some(true), None, Off, false),
            (None, Some(true), Some(false), Off, false),
            (None, Some(true), Some(true), Off, false),
            (Some(false), None, None, Off, true),
            (Some(false), None, Some(false), Off, true),
            (Some(false), None, Some(true), Off, true),
            (Some(false), Some(false), None, Off, true),
            (Some(false), Some(false), Some(false), Off, true),
            (Some(false), Some(false), Some(true), Off, true),
            (Some(false), Some(true), None, Off, false),
            (Some(false), Some(true), Some(false), Off, false),
            (Some(false), Some(true), Some(true), Off, false),
            // A newer subscription: WDATP alone includes Linux and the unified solution.
            (Some(true), None, None, On, true),
            (Some(true), None, Some(false), Partial, true),
            (Some(true), None, Some(true), On, true),
            (Some(true), Some(false), None, On, true),
            (Some(true), Some(false), Some(false), Partial, true),
            (Some(true), Some(false), Some(true), On, true),
            (Some(true), Some(true), None, Partial, false),
            (Some(true), Some(true), Some(false), Partial, false),
            (Some(true), Some(true), Some(true), Partial, false),
        ]
    };

    #[test]
    fn every_combination_of_the_three_settings() {
        for (wdatp, exclude, unified, status, linux) in EVERY_COMBINATION {
            let p = parts(wdatp, exclude, unified);
            assert_eq!(p.status(), status, "WDATP={wdatp:?} exclude={exclude:?} unified={unified:?}");
            assert_eq!(p.linux, linux, "WDATP={wdatp:?} exclude={exclude:?} unified={unified:?}");
        }
    }

    #[test]
    fn no_plan_is_told_apart_from_on() {
        use IntegrationStatus::*;
        let on = parts(Some(true), Some(false), Some(true));
        let partial = parts(Some(true), Some(true), Some(true));
        let off = parts(Some(false), None, None);
        assert_eq!(IntegrationStatus::of(on, Some(ServersPlan::Off)), NoPlan);
        assert_eq!(IntegrationStatus::of(partial, Some(ServersPlan::Off)), NoPlan);
        assert_eq!(IntegrationStatus::of(off, Some(ServersPlan::Off)), Off);
        assert_eq!(IntegrationStatus::of(on, Some(ServersPlan::P1)), On);
        assert_eq!(IntegrationStatus::of(partial, Some(ServersPlan::P2)), Partial);
        // While the plan is unknown, the settings decide.
        assert_eq!(IntegrationStatus::of(on, None), On);
        assert_eq!(NoPlan.label(), "On — no plan");
        assert!(NoPlan.advice().unwrap().contains("Plan 1 or Plan 2"));
    }

    #[test]
    fn exclusion_is_inverted() {
        assert_eq!(parts(Some(true), Some(true), Some(true)).status(), IntegrationStatus::Partial);
        assert_eq!(parts(Some(true), Some(false), Some(true)).status(), IntegrationStatus::On);
        assert!(parts(Some(true), Some(true), Some(true)).windows_on_linux_off());
        assert!(!parts(Some(false), Some(true), Some(true)).windows_on_linux_off());
    }

    #[test]
    fn no_settings_at_all_is_off() {
        assert_eq!(IntegrationParts::from_settings(&[]).status(), IntegrationStatus::Off);
    }

    #[test]
    fn plans() {
        assert_eq!(ServersPlan::from_tier("Free", None), ServersPlan::Off);
        assert_eq!(ServersPlan::from_tier("Free", Some("P2")), ServersPlan::Off);
        assert_eq!(ServersPlan::from_tier("Standard", Some("P1")), ServersPlan::P1);
        assert_eq!(ServersPlan::from_tier("standard", Some("p2")), ServersPlan::P2);
        assert_eq!(ServersPlan::from_tier("Standard", None), ServersPlan::P2);
        assert_eq!(ServersPlan::from_pricing(None), ServersPlan::Off);
        assert!(!ServersPlan::Off.allows_integration());
        assert!(ServersPlan::P1.allows_integration());
    }
}
