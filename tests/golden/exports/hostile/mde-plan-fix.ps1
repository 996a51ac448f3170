#Requires -Modules Az.Accounts, Az.Security
# MDE Console plan: Turn the integration fully on (Fix)
# 4 subscriptions to change, 8 writes to ARM (https://management.azure.com); each subscription's writes in order, Defender for Servers first.
# Turns on Defender for Servers Plan 2 (pricing VirtualMachines = Standard, subPlan P2) in 1 subscription: billed per server per hour.
# Skipped (2):
#   - Skip me $(touch /tmp/mde-export-marks/s1) */ (22222222-2222-4222-8222-222222222222): You may not change this subscription: it takes 'Security Admin' or "Owner". Really.
#   - Contoso Done (33333333-3333-4333-8333-333333333333): Already so: nothing to change.
# Run in PowerShell after Connect-AzAccount (modules Az.Accounts and Az.Security); it stops at the first error.
# Set-AzContext selects each subscription in turn: the session is left on the last one.
$ErrorActionPreference = 'Stop'

# 1/4 Contoso Prod (00000000-0000-4000-8000-000000000001)
Set-AzContext -Subscription '00000000-0000-4000-8000-000000000001' | Out-Null
Write-Host '== Contoso Prod (00000000-0000-4000-8000-000000000001)'
# Turn on Defender for Servers Plan 2 (pricing VirtualMachines = Standard, subPlan P2): billed per server per hour
Set-AzSecurityPricing -Name 'VirtualMachines' -PricingTier 'Standard' -SubPlan 'P2'
# Turn the Defender for Endpoint integration on (WDATP = true)
Set-AzSecuritySetting -SettingName 'WDATP' -SettingKind 'DataExportSettings' -Enabled $true
# Include Linux machines (WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW = false)
Set-AzSecuritySetting -SettingName 'WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW' -SettingKind 'DataExportSettings' -Enabled $false
# Deploy the unified solution to Windows Server 2012 R2 and 2016 (WDATP_UNIFIED_SOLUTION = true)
Set-AzSecuritySetting -SettingName 'WDATP_UNIFIED_SOLUTION' -SettingKind 'DataExportSettings' -Enabled $true

# 2/4 Fin'ance "Ops" $(touch /tmp/mde-export-marks/n1) `touch /tmp/mde-export-marks/n2` ${HOME} %{x} */ <# #> ‘q’ ‚r‛ \ end # injected $(touch /tmp/mde-export-marks/n3)  [concat('a')]  gnp.exe Ò (Start-Process calc.exe; touch /tmp/mde-export-marks/n4) Ò Ñ Â 中'; touch /tmp/mde-export-marks/n5 #  (11111111-1111-4111-8111-111111111111)
Set-AzContext -Subscription '11111111-1111-4111-8111-111111111111' | Out-Null
Write-Host ('== Fin''ance "Ops" $(touch /tmp/mde-export-marks/n1) `touch /tmp/mde-export-marks/n2` ${HOME} %{x} */ <# #> ' + [char]0x2018 + 'q' + [char]0x2019 + ' ' + [char]0x201A + 'r' + [char]0x201B + ' \ end' + [char]0x000A + '# injected $(touch /tmp/mde-export-marks/n3)' + [char]0x000D + [char]0x000A + '[concat(''a'')]' + [char]0x2028 + [char]0x202E + 'gnp.exe ' + [char]0x00D2 + ' (Start-Process calc.exe; touch /tmp/mde-export-marks/n4) ' + [char]0x00D2 + ' ' + [char]0x00D1 + ' ' + [char]0x00C2 + ' ' + [char]0x4E2D + '''; touch /tmp/mde-export-marks/n5 #' + [char]0x000A + ' (11111111-1111-4111-8111-111111111111)')
# Include Linux machines (WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW = false)
Set-AzSecuritySetting -SettingName 'WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW' -SettingKind 'DataExportSettings' -Enabled $false
# Deploy the unified solution to Windows Server 2012 R2 and 2016 (WDATP_UNIFIED_SOLUTION = true)
Set-AzSecuritySetting -SettingName 'WDATP_UNIFIED_SOLUTION' -SettingKind 'DataExportSettings' -Enabled $true

# 3/4 O'Brien ‘Dev’ ${x} $(touch /tmp/mde-export-marks/o1) `touch /tmp/mde-export-marks/o2` \ ([x'"$(touch /tmp/mde-export-marks/i1)`touch /tmp/mde-export-marks/i2`${y}%{z}*/ #中'$(touch /tmp/mde-export-marks/i3)Ò ‘])
Set-AzContext -Subscription ('[x''"$(touch /tmp/mde-export-marks/i1)`touch /tmp/mde-export-marks/i2`${y}%{z}*/' + [char]0x000A + '#' + [char]0x4E2D + '''$(touch /tmp/mde-export-marks/i3)' + [char]0x00D2 + ' ' + [char]0x2018 + ']') | Out-Null
Write-Host ('== O''Brien ' + [char]0x2018 + 'Dev' + [char]0x2019 + ' ${x} $(touch /tmp/mde-export-marks/o1) `touch /tmp/mde-export-marks/o2` \ ([x''"$(touch /tmp/mde-export-marks/i1)`touch /tmp/mde-export-marks/i2`${y}%{z}*/' + [char]0x000A + '#' + [char]0x4E2D + '''$(touch /tmp/mde-export-marks/i3)' + [char]0x00D2 + ' ' + [char]0x2018 + '])')
# Turn the Defender for Endpoint integration on (WDATP = true)
Set-AzSecuritySetting -SettingName 'WDATP' -SettingKind 'DataExportSettings' -Enabled $true

# 4/4 Dash (--debug -o none)
Set-AzContext -Subscription '--debug -o none' | Out-Null
Write-Host '== Dash (--debug -o none)'
# Turn the Defender for Endpoint integration on (WDATP = true)
Set-AzSecuritySetting -SettingName 'WDATP' -SettingKind 'DataExportSettings' -Enabled $true
