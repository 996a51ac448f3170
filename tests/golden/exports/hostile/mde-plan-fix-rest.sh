#!/usr/bin/env bash
# MDE Console plan: Turn the integration fully on (Fix)
# 4 subscriptions to change, 8 writes to ARM (https://management.azure.com); each subscription's writes in order, Defender for Servers first.
# Turns on Defender for Servers Plan 2 (pricing VirtualMachines = Standard, subPlan P2) in 1 subscription: billed per server per hour.
# Skipped (2):
#   - Skip me $(touch /tmp/mde-export-marks/s1) */ (22222222-2222-4222-8222-222222222222): You may not change this subscription: it takes 'Security Admin' or "Owner". Really.
#   - Contoso Done (33333333-3333-4333-8333-333333333333): Already so: nothing to change.
# Run with bash after `az login`: each command is the exact PUT the app sends, URL and body.
set -euo pipefail

# 1/4 Contoso Prod (00000000-0000-4000-8000-000000000001)
printf '== %s (%s)\n' 'Contoso Prod' 00000000-0000-4000-8000-000000000001
# Turn on Defender for Servers Plan 2 (pricing VirtualMachines = Standard, subPlan P2): billed per server per hour
az rest --method put --url 'https://management.azure.com/subscriptions/00000000-0000-4000-8000-000000000001/providers/Microsoft.Security/pricings/VirtualMachines?api-version=2024-01-01' --body '{"properties":{"pricingTier":"Standard","subPlan":"P2"}}'
# Turn the Defender for Endpoint integration on (WDATP = true)
az rest --method put --url 'https://management.azure.com/subscriptions/00000000-0000-4000-8000-000000000001/providers/Microsoft.Security/settings/WDATP?api-version=2022-05-01' --body '{"kind":"DataExportSettings","properties":{"enabled":true}}'
# Include Linux machines (WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW = false)
az rest --method put --url 'https://management.azure.com/subscriptions/00000000-0000-4000-8000-000000000001/providers/Microsoft.Security/settings/WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW?api-version=2022-05-01' --body '{"kind":"DataExportSettings","properties":{"enabled":false}}'
# Deploy the unified solution to Windows Server 2012 R2 and 2016 (WDATP_UNIFIED_SOLUTION = true)
az rest --method put --url 'https://management.azure.com/subscriptions/00000000-0000-4000-8000-000000000001/providers/Microsoft.Security/settings/WDATP_UNIFIED_SOLUTION?api-version=2022-05-01' --body '{"kind":"DataExportSettings","properties":{"enabled":true}}'

# 2/4 Fin'ance "Ops" $(touch /tmp/mde-export-marks/n1) `touch /tmp/mde-export-marks/n2` ${HOME} %{x} */ <# #> ‘q’ ‚r‛ \ end # injected $(touch /tmp/mde-export-marks/n3)  [concat('a')]  gnp.exe Ò (Start-Process calc.exe; touch /tmp/mde-export-marks/n4) Ò Ñ Â 中'; touch /tmp/mde-export-marks/n5 #  (11111111-1111-4111-8111-111111111111)
printf '== %s (%s)\n' $'Fin\'ance "Ops" $(touch /tmp/mde-export-marks/n1) `touch /tmp/mde-export-marks/n2` ${HOME} %{x} */ <# #> \xE2\x80\x98q\xE2\x80\x99 \xE2\x80\x9Ar\xE2\x80\x9B \\ end\x0A# injected $(touch /tmp/mde-export-marks/n3)\x0D\x0A[concat(\'a\')]\xE2\x80\xA8\xE2\x80\xAEgnp.exe \xC3\x92 (Start-Process calc.exe; touch /tmp/mde-export-marks/n4) \xC3\x92 \xC3\x91 \xC3\x82 \xE4\xB8\xAD\'; touch /tmp/mde-export-marks/n5 #\x0A' 11111111-1111-4111-8111-111111111111
# Include Linux machines (WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW = false)
az rest --method put --url 'https://management.azure.com/subscriptions/11111111-1111-4111-8111-111111111111/providers/Microsoft.Security/settings/WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW?api-version=2022-05-01' --body '{"kind":"DataExportSettings","properties":{"enabled":false}}'
# Deploy the unified solution to Windows Server 2012 R2 and 2016 (WDATP_UNIFIED_SOLUTION = true)
az rest --method put --url 'https://management.azure.com/subscriptions/11111111-1111-4111-8111-111111111111/providers/Microsoft.Security/settings/WDATP_UNIFIED_SOLUTION?api-version=2022-05-01' --body '{"kind":"DataExportSettings","properties":{"enabled":true}}'

# 3/4 O'Brien ‘Dev’ ${x} $(touch /tmp/mde-export-marks/o1) `touch /tmp/mde-export-marks/o2` \ ([x'"$(touch /tmp/mde-export-marks/i1)`touch /tmp/mde-export-marks/i2`${y}%{z}*/ #中'$(touch /tmp/mde-export-marks/i3)Ò ‘])
printf '== %s (%s)\n' $'O\'Brien \xE2\x80\x98Dev\xE2\x80\x99 ${x} $(touch /tmp/mde-export-marks/o1) `touch /tmp/mde-export-marks/o2` \\' $'[x\'"$(touch /tmp/mde-export-marks/i1)`touch /tmp/mde-export-marks/i2`${y}%{z}*/\x0A#\xE4\xB8\xAD\'$(touch /tmp/mde-export-marks/i3)\xC3\x92 \xE2\x80\x98]'
# Turn the Defender for Endpoint integration on (WDATP = true)
az rest --method put --url 'https://management.azure.com/subscriptions/%5Bx%27%22%24%28touch%20%2Ftmp%2Fmde-export-marks%2Fi1%29%60touch%20%2Ftmp%2Fmde-export-marks%2Fi2%60%24%7By%7D%25%7Bz%7D%2A%2F%0A%23%E4%B8%AD%27%24%28touch%20%2Ftmp%2Fmde-export-marks%2Fi3%29%C3%92%20%E2%80%98%5D/providers/Microsoft.Security/settings/WDATP?api-version=2022-05-01' --body '{"kind":"DataExportSettings","properties":{"enabled":true}}'

# 4/4 Dash (--debug -o none)
printf '== %s (%s)\n' Dash '--debug -o none'
# Turn the Defender for Endpoint integration on (WDATP = true)
az rest --method put --url 'https://management.azure.com/subscriptions/--debug%20-o%20none/providers/Microsoft.Security/settings/WDATP?api-version=2022-05-01' --body '{"kind":"DataExportSettings","properties":{"enabled":true}}'
