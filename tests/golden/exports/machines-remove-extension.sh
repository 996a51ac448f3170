#!/usr/bin/env bash
# MDE Console plan: Remove the MDE extension
# 33 machines to change, 33 writes to ARM (https://management.azure.com), in order.
# Caveat: Removing the extension does not offboard the device from Defender for Endpoint: it keeps reporting until it is offboarded. While the subscription's integration is on, Defender for Cloud installs the extension again.
# Removal, step by step:
#   1. Turn the integration off for the subscription (bulk change: Turn the integration off), or Defender for Cloud installs the extension again.
#   2. Delete the MDE.Windows / MDE.Linux extension from the machine.
#   3. Offboard the device in the Microsoft Defender portal: removing the extension does NOT offboard it. https://learn.microsoft.com/defender-endpoint/offboard-machines
# Subscription 14a0f9e7-7f1b-403c-9f15-82b0eab477d2: The integration is on for this subscription (Defender for Servers and WDATP on): Defender for Cloud will install MDE again on these 3 machines. Turn the integration off for the subscription first. (shared-dns-01, shared-dns-02, shared-jump-01)
# Subscription 1df9fd78-9c65-4938-ab05-37e65affb229: The integration is on for this subscription (Defender for Servers and WDATP on): Defender for Cloud will install MDE again on these 3 machines. Turn the integration off for the subscription first. (fin-app-01, fin-app-02, fin-rpt-01)
# Subscription 2217bead-dbc4-46cb-8e81-973e0becd7b0: The integration is on for this subscription (Defender for Servers and WDATP on): Defender for Cloud will install MDE again on this machine. Turn the integration off for the subscription first. (pos-gw-01)
# Subscription 6513270e-269e-4d37-b2a7-4de452e6b438: The integration is on for this subscription (Defender for Servers and WDATP on): Defender for Cloud will install MDE again on these 13 machines. Turn the integration off for the subscription first. (ams-dc-01, ams-fs-02, ams-db-02, ams-nfs-01, ams-web-05, prod-api-01, prod-api-02, prod-batch-01, prod-sql-01, prod-app-2016, prod-erp-2012, prod-web-01, prod-web-02)
# Subscription 6d76b07e-881e-4162-ae2e-b1547f150524: The integration is on for this subscription (Defender for Servers and WDATP on): Defender for Cloud will install MDE again on these 4 machines. Turn the integration off for the subscription first. (dev-avd-host-01, dev-avd-host-02, dev-k8s-node-01, dev-rhel-01)
# Subscription 72158370-d269-49a5-ae65-8f33fe3b890b: The integration is on for this subscription (Defender for Servers and WDATP on): Defender for Cloud will install MDE again on these 3 machines. Turn the integration off for the subscription first. (legacy-app-01, legacy-iis-01, legacy-iis-02)
# Skipped (31):
#   - shared-ntp-01 (/subscriptions/14a0f9e7-7f1b-403c-9f15-82b0eab477d2/resourceGroups/rg-shared-onprem/providers/Microsoft.HybridCompute/machines/shared-ntp-01): No MDE extension on this machine: nothing to remove.
#   - shared-tools-01 (/subscriptions/14a0f9e7-7f1b-403c-9f15-82b0eab477d2/resourceGroups/rg-shared/providers/Microsoft.Compute/virtualMachines/shared-tools-01): No MDE extension on this machine: nothing to remove.
#   - fin-sap-01 (/subscriptions/1df9fd78-9c65-4938-ab05-37e65affb229/resourceGroups/rg-fin/providers/Microsoft.Compute/virtualMachines/fin-sap-01): No MDE extension on this machine: nothing to remove.
#   - pos-gw-02 (/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-pos/providers/Microsoft.Compute/virtualMachines/pos-gw-02): The VM is stopped: Azure can't remove an extension until the VM runs (its agent does the removal). Start the VM, then remove it.
#   - pos-linux-01 (/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-pos/providers/Microsoft.Compute/virtualMachines/pos-linux-01): No MDE extension on this machine: nothing to remove.
#   - pos-linux-02 (/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-pos/providers/Microsoft.Compute/virtualMachines/pos-linux-02): No MDE extension on this machine: nothing to remove.
#   - shop-frontend-01 (/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-shop/providers/Microsoft.Compute/virtualMachines/shop-frontend-01): No MDE extension on this machine: nothing to remove.
#   - shop-frontend-02 (/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-shop/providers/Microsoft.Compute/virtualMachines/shop-frontend-02): No MDE extension on this machine: nothing to remove.
#   - store-0042-srv (/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-stores/providers/Microsoft.HybridCompute/machines/store-0042-srv): No MDE extension on this machine: nothing to remove.
#   - store-0117-srv (/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-stores/providers/Microsoft.HybridCompute/machines/store-0117-srv): No MDE extension on this machine: nothing to remove.
#   - dp-edge-01 (/subscriptions/2a3af4d4-6b0a-48e8-830e-07bc1e398f10/resourceGroups/rg-data-edge/providers/Microsoft.HybridCompute/machines/dp-edge-01): No MDE extension on this machine: nothing to remove.
#   - gateway-01 (/subscriptions/2a3af4d4-6b0a-48e8-830e-07bc1e398f10/resourceGroups/rg-data/providers/Microsoft.Compute/virtualMachines/gateway-01): No MDE extension on this machine: nothing to remove.
#   - spark-head-01 (/subscriptions/2a3af4d4-6b0a-48e8-830e-07bc1e398f10/resourceGroups/rg-data/providers/Microsoft.Compute/virtualMachines/spark-head-01): No MDE extension on this machine: nothing to remove.
#   - spark-worker-01 (/subscriptions/2a3af4d4-6b0a-48e8-830e-07bc1e398f10/resourceGroups/rg-data/providers/Microsoft.Compute/virtualMachines/spark-worker-01): No MDE extension on this machine: nothing to remove.
#   - spark-worker-02 (/subscriptions/2a3af4d4-6b0a-48e8-830e-07bc1e398f10/resourceGroups/rg-data/providers/Microsoft.Compute/virtualMachines/spark-worker-02): No MDE extension on this machine: nothing to remove.
#   - pay-api-01 (/subscriptions/3c5e8a71-92d4-4b6f-a0e3-5d17c8b94f26/resourceGroups/rg-payments/providers/Microsoft.Compute/virtualMachines/pay-api-01): No MDE extension on this machine: nothing to remove.
#   - pay-batch-01 (/subscriptions/3c5e8a71-92d4-4b6f-a0e3-5d17c8b94f26/resourceGroups/rg-payments/providers/Microsoft.Compute/virtualMachines/pay-batch-01): No MDE extension on this machine: nothing to remove.
#   - fab-legacy-db (/subscriptions/451abd81-f1d6-4ed6-97f5-e837d70820fe/resourceGroups/rg-fabrikam-onprem/providers/Microsoft.HybridCompute/machines/fab-legacy-db): The Arc machine's agent has been away too long (Expired): the removal can't complete until it is reconnected (azcmagent connect).
#   - fab-legacy-fs (/subscriptions/451abd81-f1d6-4ed6-97f5-e837d70820fe/resourceGroups/rg-fabrikam-onprem/providers/Microsoft.HybridCompute/machines/fab-legacy-fs): No MDE extension on this machine: nothing to remove.
#   - fab-web-01 (/subscriptions/451abd81-f1d6-4ed6-97f5-e837d70820fe/resourceGroups/rg-fabrikam/providers/Microsoft.Compute/virtualMachines/fab-web-01): No MDE extension on this machine: nothing to remove.
#   - ams-log-01 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-onprem-linux/providers/Microsoft.HybridCompute/machines/ams-log-01): The Arc machine is disconnected: the removal can't complete until its agent connects again. Reconnect it, then remove it.
#   - prod-api-03 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-api/providers/Microsoft.Compute/virtualMachines/prod-api-03): No MDE extension on this machine: nothing to remove.
#   - prod-web-03 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-web/providers/Microsoft.Compute/virtualMachines/prod-web-03): The VM is stopped: Azure can't remove an extension until the VM runs (its agent does the removal). Start the VM, then remove it.
#   - prod-web-04 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-web/providers/Microsoft.Compute/virtualMachines/prod-web-04): No MDE extension on this machine: nothing to remove.
#   - dev-legacy-2012 (/subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev-onprem/providers/Microsoft.HybridCompute/machines/dev-legacy-2012): No MDE extension on this machine: nothing to remove.
#   - dev-build-02 (/subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-build-02): No MDE extension on this machine: nothing to remove.
#   - dev-laptop-image (/subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-laptop-image): No MDE extension on this machine: nothing to remove.
#   - dev-test-2016 (/subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-test-2016): No MDE extension on this machine: nothing to remove.
#   - try-things (/subscriptions/98289fcd-59a5-4a7b-b1fe-e08f57124242/resourceGroups/rg-sandbox/providers/Microsoft.Compute/virtualMachines/try-things): No MDE extension on this machine: nothing to remove.
#   - id-adfs-01 (/subscriptions/fc891b4a-6a50-4f4d-b4d6-6a3a47469a4d/resourceGroups/rg-identity-onprem/providers/Microsoft.HybridCompute/machines/id-adfs-01): No MDE extension on this machine: nothing to remove.
#   - id-dc-01 (/subscriptions/fc891b4a-6a50-4f4d-b4d6-6a3a47469a4d/resourceGroups/rg-identity/providers/Microsoft.Compute/virtualMachines/id-dc-01): No MDE extension on this machine: nothing to remove.
# Run with bash after `az login`; it stops at the first command that fails.
# Each command names its machine by resource id, subscription included: the CLI's default is left as it is.
# Arc machines: `az resource delete` with the Arc api-version, since `az connectedmachine` is an Azure CLI extension (az extension add --name connectedmachine), not part of the CLI itself; both wait until the extension is gone.
set -euo pipefail

# 1/33 shared-dns-01 (/subscriptions/14a0f9e7-7f1b-403c-9f15-82b0eab477d2/resourceGroups/rg-shared/providers/Microsoft.Compute/virtualMachines/shared-dns-01)
printf '== %s (%s)\n' shared-dns-01 /subscriptions/14a0f9e7-7f1b-403c-9f15-82b0eab477d2/resourceGroups/rg-shared/providers/Microsoft.Compute/virtualMachines/shared-dns-01
# Delete the MDE.Linux extension (a long-running operation, followed until it ends)
az vm extension delete --ids /subscriptions/14a0f9e7-7f1b-403c-9f15-82b0eab477d2/resourceGroups/rg-shared/providers/Microsoft.Compute/virtualMachines/shared-dns-01/extensions/MDE.Linux

# 2/33 shared-dns-02 (/subscriptions/14a0f9e7-7f1b-403c-9f15-82b0eab477d2/resourceGroups/rg-shared/providers/Microsoft.Compute/virtualMachines/shared-dns-02)
printf '== %s (%s)\n' shared-dns-02 /subscriptions/14a0f9e7-7f1b-403c-9f15-82b0eab477d2/resourceGroups/rg-shared/providers/Microsoft.Compute/virtualMachines/shared-dns-02
# Delete the MDE.Linux extension (a long-running operation, followed until it ends)
az vm extension delete --ids /subscriptions/14a0f9e7-7f1b-403c-9f15-82b0eab477d2/resourceGroups/rg-shared/providers/Microsoft.Compute/virtualMachines/shared-dns-02/extensions/MDE.Linux

# 3/33 shared-jump-01 (/subscriptions/14a0f9e7-7f1b-403c-9f15-82b0eab477d2/resourceGroups/rg-shared/providers/Microsoft.Compute/virtualMachines/shared-jump-01)
printf '== %s (%s)\n' shared-jump-01 /subscriptions/14a0f9e7-7f1b-403c-9f15-82b0eab477d2/resourceGroups/rg-shared/providers/Microsoft.Compute/virtualMachines/shared-jump-01
# Delete the MDE.Windows extension (a long-running operation, followed until it ends)
az vm extension delete --ids /subscriptions/14a0f9e7-7f1b-403c-9f15-82b0eab477d2/resourceGroups/rg-shared/providers/Microsoft.Compute/virtualMachines/shared-jump-01/extensions/MDE.Windows

# 4/33 fin-app-01 (/subscriptions/1df9fd78-9c65-4938-ab05-37e65affb229/resourceGroups/rg-fin/providers/Microsoft.Compute/virtualMachines/fin-app-01)
printf '== %s (%s)\n' fin-app-01 /subscriptions/1df9fd78-9c65-4938-ab05-37e65affb229/resourceGroups/rg-fin/providers/Microsoft.Compute/virtualMachines/fin-app-01
# Delete the MDE.Windows extension (a long-running operation, followed until it ends)
az vm extension delete --ids /subscriptions/1df9fd78-9c65-4938-ab05-37e65affb229/resourceGroups/rg-fin/providers/Microsoft.Compute/virtualMachines/fin-app-01/extensions/MDE.Windows

# 5/33 fin-app-02 (/subscriptions/1df9fd78-9c65-4938-ab05-37e65affb229/resourceGroups/rg-fin/providers/Microsoft.Compute/virtualMachines/fin-app-02)
printf '== %s (%s)\n' fin-app-02 /subscriptions/1df9fd78-9c65-4938-ab05-37e65affb229/resourceGroups/rg-fin/providers/Microsoft.Compute/virtualMachines/fin-app-02
# Delete the MDE.Windows extension (a long-running operation, followed until it ends)
az vm extension delete --ids /subscriptions/1df9fd78-9c65-4938-ab05-37e65affb229/resourceGroups/rg-fin/providers/Microsoft.Compute/virtualMachines/fin-app-02/extensions/MDE.Windows

# 6/33 fin-rpt-01 (/subscriptions/1df9fd78-9c65-4938-ab05-37e65affb229/resourceGroups/rg-fin/providers/Microsoft.Compute/virtualMachines/fin-rpt-01)
printf '== %s (%s)\n' fin-rpt-01 /subscriptions/1df9fd78-9c65-4938-ab05-37e65affb229/resourceGroups/rg-fin/providers/Microsoft.Compute/virtualMachines/fin-rpt-01
# Delete the MDE.Windows extension (a long-running operation, followed until it ends)
az vm extension delete --ids /subscriptions/1df9fd78-9c65-4938-ab05-37e65affb229/resourceGroups/rg-fin/providers/Microsoft.Compute/virtualMachines/fin-rpt-01/extensions/MDE.Windows

# 7/33 pos-gw-01 (/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-pos/providers/Microsoft.Compute/virtualMachines/pos-gw-01)
printf '== %s (%s)\n' pos-gw-01 /subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-pos/providers/Microsoft.Compute/virtualMachines/pos-gw-01
# Delete the MDE.Windows extension (a long-running operation, followed until it ends)
az vm extension delete --ids /subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-pos/providers/Microsoft.Compute/virtualMachines/pos-gw-01/extensions/MDE.Windows

# 8/33 pos-kiosk-01 (/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-pos/providers/Microsoft.Compute/virtualMachines/pos-kiosk-01)
printf '== %s (%s)\n' pos-kiosk-01 /subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-pos/providers/Microsoft.Compute/virtualMachines/pos-kiosk-01
# Delete the MDE.Windows extension (a long-running operation, followed until it ends)
az vm extension delete --ids /subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-pos/providers/Microsoft.Compute/virtualMachines/pos-kiosk-01/extensions/MDE.Windows

# 9/33 pos-kiosk-02 (/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-pos/providers/Microsoft.Compute/virtualMachines/pos-kiosk-02)
printf '== %s (%s)\n' pos-kiosk-02 /subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-pos/providers/Microsoft.Compute/virtualMachines/pos-kiosk-02
# Delete the MDE.Windows extension (a long-running operation, followed until it ends)
az vm extension delete --ids /subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-pos/providers/Microsoft.Compute/virtualMachines/pos-kiosk-02/extensions/MDE.Windows

# 10/33 store-0042-pos (/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-stores/providers/Microsoft.HybridCompute/machines/store-0042-pos)
printf '== %s (%s)\n' store-0042-pos /subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-stores/providers/Microsoft.HybridCompute/machines/store-0042-pos
# Delete the MDE.Windows extension (a long-running operation, followed until it ends)
az resource delete --ids /subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-stores/providers/Microsoft.HybridCompute/machines/store-0042-pos/extensions/MDE.Windows --api-version 2024-07-10

# 11/33 fab-app-01 (/subscriptions/451abd81-f1d6-4ed6-97f5-e837d70820fe/resourceGroups/rg-fabrikam/providers/Microsoft.Compute/virtualMachines/fab-app-01)
printf '== %s (%s)\n' fab-app-01 /subscriptions/451abd81-f1d6-4ed6-97f5-e837d70820fe/resourceGroups/rg-fabrikam/providers/Microsoft.Compute/virtualMachines/fab-app-01
# Delete the MDE.Windows extension (a long-running operation, followed until it ends)
az vm extension delete --ids /subscriptions/451abd81-f1d6-4ed6-97f5-e837d70820fe/resourceGroups/rg-fabrikam/providers/Microsoft.Compute/virtualMachines/fab-app-01/extensions/MDE.Windows

# 12/33 fab-app-02 (/subscriptions/451abd81-f1d6-4ed6-97f5-e837d70820fe/resourceGroups/rg-fabrikam/providers/Microsoft.Compute/virtualMachines/fab-app-02)
printf '== %s (%s)\n' fab-app-02 /subscriptions/451abd81-f1d6-4ed6-97f5-e837d70820fe/resourceGroups/rg-fabrikam/providers/Microsoft.Compute/virtualMachines/fab-app-02
# Delete the MDE.Windows extension (a long-running operation, followed until it ends)
az vm extension delete --ids /subscriptions/451abd81-f1d6-4ed6-97f5-e837d70820fe/resourceGroups/rg-fabrikam/providers/Microsoft.Compute/virtualMachines/fab-app-02/extensions/MDE.Windows

# 13/33 ams-dc-01 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-onprem-dc/providers/Microsoft.HybridCompute/machines/ams-dc-01)
printf '== %s (%s)\n' ams-dc-01 /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-onprem-dc/providers/Microsoft.HybridCompute/machines/ams-dc-01
# Delete the MDE.Windows extension (a long-running operation, followed until it ends)
az resource delete --ids /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-onprem-dc/providers/Microsoft.HybridCompute/machines/ams-dc-01/extensions/MDE.Windows --api-version 2024-07-10

# 14/33 ams-fs-02 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-onprem-dc/providers/Microsoft.HybridCompute/machines/ams-fs-02)
printf '== %s (%s)\n' ams-fs-02 /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-onprem-dc/providers/Microsoft.HybridCompute/machines/ams-fs-02
# Delete the MDE.Windows extension (a long-running operation, followed until it ends)
az resource delete --ids /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-onprem-dc/providers/Microsoft.HybridCompute/machines/ams-fs-02/extensions/MDE.Windows --api-version 2024-07-10

# 15/33 ams-db-02 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-onprem-linux/providers/Microsoft.HybridCompute/machines/ams-db-02)
printf '== %s (%s)\n' ams-db-02 /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-onprem-linux/providers/Microsoft.HybridCompute/machines/ams-db-02
# Delete the MDE.Linux extension (a long-running operation, followed until it ends)
az resource delete --ids /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-onprem-linux/providers/Microsoft.HybridCompute/machines/ams-db-02/extensions/MDE.Linux --api-version 2024-07-10

# 16/33 ams-nfs-01 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-onprem-linux/providers/Microsoft.HybridCompute/machines/ams-nfs-01)
printf '== %s (%s)\n' ams-nfs-01 /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-onprem-linux/providers/Microsoft.HybridCompute/machines/ams-nfs-01
# Delete the MDE.Linux extension (a long-running operation, followed until it ends)
az resource delete --ids /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-onprem-linux/providers/Microsoft.HybridCompute/machines/ams-nfs-01/extensions/MDE.Linux --api-version 2024-07-10

# 17/33 ams-web-05 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-onprem-linux/providers/Microsoft.HybridCompute/machines/ams-web-05)
printf '== %s (%s)\n' ams-web-05 /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-onprem-linux/providers/Microsoft.HybridCompute/machines/ams-web-05
# Delete the MDE.Linux extension (a long-running operation, followed until it ends)
az resource delete --ids /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-onprem-linux/providers/Microsoft.HybridCompute/machines/ams-web-05/extensions/MDE.Linux --api-version 2024-07-10

# 18/33 prod-api-01 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-api/providers/Microsoft.Compute/virtualMachines/prod-api-01)
printf '== %s (%s)\n' prod-api-01 /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-api/providers/Microsoft.Compute/virtualMachines/prod-api-01
# Delete the MDE.Linux extension (a long-running operation, followed until it ends)
az vm extension delete --ids /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-api/providers/Microsoft.Compute/virtualMachines/prod-api-01/extensions/MDE.Linux

# 19/33 prod-api-02 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-api/providers/Microsoft.Compute/virtualMachines/prod-api-02)
printf '== %s (%s)\n' prod-api-02 /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-api/providers/Microsoft.Compute/virtualMachines/prod-api-02
# Delete the MDE.Linux extension (a long-running operation, followed until it ends)
az vm extension delete --ids /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-api/providers/Microsoft.Compute/virtualMachines/prod-api-02/extensions/MDE.Linux

# 20/33 prod-batch-01 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-batch/providers/Microsoft.Compute/virtualMachines/prod-batch-01)
printf '== %s (%s)\n' prod-batch-01 /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-batch/providers/Microsoft.Compute/virtualMachines/prod-batch-01
# Delete the MDE.Linux extension (a long-running operation, followed until it ends)
az vm extension delete --ids /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-batch/providers/Microsoft.Compute/virtualMachines/prod-batch-01/extensions/MDE.Linux

# 21/33 prod-sql-01 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-db/providers/Microsoft.Compute/virtualMachines/prod-sql-01)
printf '== %s (%s)\n' prod-sql-01 /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-db/providers/Microsoft.Compute/virtualMachines/prod-sql-01
# Delete the MDE.Windows extension (a long-running operation, followed until it ends)
az vm extension delete --ids /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-db/providers/Microsoft.Compute/virtualMachines/prod-sql-01/extensions/MDE.Windows

# 22/33 prod-app-2016 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-legacy/providers/Microsoft.Compute/virtualMachines/prod-app-2016)
printf '== %s (%s)\n' prod-app-2016 /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-legacy/providers/Microsoft.Compute/virtualMachines/prod-app-2016
# Delete the MDE.Windows extension (a long-running operation, followed until it ends)
az vm extension delete --ids /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-legacy/providers/Microsoft.Compute/virtualMachines/prod-app-2016/extensions/MDE.Windows

# 23/33 prod-erp-2012 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-legacy/providers/Microsoft.Compute/virtualMachines/prod-erp-2012)
printf '== %s (%s)\n' prod-erp-2012 /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-legacy/providers/Microsoft.Compute/virtualMachines/prod-erp-2012
# Delete the MDE.Windows extension (a long-running operation, followed until it ends)
az vm extension delete --ids /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-legacy/providers/Microsoft.Compute/virtualMachines/prod-erp-2012/extensions/MDE.Windows

# 24/33 prod-web-01 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-web/providers/Microsoft.Compute/virtualMachines/prod-web-01)
printf '== %s (%s)\n' prod-web-01 /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-web/providers/Microsoft.Compute/virtualMachines/prod-web-01
# Delete the MDE.Windows extension (a long-running operation, followed until it ends)
az vm extension delete --ids /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-web/providers/Microsoft.Compute/virtualMachines/prod-web-01/extensions/MDE.Windows

# 25/33 prod-web-02 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-web/providers/Microsoft.Compute/virtualMachines/prod-web-02)
printf '== %s (%s)\n' prod-web-02 /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-web/providers/Microsoft.Compute/virtualMachines/prod-web-02
# Delete the MDE.Windows extension (a long-running operation, followed until it ends)
az vm extension delete --ids /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-web/providers/Microsoft.Compute/virtualMachines/prod-web-02/extensions/MDE.Windows

# 26/33 dev-avd-host-01 (/subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-avd-host-01)
printf '== %s (%s)\n' dev-avd-host-01 /subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-avd-host-01
# Delete the MDE.Windows extension (a long-running operation, followed until it ends)
az vm extension delete --ids /subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-avd-host-01/extensions/MDE.Windows

# 27/33 dev-avd-host-02 (/subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-avd-host-02)
printf '== %s (%s)\n' dev-avd-host-02 /subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-avd-host-02
# Delete the MDE.Windows extension (a long-running operation, followed until it ends)
az vm extension delete --ids /subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-avd-host-02/extensions/MDE.Windows

# 28/33 dev-build-01 (/subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-build-01)
printf '== %s (%s)\n' dev-build-01 /subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-build-01
# Delete the MDE.Windows extension (a long-running operation, followed until it ends)
az vm extension delete --ids /subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-build-01/extensions/MDE.Windows

# 29/33 dev-k8s-node-01 (/subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-k8s-node-01)
printf '== %s (%s)\n' dev-k8s-node-01 /subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-k8s-node-01
# Delete the MDE.Linux extension (a long-running operation, followed until it ends)
az vm extension delete --ids /subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-k8s-node-01/extensions/MDE.Linux

# 30/33 dev-rhel-01 (/subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-rhel-01)
printf '== %s (%s)\n' dev-rhel-01 /subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-rhel-01
# Delete the MDE.Linux extension (a long-running operation, followed until it ends)
az vm extension delete --ids /subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-rhel-01/extensions/MDE.Linux

# 31/33 legacy-app-01 (/subscriptions/72158370-d269-49a5-ae65-8f33fe3b890b/resourceGroups/rg-legacy-onprem/providers/Microsoft.HybridCompute/machines/legacy-app-01)
printf '== %s (%s)\n' legacy-app-01 /subscriptions/72158370-d269-49a5-ae65-8f33fe3b890b/resourceGroups/rg-legacy-onprem/providers/Microsoft.HybridCompute/machines/legacy-app-01
# Delete the MDE.Windows extension (a long-running operation, followed until it ends)
az resource delete --ids /subscriptions/72158370-d269-49a5-ae65-8f33fe3b890b/resourceGroups/rg-legacy-onprem/providers/Microsoft.HybridCompute/machines/legacy-app-01/extensions/MDE.Windows --api-version 2024-07-10

# 32/33 legacy-iis-01 (/subscriptions/72158370-d269-49a5-ae65-8f33fe3b890b/resourceGroups/rg-legacy/providers/Microsoft.Compute/virtualMachines/legacy-iis-01)
printf '== %s (%s)\n' legacy-iis-01 /subscriptions/72158370-d269-49a5-ae65-8f33fe3b890b/resourceGroups/rg-legacy/providers/Microsoft.Compute/virtualMachines/legacy-iis-01
# Delete the MDE.Windows extension (a long-running operation, followed until it ends)
az vm extension delete --ids /subscriptions/72158370-d269-49a5-ae65-8f33fe3b890b/resourceGroups/rg-legacy/providers/Microsoft.Compute/virtualMachines/legacy-iis-01/extensions/MDE.Windows

# 33/33 legacy-iis-02 (/subscriptions/72158370-d269-49a5-ae65-8f33fe3b890b/resourceGroups/rg-legacy/providers/Microsoft.Compute/virtualMachines/legacy-iis-02)
printf '== %s (%s)\n' legacy-iis-02 /subscriptions/72158370-d269-49a5-ae65-8f33fe3b890b/resourceGroups/rg-legacy/providers/Microsoft.Compute/virtualMachines/legacy-iis-02
# Delete the MDE.Windows extension (a long-running operation, followed until it ends)
az vm extension delete --ids /subscriptions/72158370-d269-49a5-ae65-8f33fe3b890b/resourceGroups/rg-legacy/providers/Microsoft.Compute/virtualMachines/legacy-iis-02/extensions/MDE.Windows
