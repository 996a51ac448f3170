//! Registering `Microsoft.Security` on a subscription, as the portal does silently: ARM
//! refuses the integration's calls with `MissingSubscriptionRegistration` until it is.

use http::Method;

use crate::api;
use crate::arm::providers::Provider;
use crate::client::ArmClient;
use crate::error::{ArmFailure, SECURITY_PROVIDER};
use crate::transport::Transport;

/// How often and how long to wait for `Registering` to become `Registered` (it usually takes
/// seconds, sometimes minutes).
const POLL_MS: [u64; 8] = [2_000, 3_000, 5_000, 10_000, 15_000, 30_000, 30_000, 60_000];

/// Registers the namespace, then reads it back until Azure says `Registered`. Returns the last
/// state read: still `Registering` when Azure took longer than the polling allows.
pub async fn register_security<T: Transport>(
    client: &ArmClient<T>,
    subscription_id: &str,
) -> Result<Provider, ArmFailure> {
    client
        .write(Method::POST, &api::register_provider(subscription_id, SECURITY_PROVIDER), &serde_json::json!({}))
        .await?;
    let mut provider: Provider = client.get(&api::provider(subscription_id, SECURITY_PROVIDER)).await?;
    for wait in POLL_MS {
        if provider.registered() {
            break;
        }
        client.transport().sleep(wait).await;
        provider = client.get(&api::provider(subscription_id, SECURITY_PROVIDER)).await?;
    }
    Ok(provider)
}
