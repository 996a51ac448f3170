// MDE Console plan: Turn the integration fully on (Fix)
// 4 subscriptions to change, 8 writes to ARM (https://management.azure.com); each subscription's writes in order, Defender for Servers first.
// Turns on Defender for Servers Plan 2 (pricing VirtualMachines = Standard, subPlan P2) in 1 subscription: billed per server per hour.
// Skipped (2):
//   - Skip me $(touch /tmp/mde-export-marks/s1) */ (22222222-2222-4222-8222-222222222222): You may not change this subscription: it takes 'Security Admin' or "Owner". Really.
//   - Contoso Done (33333333-3333-4333-8333-333333333333): Already so: nothing to change.
// Deploy this file once in each subscription below; it writes that subscription's part of the plan
// and fails, writing nothing, in a subscription the plan does not list:
//   az deployment sub create --subscription 00000000-0000-4000-8000-000000000001 --location <region> --template-file mde-plan-fix.bicep
//   az deployment sub create --subscription 11111111-1111-4111-8111-111111111111 --location <region> --template-file mde-plan-fix.bicep
//   az deployment sub create --subscription $'[x\'"$(touch /tmp/mde-export-marks/i1)`touch /tmp/mde-export-marks/i2`${y}%{z}*/\x0A#\xE4\xB8\xAD\'$(touch /tmp/mde-export-marks/i3)\xC3\x92 \xE2\x80\x98]' --location <region> --template-file mde-plan-fix.bicep
//   az deployment sub create --subscription '--debug -o none' --location <region> --template-file mde-plan-fix.bicep
targetScope = 'subscription'

// Each subscription's writes, in order: Defender for Servers first (when planned), then the settings.
var plans = {
  // 1/4 Contoso Prod (00000000-0000-4000-8000-000000000001)
  '00000000-0000-4000-8000-000000000001': {
    serversPlan: 'P2'
    settings: [
      {
        name: 'WDATP'
        kind: 'DataExportSettings'
        enabled: true
      }
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
  // 2/4 Fin'ance "Ops" $(touch /tmp/mde-export-marks/n1) `touch /tmp/mde-export-marks/n2` ${HOME} %{x} */ <# #> ‘q’ ‚r‛ \ end # injected $(touch /tmp/mde-export-marks/n3)  [concat('a')]  gnp.exe Ò (Start-Process calc.exe; touch /tmp/mde-export-marks/n4) Ò Ñ Â 中'; touch /tmp/mde-export-marks/n5 #  (11111111-1111-4111-8111-111111111111)
  '11111111-1111-4111-8111-111111111111': {
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
  // 3/4 O'Brien ‘Dev’ ${x} $(touch /tmp/mde-export-marks/o1) `touch /tmp/mde-export-marks/o2` \ ([x'"$(touch /tmp/mde-export-marks/i1)`touch /tmp/mde-export-marks/i2`${y}%{z}*/ #中'$(touch /tmp/mde-export-marks/i3)Ò ‘])
  '[x\'"\$(touch /tmp/mde-export-marks/i1)`touch /tmp/mde-export-marks/i2`\${y}%{z}*/\n#中\'\$(touch /tmp/mde-export-marks/i3)Ò ‘]': {
    serversPlan: ''
    settings: [
      {
        name: 'WDATP'
        kind: 'DataExportSettings'
        enabled: true
      }
    ]
  }
  // 4/4 Dash (--debug -o none)
  '--debug -o none': {
    serversPlan: ''
    settings: [
      {
        name: 'WDATP'
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
