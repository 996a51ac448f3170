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
az security pricing create -n VirtualMachines --tier standard --subplan P2 --subscription 00000000-0000-4000-8000-000000000001
# Turn the Defender for Endpoint integration on (WDATP = true)
az security setting update --subscription 00000000-0000-4000-8000-000000000001 --name WDATP --setting-kind DataExportSettings --enabled true
# Include Linux machines (WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW = false)
az security setting update --subscription 00000000-0000-4000-8000-000000000001 --name WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW --setting-kind DataExportSettings --enabled false
# Deploy the unified solution to Windows Server 2012 R2 and 2016 (WDATP_UNIFIED_SOLUTION = true)
az security setting update --subscription 00000000-0000-4000-8000-000000000001 --name WDATP_UNIFIED_SOLUTION --setting-kind DataExportSettings --enabled true

# 2/4 Fin'ance "Ops" $(touch /tmp/mde-export-marks/n1) `touch /tmp/mde-export-marks/n2` ${HOME} %{x} */ <# #> ‘q’ \ end # injected $(touch /tmp/mde-export-marks/n3)  [concat('a')]  gnp.exe (11111111-1111-4111-8111-111111111111)
printf '== %s (%s)\n' $'Fin\'ance "Ops" $(touch /tmp/mde-export-marks/n1) `touch /tmp/mde-export-marks/n2` ${HOME} %{x} */ <# #> ‘q’ \\ end\x0A# injected $(touch /tmp/mde-export-marks/n3)\x0D\x0A[concat(\'a\')]\xE2\x80\xA8‮gnp.exe' 11111111-1111-4111-8111-111111111111
# Include Linux machines (WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW = false)
az security setting update --subscription 11111111-1111-4111-8111-111111111111 --name WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW --setting-kind DataExportSettings --enabled false
# Deploy the unified solution to Windows Server 2012 R2 and 2016 (WDATP_UNIFIED_SOLUTION = true)
az security setting update --subscription 11111111-1111-4111-8111-111111111111 --name WDATP_UNIFIED_SOLUTION --setting-kind DataExportSettings --enabled true

# 3/4 O'Brien ‘Dev’ ${x} $(touch /tmp/mde-export-marks/o1) `touch /tmp/mde-export-marks/o2` \ ([x'"$(touch /tmp/mde-export-marks/i1)`touch /tmp/mde-export-marks/i2`${y}%{z}*/ #])
printf '== %s (%s)\n' 'O'\''Brien ‘Dev’ ${x} $(touch /tmp/mde-export-marks/o1) `touch /tmp/mde-export-marks/o2` \' $'[x\'"$(touch /tmp/mde-export-marks/i1)`touch /tmp/mde-export-marks/i2`${y}%{z}*/\x0A#]'
# Turn the Defender for Endpoint integration on (WDATP = true)
az security setting update --subscription $'[x\'"$(touch /tmp/mde-export-marks/i1)`touch /tmp/mde-export-marks/i2`${y}%{z}*/\x0A#]' --name WDATP --setting-kind DataExportSettings --enabled true

# 4/4 Dash (--debug -o none)
printf '== %s (%s)\n' Dash '--debug -o none'
# Turn the Defender for Endpoint integration on (WDATP = true)
az security setting update --subscription='--debug -o none' --name WDATP --setting-kind DataExportSettings --enabled true
