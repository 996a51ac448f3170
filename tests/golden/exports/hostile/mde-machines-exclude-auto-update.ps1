#Requires -Modules Az.Accounts, Az.Resources
# MDE Console plan: Exclude from MDE automatic updates (ExcludeMdeAutoUpdate=true)
# 3 machines to change, 3 writes to ARM (https://management.azure.com), in order.
# Caveat: The tag is Azure metadata on the machine: the other tags are kept (the write merges, or deletes this one tag). MDE.Linux reads it before updating Defender for Endpoint; Windows machines update through knowledge base updates instead.
# Skipped (1):
#   - win $(touch /tmp/mde-export-marks/w1) */ (/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/win-01): A Windows machine: the tag is read by MDE.Linux only.
# Run in PowerShell after Connect-AzAccount (modules Az.Accounts and Az.Resources); it stops at the first error.
# Set-AzContext selects each machine's subscription in turn: the session is left on the last one.
$ErrorActionPreference = 'Stop'

# 1/3 web-01 (/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-Ò‘prod’(中)/providers/Microsoft.Compute/virtualMachines/web-01)
Set-AzContext -Subscription '00000000-0000-4000-8000-000000000001' | Out-Null
Write-Host ('== web-01 (/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-' + [char]0x00D2 + [char]0x2018 + 'prod' + [char]0x2019 + '(' + [char]0x4E2D + ')/providers/Microsoft.Compute/virtualMachines/web-01)')
# Set the tag ExcludeMdeAutoUpdate=true (tags PATCH, operation Merge: the other tags are kept)
Update-AzTag -ResourceId ('/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-' + [char]0x00D2 + [char]0x2018 + 'prod' + [char]0x2019 + '(' + [char]0x4E2D + ')/providers/Microsoft.Compute/virtualMachines/web-01') -Tag @{ 'ExcludeMdeAutoUpdate' = 'true' } -Operation Merge | Out-Null

# 2/3 srv-Ñ-01 (/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/Équipe.Ñ/providers/Microsoft.HybridCompute/machines/srv-Ñ-01)
Set-AzContext -Subscription '11111111-1111-4111-8111-111111111111' | Out-Null
Write-Host ('== srv-' + [char]0x00D1 + '-01 (/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/' + [char]0x00C9 + 'quipe.' + [char]0x00D1 + '/providers/Microsoft.HybridCompute/machines/srv-' + [char]0x00D1 + '-01)')
# Set the tag ExcludeMdeAutoUpdate=true (tags PATCH, operation Merge: the other tags are kept)
Update-AzTag -ResourceId ('/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/' + [char]0x00C9 + 'quipe.' + [char]0x00D1 + '/providers/Microsoft.HybridCompute/machines/srv-' + [char]0x00D1 + '-01') -Tag @{ 'ExcludeMdeAutoUpdate' = 'true' } -Operation Merge | Out-Null

# 3/3 Fin'ance "Ops" $(touch /tmp/mde-export-marks/n1) `touch /tmp/mde-export-marks/n2` ${HOME} %{x} */ <# #> ‘q’ ‚r‛ \ end # injected $(touch /tmp/mde-export-marks/n3)  [concat('a')]  gnp.exe Ò (Start-Process calc.exe; touch /tmp/mde-export-marks/n4) Ò Ñ Â 中'; touch /tmp/mde-export-marks/n5 #  (/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg'"$(touch${IFS}m1)`touch${IFS}m2`#中'$(touch${IFS}m3)‘Ò’/providers/Microsoft.Compute/virtualMachines/vm)
Set-AzContext -Subscription '00000000-0000-4000-8000-000000000001' | Out-Null
Write-Host ('== Fin''ance "Ops" $(touch /tmp/mde-export-marks/n1) `touch /tmp/mde-export-marks/n2` ${HOME} %{x} */ <# #> ' + [char]0x2018 + 'q' + [char]0x2019 + ' ' + [char]0x201A + 'r' + [char]0x201B + ' \ end' + [char]0x000A + '# injected $(touch /tmp/mde-export-marks/n3)' + [char]0x000D + [char]0x000A + '[concat(''a'')]' + [char]0x2028 + [char]0x202E + 'gnp.exe ' + [char]0x00D2 + ' (Start-Process calc.exe; touch /tmp/mde-export-marks/n4) ' + [char]0x00D2 + ' ' + [char]0x00D1 + ' ' + [char]0x00C2 + ' ' + [char]0x4E2D + '''; touch /tmp/mde-export-marks/n5 #' + [char]0x000A + ' (/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg''"$(touch${IFS}m1)`touch${IFS}m2`#' + [char]0x4E2D + '''$(touch${IFS}m3)' + [char]0x2018 + [char]0x00D2 + [char]0x2019 + '/providers/Microsoft.Compute/virtualMachines/vm)')
# Set the tag ExcludeMdeAutoUpdate=true (tags PATCH, operation Merge: the other tags are kept)
Update-AzTag -ResourceId ('/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg''"$(touch${IFS}m1)`touch${IFS}m2`#' + [char]0x4E2D + '''$(touch${IFS}m3)' + [char]0x2018 + [char]0x00D2 + [char]0x2019 + '/providers/Microsoft.Compute/virtualMachines/vm') -Tag @{ 'ExcludeMdeAutoUpdate' = 'true' } -Operation Merge | Out-Null
