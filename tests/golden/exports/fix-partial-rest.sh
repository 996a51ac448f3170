#!/usr/bin/env bash
# MDE Console plan: Turn the integration fully on (Fix)
# 3 subscriptions to change, 4 writes to ARM (https://management.azure.com); each subscription's writes in order, Defender for Servers first.
# Skipped (1):
#   - Contoso Finance (1df9fd78-9c65-4938-ab05-37e65affb229): You may not change this subscription: it takes Microsoft.Security/settings/write, which Security Admin, Contributor or Owner grant.
# Run with bash after `az login`: each command is the exact PUT the app sends, URL and body.
set -euo pipefail

# 1/3 Contoso Retail – EU (2217bead-dbc4-46cb-8e81-973e0becd7b0)
printf '== %s (%s)\n' $'Contoso Retail \xE2\x80\x93 EU' 2217bead-dbc4-46cb-8e81-973e0becd7b0
# Include Linux machines (WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW = false)
az rest --method put --url 'https://management.azure.com/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/providers/Microsoft.Security/settings/WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW?api-version=2022-05-01' --body '{"kind":"DataExportSettings","properties":{"enabled":false}}'

# 2/3 Contoso Dev/Test (6d76b07e-881e-4162-ae2e-b1547f150524)
printf '== %s (%s)\n' 'Contoso Dev/Test' 6d76b07e-881e-4162-ae2e-b1547f150524
# Deploy the unified solution to Windows Server 2012 R2 and 2016 (WDATP_UNIFIED_SOLUTION = true)
az rest --method put --url 'https://management.azure.com/subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/providers/Microsoft.Security/settings/WDATP_UNIFIED_SOLUTION?api-version=2022-05-01' --body '{"kind":"DataExportSettings","properties":{"enabled":true}}'

# 3/3 Fabrikam (acquired) (451abd81-f1d6-4ed6-97f5-e837d70820fe)
printf '== %s (%s)\n' 'Fabrikam (acquired)' 451abd81-f1d6-4ed6-97f5-e837d70820fe
# Include Linux machines (WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW = false)
az rest --method put --url 'https://management.azure.com/subscriptions/451abd81-f1d6-4ed6-97f5-e837d70820fe/providers/Microsoft.Security/settings/WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW?api-version=2022-05-01' --body '{"kind":"DataExportSettings","properties":{"enabled":false}}'
# Deploy the unified solution to Windows Server 2012 R2 and 2016 (WDATP_UNIFIED_SOLUTION = true)
az rest --method put --url 'https://management.azure.com/subscriptions/451abd81-f1d6-4ed6-97f5-e837d70820fe/providers/Microsoft.Security/settings/WDATP_UNIFIED_SOLUTION?api-version=2022-05-01' --body '{"kind":"DataExportSettings","properties":{"enabled":true}}'
