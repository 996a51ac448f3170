// MDE Console plan: Turn the integration fully on (Fix)
// 3 subscriptions to change, 4 writes to ARM (https://management.azure.com); each subscription's writes in order, Defender for Servers first.
// Skipped (1):
//   - Contoso Finance (1df9fd78-9c65-4938-ab05-37e65affb229): You may not change this subscription: it takes Microsoft.Security/settings/write, which Security Admin, Contributor or Owner grant.
// Deploy this file once in each subscription below; it writes that subscription's part of the plan
// and fails, writing nothing, in a subscription the plan does not list:
//   az deployment sub create --subscription 2217bead-dbc4-46cb-8e81-973e0becd7b0 --location <region> --template-file mde-plan-fix.bicep
//   az deployment sub create --subscription 6d76b07e-881e-4162-ae2e-b1547f150524 --location <region> --template-file mde-plan-fix.bicep
//   az deployment sub create --subscription 451abd81-f1d6-4ed6-97f5-e837d70820fe --location <region> --template-file mde-plan-fix.bicep
targetScope = 'subscription'

// Each subscription's writes, in order: Defender for Servers first (when planned), then the settings.
var plans = {
  // 1/3 Contoso Retail – EU (2217bead-dbc4-46cb-8e81-973e0becd7b0)
  '2217bead-dbc4-46cb-8e81-973e0becd7b0': {
    serversPlan: ''
    settings: [
      {
        name: 'WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW'
        kind: 'DataExportSettings'
        enabled: false
      }
    ]
  }
  // 2/3 Contoso Dev/Test (6d76b07e-881e-4162-ae2e-b1547f150524)
  '6d76b07e-881e-4162-ae2e-b1547f150524': {
    serversPlan: ''
    settings: [
      {
        name: 'WDATP_UNIFIED_SOLUTION'
        kind: 'DataExportSettings'
        enabled: true
      }
    ]
  }
  // 3/3 Fabrikam (acquired) (451abd81-f1d6-4ed6-97f5-e837d70820fe)
  '451abd81-f1d6-4ed6-97f5-e837d70820fe': {
    serversPlan: ''
    settings: [
      {
        name: 'WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW'
        kind: 'DataExportSettings'
        enabled: false
      }
      {
        name: 'WDATP_UNIFIED_SOLUTION'
        kind: 'DataExportSettings'
        enabled: true
      }
    ]
  }
}

// The deploying subscription's part; a subscription the plan does not list has none.
var writes = plans[subscription().subscriptionId]

resource serversPlan 'Microsoft.Security/pricings@2024-01-01' = if (!empty(writes.serversPlan)) {
  name: 'VirtualMachines'
  properties: {
    pricingTier: 'Standard'
    subPlan: writes.serversPlan
  }
}

// One at a time, in order (the integration before Linux and the unified solution).
@batchSize(1)
resource settings 'Microsoft.Security/settings@2022-05-01' = [for setting in writes.settings: {
  name: setting.name
  kind: setting.kind
  properties: {
    enabled: setting.enabled
  }
  dependsOn: [
    serversPlan
  ]
}]
