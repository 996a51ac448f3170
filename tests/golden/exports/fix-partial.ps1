#Requires -Modules Az.Accounts, Az.Security
# MDE Console plan: Turn the integration fully on (Fix)
# 3 subscriptions to change, 4 writes to ARM (https://management.azure.com); each subscription's writes in order, Defender for Servers first.
# Skipped (1):
#   - Contoso Finance (1df9fd78-9c65-4938-ab05-37e65affb229): You may not change this subscription: it takes Microsoft.Security/settings/write, which Security Admin, Contributor or Owner grant.
# Run in PowerShell after Connect-AzAccount (modules Az.Accounts and Az.Security); it stops at the first error.
# Set-AzContext selects each subscription in turn: the session is left on the last one.
$ErrorActionPreference = 'Stop'

# 1/3 Contoso Retail – EU (2217bead-dbc4-46cb-8e81-973e0becd7b0)
Set-AzContext -Subscription '2217bead-dbc4-46cb-8e81-973e0becd7b0' | Out-Null
Write-Host ('== Contoso Retail ' + [char]0x2013 + ' EU (2217bead-dbc4-46cb-8e81-973e0becd7b0)')
# Include Linux machines (WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW = false)
Set-AzSecuritySetting -SettingName 'WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW' -SettingKind 'DataExportSettings' -Enabled $false

# 2/3 Contoso Dev/Test (6d76b07e-881e-4162-ae2e-b1547f150524)
Set-AzContext -Subscription '6d76b07e-881e-4162-ae2e-b1547f150524' | Out-Null
Write-Host '== Contoso Dev/Test (6d76b07e-881e-4162-ae2e-b1547f150524)'
# Deploy the unified solution to Windows Server 2012 R2 and 2016 (WDATP_UNIFIED_SOLUTION = true)
Set-AzSecuritySetting -SettingName 'WDATP_UNIFIED_SOLUTION' -SettingKind 'DataExportSettings' -Enabled $true

# 3/3 Fabrikam (acquired) (451abd81-f1d6-4ed6-97f5-e837d70820fe)
Set-AzContext -Subscription '451abd81-f1d6-4ed6-97f5-e837d70820fe' | Out-Null
Write-Host '== Fabrikam (acquired) (451abd81-f1d6-4ed6-97f5-e837d70820fe)'
# Include Linux machines (WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW = false)
Set-AzSecuritySetting -SettingName 'WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW' -SettingKind 'DataExportSettings' -Enabled $false
# Deploy the unified solution to Windows Server 2012 R2 and 2016 (WDATP_UNIFIED_SOLUTION = true)
Set-AzSecuritySetting -SettingName 'WDATP_UNIFIED_SOLUTION' -SettingKind 'DataExportSettings' -Enabled $true
