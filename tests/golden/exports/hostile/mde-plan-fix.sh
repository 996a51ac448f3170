#!/usr/bin/env bash
# MDE Console plan: Turn the integration fully on (Fix)
# 4 subscriptions to change, 8 writes to ARM (https://management.azure.com); each subscription's writes in order, Defender for Servers first.
# Turns on Defender for Servers Plan 2 (pricing VirtualMachines = Standard, subPlan P2) in 1 subscription: billed per server per hour.
# Skipped (2):
#   - Skip me $(touch /tmp/mde-export-marks/s1) */ (22222222-2222-4222-8222-222222222222): You may not change this subscription: it takes 'Security Admin' or "Owner". Really.
#   - Contoso Done (33333333-3333-4333-8333-333333333333): Already so: nothing to change.
# Run with bash after `az login`; it stops at the first command that fails.
# Each command names its subscription (--subscription): the CLI's default is left as it is.
set -euo pipefail

# 1/4 Contoso Prod (00000000-0000-4000-8000-000000000001)
printf '== %s (%s)\n' 'Contoso Prod' 00000000-0000-4000-8000-000000000001
# Turn on Defender for Servers Plan 2 (pricing VirtualMachines = Standard, subPlan P2): billed per server per hour
az security pricing create --subscription 00000000-0000-4000-8000-000000000001 --name VirtualMachines --tier Standard --subplan P2
# Turn the Defender for Endpoint integration on (WDATP = true)
az security setting update --subscription=00000000-0000-4000-8000-000000000001 --name WDATP --data-export-settings enabled=true
# Include Linux machines (WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW = false)
az security setting update --subscription=00000000-0000-4000-8000-000000000001 --name WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW --data-export-settings enabled=false
# Deploy the unified solution to Windows Server 2012 R2 and 2016 (WDATP_UNIFIED_SOLUTION = true)
az security setting update --subscription=00000000-0000-4000-8000-000000000001 --name WDATP_UNIFIED_SOLUTION --data-export-settings enabled=true

# 2/4 Fin'ance "Ops" $(touch /tmp/mde-export-marks/n1) `touch /tmp/mde-export-marks/n2` ${HOME} %{x} */ <# #> ‘q’ ‚r‛ \ end # injected $(touch /tmp/mde-export-marks/n3)  [concat('a')]  gnp.exe Ò (Start-Process calc.exe; touch /tmp/mde-export-marks/n4) Ò Ñ Â 中'; touch /tmp/mde-export-marks/n5 #  (11111111-1111-4111-8111-111111111111)
printf '== %s (%s)\n' $'Fin\'ance "Ops" $(touch /tmp/mde-export-marks/n1) `touch /tmp/mde-export-marks/n2` ${HOME} %{x} */ <# #> \xE2\x80\x98q\xE2\x80\x99 \xE2\x80\x9Ar\xE2\x80\x9B \\ end\x0A# injected $(touch /tmp/mde-export-marks/n3)\x0D\x0A[concat(\'a\')]\xE2\x80\xA8\xE2\x80\xAEgnp.exe \xC3\x92 (Start-Process calc.exe; touch /tmp/mde-export-marks/n4) \xC3\x92 \xC3\x91 \xC3\x82 \xE4\xB8\xAD\'; touch /tmp/mde-export-marks/n5 #\x0A' 11111111-1111-4111-8111-111111111111
# Include Linux machines (WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW = false)
az security setting update --subscription=11111111-1111-4111-8111-111111111111 --name WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW --data-export-settings enabled=false
# Deploy the unified solution to Windows Server 2012 R2 and 2016 (WDATP_UNIFIED_SOLUTION = true)
az security setting update --subscription=11111111-1111-4111-8111-111111111111 --name WDATP_UNIFIED_SOLUTION --data-export-settings enabled=true

# 3/4 O'Brien ‘Dev’ ${x} $(touch /tmp/mde-export-marks/o1) `touch /tmp/mde-export-marks/o2` \ ([x'"$(touch /tmp/mde-export-marks/i1)`touch /tmp/mde-export-marks/i2`${y}%{z}*/ #中'$(touch /tmp/mde-export-marks/i3)Ò ‘])
printf '== %s (%s)\n' $'O\'Brien \xE2\x80\x98Dev\xE2\x80\x99 ${x} $(touch /tmp/mde-export-marks/o1) `touch /tmp/mde-export-marks/o2` \\' $'[x\'"$(touch /tmp/mde-export-marks/i1)`touch /tmp/mde-export-marks/i2`${y}%{z}*/\x0A#\xE4\xB8\xAD\'$(touch /tmp/mde-export-marks/i3)\xC3\x92 \xE2\x80\x98]'
# Turn the Defender for Endpoint integration on (WDATP = true)
az security setting update --subscription=$'[x\'"$(touch /tmp/mde-export-marks/i1)`touch /tmp/mde-export-marks/i2`${y}%{z}*/\x0A#\xE4\xB8\xAD\'$(touch /tmp/mde-export-marks/i3)\xC3\x92 \xE2\x80\x98]' --name WDATP --data-export-settings enabled=true

# 4/4 Dash (--debug -o none)
printf '== %s (%s)\n' Dash '--debug -o none'
# Turn the Defender for Endpoint integration on (WDATP = true)
az security setting update --subscription='--debug -o none' --name WDATP --data-export-settings enabled=true
