#!/usr/bin/env bash
# MDE Console plan: Remove the MDE extension
# 3 machines to change, 3 writes to ARM (https://management.azure.com), in order.
# Caveat: Removing the extension does not offboard the device from Defender for Endpoint: it keeps reporting until it is offboarded. While the subscription's integration is on, Defender for Cloud installs the extension again.
# Removal, step by step:
#   1. Turn the integration off for the subscription (bulk change: Turn the integration off), or Defender for Cloud installs the extension again.
#   2. Delete the MDE.Windows / MDE.Linux extension from the machine.
#   3. Offboard the device in the Microsoft Defender portal: removing the extension does NOT offboard it. https://learn.microsoft.com/defender-endpoint/offboard-machines
# Subscription 00000000-0000-4000-8000-000000000001: The integration is on for this subscription: Defender for Cloud will install MDE again on these 2 machines. (web-01, Fin'ance "Ops" $(touch /tmp/mde-export-marks/n1) `touch /tmp/mde-export-marks/n2` ${HOME} %{x} */ <# #> ‘q’ ‚r‛ \ end # injected $(touch /tmp/mde-export-marks/n3)  [concat('a')]  gnp.exe Ò (Start-Process calc.exe; touch /tmp/mde-export-marks/n4) Ò Ñ Â 中'; touch /tmp/mde-export-marks/n5 # )
# Run with bash after `az login`; it stops at the first command that fails.
# Each command names its machine by resource id, subscription included: the CLI's default is left as it is.
# Arc machines: `az resource delete` with the Arc api-version, since `az connectedmachine` is an Azure CLI extension (az extension add --name connectedmachine), not part of the CLI itself; both wait until the extension is gone.
set -euo pipefail

# 1/3 web-01 (/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-Ò‘prod’(中)/providers/Microsoft.Compute/virtualMachines/web-01)
printf '== %s (%s)\n' web-01 $'/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-\xC3\x92\xE2\x80\x98prod\xE2\x80\x99(\xE4\xB8\xAD)/providers/Microsoft.Compute/virtualMachines/web-01'
# Delete the MDE.Linux extension (a long-running operation, followed until it ends)
az vm extension delete --ids $'/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-\xC3\x92\xE2\x80\x98prod\xE2\x80\x99(\xE4\xB8\xAD)/providers/Microsoft.Compute/virtualMachines/web-01/extensions/MDE.Linux'

# 2/3 srv-Ñ-01 (/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/Équipe.Ñ/providers/Microsoft.HybridCompute/machines/srv-Ñ-01)
printf '== %s (%s)\n' $'srv-\xC3\x91-01' $'/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/\xC3\x89quipe.\xC3\x91/providers/Microsoft.HybridCompute/machines/srv-\xC3\x91-01'
# Delete the MDE.Windows extension (a long-running operation, followed until it ends)
az resource delete --ids $'/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/\xC3\x89quipe.\xC3\x91/providers/Microsoft.HybridCompute/machines/srv-\xC3\x91-01/extensions/MDE.Windows' --api-version 2024-07-10

# 3/3 Fin'ance "Ops" $(touch /tmp/mde-export-marks/n1) `touch /tmp/mde-export-marks/n2` ${HOME} %{x} */ <# #> ‘q’ ‚r‛ \ end # injected $(touch /tmp/mde-export-marks/n3)  [concat('a')]  gnp.exe Ò (Start-Process calc.exe; touch /tmp/mde-export-marks/n4) Ò Ñ Â 中'; touch /tmp/mde-export-marks/n5 #  (/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg'"$(touch${IFS}m1)`touch${IFS}m2`#中'$(touch${IFS}m3)‘Ò’/providers/Microsoft.Compute/virtualMachines/vm)
printf '== %s (%s)\n' $'Fin\'ance "Ops" $(touch /tmp/mde-export-marks/n1) `touch /tmp/mde-export-marks/n2` ${HOME} %{x} */ <# #> \xE2\x80\x98q\xE2\x80\x99 \xE2\x80\x9Ar\xE2\x80\x9B \\ end\x0A# injected $(touch /tmp/mde-export-marks/n3)\x0D\x0A[concat(\'a\')]\xE2\x80\xA8\xE2\x80\xAEgnp.exe \xC3\x92 (Start-Process calc.exe; touch /tmp/mde-export-marks/n4) \xC3\x92 \xC3\x91 \xC3\x82 \xE4\xB8\xAD\'; touch /tmp/mde-export-marks/n5 #\x0A' $'/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg\'"$(touch${IFS}m1)`touch${IFS}m2`#\xE4\xB8\xAD\'$(touch${IFS}m3)\xE2\x80\x98\xC3\x92\xE2\x80\x99/providers/Microsoft.Compute/virtualMachines/vm'
# Delete the MDE.Linux extension (a long-running operation, followed until it ends)
az vm extension delete --ids $'/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg\'"$(touch${IFS}m1)`touch${IFS}m2`#\xE4\xB8\xAD\'$(touch${IFS}m3)\xE2\x80\x98\xC3\x92\xE2\x80\x99/providers/Microsoft.Compute/virtualMachines/vm/extensions/MDE.Linux'
