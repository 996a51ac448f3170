#!/usr/bin/env bash
# MDE Console plan: Include in MDE automatic updates again (clear ExcludeMdeAutoUpdate)
# 2 machines to change, 2 writes to ARM (https://management.azure.com), in order.
# Caveat: The tag is Azure metadata on the machine: the other tags are kept (the write merges, or deletes this one tag). MDE.Linux reads it before updating Defender for Endpoint; Windows machines update through knowledge base updates instead.
# Run with bash after `az login`; it stops at the first command that fails.
# Each command names its machine by resource id, subscription included: the CLI's default is left as it is.
set -euo pipefail

# 1/2 web-01 (/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-Ò‘prod’(中)/providers/Microsoft.Compute/virtualMachines/web-01)
printf '== %s (%s)\n' web-01 $'/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-\xC3\x92\xE2\x80\x98prod\xE2\x80\x99(\xE4\xB8\xAD)/providers/Microsoft.Compute/virtualMachines/web-01'
# Clear the tag ExcludeMdeAutoUpdate (tags PATCH, operation Delete: the other tags are kept)
az tag update --resource-id $'/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-\xC3\x92\xE2\x80\x98prod\xE2\x80\x99(\xE4\xB8\xAD)/providers/Microsoft.Compute/virtualMachines/web-01' --operation Delete --tags 'excludeMDEautoupdate= TRUE '

# 2/2 Fin'ance "Ops" $(touch /tmp/mde-export-marks/n1) `touch /tmp/mde-export-marks/n2` ${HOME} %{x} */ <# #> ‘q’ ‚r‛ \ end # injected $(touch /tmp/mde-export-marks/n3)  [concat('a')]  gnp.exe Ò (Start-Process calc.exe; touch /tmp/mde-export-marks/n4) Ò Ñ Â 中'; touch /tmp/mde-export-marks/n5 #  (/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg'"$(touch${IFS}m1)`touch${IFS}m2`#中'$(touch${IFS}m3)‘Ò’/providers/Microsoft.Compute/virtualMachines/vm)
printf '== %s (%s)\n' $'Fin\'ance "Ops" $(touch /tmp/mde-export-marks/n1) `touch /tmp/mde-export-marks/n2` ${HOME} %{x} */ <# #> \xE2\x80\x98q\xE2\x80\x99 \xE2\x80\x9Ar\xE2\x80\x9B \\ end\x0A# injected $(touch /tmp/mde-export-marks/n3)\x0D\x0A[concat(\'a\')]\xE2\x80\xA8\xE2\x80\xAEgnp.exe \xC3\x92 (Start-Process calc.exe; touch /tmp/mde-export-marks/n4) \xC3\x92 \xC3\x91 \xC3\x82 \xE4\xB8\xAD\'; touch /tmp/mde-export-marks/n5 #\x0A' $'/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg\'"$(touch${IFS}m1)`touch${IFS}m2`#\xE4\xB8\xAD\'$(touch${IFS}m3)\xE2\x80\x98\xC3\x92\xE2\x80\x99/providers/Microsoft.Compute/virtualMachines/vm'
# Clear the tag ExcludeMdeAutoUpdate (tags PATCH, operation Delete: the other tags are kept)
az tag update --resource-id $'/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg\'"$(touch${IFS}m1)`touch${IFS}m2`#\xE4\xB8\xAD\'$(touch${IFS}m3)\xE2\x80\x98\xC3\x92\xE2\x80\x99/providers/Microsoft.Compute/virtualMachines/vm' --operation Delete --tags ExcludeMdeAutoUpdate=true
