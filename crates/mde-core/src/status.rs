//! The domain rules of the integration: Off / Partial / On, and the Defender for Servers plan.
//!
//! These reproduce what the Azure portal shows (seed: "Enable the integration").

use crate::arm::pricings::Pricing;
use crate::arm::settings::{Setting, WDATP, WDATP_EXCLUDE_LINUX, WDATP_UNIFIED_SOLUTION};

/// The three parts of the integration of one subscription, read from its settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// WDATP is on but Linux or the unified solution is not: **Fix** turns the missing parts on.
    Partial,
    On,
}

impl IntegrationStatus {
    pub fn label(self) -> &'static str {
        match self {
            IntegrationStatus::Off => "Off",
            IntegrationStatus::Partial => "Partial",
            IntegrationStatus::On => "On",
        }
    }
}

impl IntegrationParts {
    /// Reads the parts from a subscription's settings list; other settings are ignored.
    pub fn from_settings(settings: &[Setting]) -> Self {
        let enabled = |name: &str| settings.iter().find(|s| s.name == name).map(|s| s.properties.enabled);
        IntegrationParts {
            integration: enabled(WDATP).unwrap_or(false),
            linux: !enabled(WDATP_EXCLUDE_LINUX).unwrap_or(false),
            unified: enabled(WDATP_UNIFIED_SOLUTION).unwrap_or(false),
        }
    }

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
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

    #[test]
    fn every_combination_of_the_three_settings() {
        use IntegrationStatus::*;
        let values = [None, Some(false), Some(true)];
        for wdatp in values {
            for exclude in values {
                for unified in values {
                    let p = parts(wdatp, exclude, unified);
                    let linux_on = exclude != Some(true);
                    let expected = match (wdatp == Some(true), linux_on, unified == Some(true)) {
                        (false, _, _) => Off,
                        (true, true, true) => On,
                        _ => Partial,
                    };
                    assert_eq!(p.status(), expected, "WDATP={wdatp:?} exclude={exclude:?} unified={unified:?}");
                    assert_eq!(p.linux, linux_on);
                }
            }
        }
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
