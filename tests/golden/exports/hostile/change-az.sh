#!/usr/bin/env bash
# The az line of each confirmation on the subscription page (SettingChange::az).
set -euo pipefail
az security setting update --subscription=00000000-0000-4000-8000-000000000001 --name WDATP --data-export-settings enabled=true
az security setting update --subscription=00000000-0000-4000-8000-000000000001 --name WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW --data-export-settings enabled=false
az security setting update --subscription=00000000-0000-4000-8000-000000000001 --name WDATP_UNIFIED_SOLUTION --data-export-settings enabled=true
az security setting update --subscription=11111111-1111-4111-8111-111111111111 --name WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW --data-export-settings enabled=false
az security setting update --subscription=11111111-1111-4111-8111-111111111111 --name WDATP_UNIFIED_SOLUTION --data-export-settings enabled=true
az security setting update --subscription=$'[x\'"$(touch /tmp/mde-export-marks/i1)`touch /tmp/mde-export-marks/i2`${y}%{z}*/\x0A#\xE4\xB8\xAD\'$(touch /tmp/mde-export-marks/i3)\xC3\x92 \xE2\x80\x98]' --name WDATP --data-export-settings enabled=true
az security setting update --subscription='--debug -o none' --name WDATP --data-export-settings enabled=true
az security setting update --subscription=11111111-1111-4111-8111-111111111111 --name Sentinel --alert-sync-settings enabled=true
