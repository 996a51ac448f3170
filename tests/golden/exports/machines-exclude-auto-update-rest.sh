#!/usr/bin/env bash
# MDE Console plan: Exclude from MDE automatic updates (ExcludeMdeAutoUpdate=true)
# 24 machines to change, 24 writes to ARM (https://management.azure.com), in order.
# Caveat: The tag is Azure metadata on the machine: the other tags are kept (the write merges, or deletes this one tag). MDE.Linux reads it before updating Defender for Endpoint; Windows machines update through knowledge base updates instead.
# Skipped (40):
#   - shared-dns-02 (/subscriptions/14a0f9e7-7f1b-403c-9f15-82b0eab477d2/resourceGroups/rg-shared/providers/Microsoft.Compute/virtualMachines/shared-dns-02): The tag ExcludeMdeAutoUpdate=true is already set.
#   - shared-jump-01 (/subscriptions/14a0f9e7-7f1b-403c-9f15-82b0eab477d2/resourceGroups/rg-shared/providers/Microsoft.Compute/virtualMachines/shared-jump-01): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - fin-app-01 (/subscriptions/1df9fd78-9c65-4938-ab05-37e65affb229/resourceGroups/rg-fin/providers/Microsoft.Compute/virtualMachines/fin-app-01): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - fin-app-02 (/subscriptions/1df9fd78-9c65-4938-ab05-37e65affb229/resourceGroups/rg-fin/providers/Microsoft.Compute/virtualMachines/fin-app-02): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - fin-rpt-01 (/subscriptions/1df9fd78-9c65-4938-ab05-37e65affb229/resourceGroups/rg-fin/providers/Microsoft.Compute/virtualMachines/fin-rpt-01): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - pos-gw-01 (/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-pos/providers/Microsoft.Compute/virtualMachines/pos-gw-01): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - pos-gw-02 (/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-pos/providers/Microsoft.Compute/virtualMachines/pos-gw-02): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - pos-kiosk-01 (/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-pos/providers/Microsoft.Compute/virtualMachines/pos-kiosk-01): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - pos-kiosk-02 (/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-pos/providers/Microsoft.Compute/virtualMachines/pos-kiosk-02): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - store-0042-pos (/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-stores/providers/Microsoft.HybridCompute/machines/store-0042-pos): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - gateway-01 (/subscriptions/2a3af4d4-6b0a-48e8-830e-07bc1e398f10/resourceGroups/rg-data/providers/Microsoft.Compute/virtualMachines/gateway-01): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - pay-api-01 (/subscriptions/3c5e8a71-92d4-4b6f-a0e3-5d17c8b94f26/resourceGroups/rg-payments/providers/Microsoft.Compute/virtualMachines/pay-api-01): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - fab-legacy-db (/subscriptions/451abd81-f1d6-4ed6-97f5-e837d70820fe/resourceGroups/rg-fabrikam-onprem/providers/Microsoft.HybridCompute/machines/fab-legacy-db): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - fab-legacy-fs (/subscriptions/451abd81-f1d6-4ed6-97f5-e837d70820fe/resourceGroups/rg-fabrikam-onprem/providers/Microsoft.HybridCompute/machines/fab-legacy-fs): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - fab-app-01 (/subscriptions/451abd81-f1d6-4ed6-97f5-e837d70820fe/resourceGroups/rg-fabrikam/providers/Microsoft.Compute/virtualMachines/fab-app-01): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - fab-app-02 (/subscriptions/451abd81-f1d6-4ed6-97f5-e837d70820fe/resourceGroups/rg-fabrikam/providers/Microsoft.Compute/virtualMachines/fab-app-02): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - ams-dc-01 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-onprem-dc/providers/Microsoft.HybridCompute/machines/ams-dc-01): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - ams-fs-02 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-onprem-dc/providers/Microsoft.HybridCompute/machines/ams-fs-02): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - ams-log-01 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-onprem-linux/providers/Microsoft.HybridCompute/machines/ams-log-01): The tag ExcludeMdeAutoUpdate=true is already set.
#   - ams-nfs-01 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-onprem-linux/providers/Microsoft.HybridCompute/machines/ams-nfs-01): The tag ExcludeMdeAutoUpdate=true is already set.
#   - prod-sql-01 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-db/providers/Microsoft.Compute/virtualMachines/prod-sql-01): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - prod-app-2016 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-legacy/providers/Microsoft.Compute/virtualMachines/prod-app-2016): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - prod-erp-2012 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-legacy/providers/Microsoft.Compute/virtualMachines/prod-erp-2012): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - prod-web-01 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-web/providers/Microsoft.Compute/virtualMachines/prod-web-01): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - prod-web-02 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-web/providers/Microsoft.Compute/virtualMachines/prod-web-02): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - prod-web-03 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-web/providers/Microsoft.Compute/virtualMachines/prod-web-03): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - prod-web-04 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-web/providers/Microsoft.Compute/virtualMachines/prod-web-04): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - dev-legacy-2012 (/subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev-onprem/providers/Microsoft.HybridCompute/machines/dev-legacy-2012): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - dev-avd-host-01 (/subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-avd-host-01): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - dev-avd-host-02 (/subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-avd-host-02): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - dev-build-01 (/subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-build-01): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - dev-build-02 (/subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-build-02): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - dev-k8s-node-01 (/subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-k8s-node-01): The tag ExcludeMdeAutoUpdate=true is already set.
#   - dev-laptop-image (/subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-laptop-image): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - dev-test-2016 (/subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-test-2016): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - legacy-app-01 (/subscriptions/72158370-d269-49a5-ae65-8f33fe3b890b/resourceGroups/rg-legacy-onprem/providers/Microsoft.HybridCompute/machines/legacy-app-01): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - legacy-iis-01 (/subscriptions/72158370-d269-49a5-ae65-8f33fe3b890b/resourceGroups/rg-legacy/providers/Microsoft.Compute/virtualMachines/legacy-iis-01): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - legacy-iis-02 (/subscriptions/72158370-d269-49a5-ae65-8f33fe3b890b/resourceGroups/rg-legacy/providers/Microsoft.Compute/virtualMachines/legacy-iis-02): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - id-adfs-01 (/subscriptions/fc891b4a-6a50-4f4d-b4d6-6a3a47469a4d/resourceGroups/rg-identity-onprem/providers/Microsoft.HybridCompute/machines/id-adfs-01): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
#   - id-dc-01 (/subscriptions/fc891b4a-6a50-4f4d-b4d6-6a3a47469a4d/resourceGroups/rg-identity/providers/Microsoft.Compute/virtualMachines/id-dc-01): A Windows machine: the ExcludeMdeAutoUpdate tag is read by the MDE.Linux extension only. On Windows, Defender for Endpoint updates come through continuous knowledge base updates.
# Run with bash after `az login`: each command is the exact request the app sends, URL and body.
set -euo pipefail

# 1/24 shared-ntp-01 (/subscriptions/14a0f9e7-7f1b-403c-9f15-82b0eab477d2/resourceGroups/rg-shared-onprem/providers/Microsoft.HybridCompute/machines/shared-ntp-01)
printf '== %s (%s)\n' shared-ntp-01 /subscriptions/14a0f9e7-7f1b-403c-9f15-82b0eab477d2/resourceGroups/rg-shared-onprem/providers/Microsoft.HybridCompute/machines/shared-ntp-01
# Set the tag ExcludeMdeAutoUpdate=true (tags PATCH, operation Merge: the other tags are kept)
az rest --method patch --url 'https://management.azure.com/subscriptions/14a0f9e7-7f1b-403c-9f15-82b0eab477d2/resourceGroups/rg-shared-onprem/providers/Microsoft.HybridCompute/machines/shared-ntp-01/providers/Microsoft.Resources/tags/default?api-version=2021-04-01' --body '{"operation":"Merge","properties":{"tags":{"ExcludeMdeAutoUpdate":"true"}}}'

# 2/24 shared-dns-01 (/subscriptions/14a0f9e7-7f1b-403c-9f15-82b0eab477d2/resourceGroups/rg-shared/providers/Microsoft.Compute/virtualMachines/shared-dns-01)
printf '== %s (%s)\n' shared-dns-01 /subscriptions/14a0f9e7-7f1b-403c-9f15-82b0eab477d2/resourceGroups/rg-shared/providers/Microsoft.Compute/virtualMachines/shared-dns-01
# Set the tag ExcludeMdeAutoUpdate=true (tags PATCH, operation Merge: the other tags are kept)
az rest --method patch --url 'https://management.azure.com/subscriptions/14a0f9e7-7f1b-403c-9f15-82b0eab477d2/resourceGroups/rg-shared/providers/Microsoft.Compute/virtualMachines/shared-dns-01/providers/Microsoft.Resources/tags/default?api-version=2021-04-01' --body '{"operation":"Merge","properties":{"tags":{"ExcludeMdeAutoUpdate":"true"}}}'

# 3/24 shared-tools-01 (/subscriptions/14a0f9e7-7f1b-403c-9f15-82b0eab477d2/resourceGroups/rg-shared/providers/Microsoft.Compute/virtualMachines/shared-tools-01)
printf '== %s (%s)\n' shared-tools-01 /subscriptions/14a0f9e7-7f1b-403c-9f15-82b0eab477d2/resourceGroups/rg-shared/providers/Microsoft.Compute/virtualMachines/shared-tools-01
# Set the tag ExcludeMdeAutoUpdate=true (tags PATCH, operation Merge: the other tags are kept)
az rest --method patch --url 'https://management.azure.com/subscriptions/14a0f9e7-7f1b-403c-9f15-82b0eab477d2/resourceGroups/rg-shared/providers/Microsoft.Compute/virtualMachines/shared-tools-01/providers/Microsoft.Resources/tags/default?api-version=2021-04-01' --body '{"operation":"Merge","properties":{"tags":{"ExcludeMdeAutoUpdate":"true"}}}'

# 4/24 fin-sap-01 (/subscriptions/1df9fd78-9c65-4938-ab05-37e65affb229/resourceGroups/rg-fin/providers/Microsoft.Compute/virtualMachines/fin-sap-01)
printf '== %s (%s)\n' fin-sap-01 /subscriptions/1df9fd78-9c65-4938-ab05-37e65affb229/resourceGroups/rg-fin/providers/Microsoft.Compute/virtualMachines/fin-sap-01
# Set the tag ExcludeMdeAutoUpdate=true (tags PATCH, operation Merge: the other tags are kept)
az rest --method patch --url 'https://management.azure.com/subscriptions/1df9fd78-9c65-4938-ab05-37e65affb229/resourceGroups/rg-fin/providers/Microsoft.Compute/virtualMachines/fin-sap-01/providers/Microsoft.Resources/tags/default?api-version=2021-04-01' --body '{"operation":"Merge","properties":{"tags":{"ExcludeMdeAutoUpdate":"true"}}}'

# 5/24 pos-linux-01 (/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-pos/providers/Microsoft.Compute/virtualMachines/pos-linux-01)
printf '== %s (%s)\n' pos-linux-01 /subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-pos/providers/Microsoft.Compute/virtualMachines/pos-linux-01
# Set the tag ExcludeMdeAutoUpdate=true (tags PATCH, operation Merge: the other tags are kept)
az rest --method patch --url 'https://management.azure.com/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-pos/providers/Microsoft.Compute/virtualMachines/pos-linux-01/providers/Microsoft.Resources/tags/default?api-version=2021-04-01' --body '{"operation":"Merge","properties":{"tags":{"ExcludeMdeAutoUpdate":"true"}}}'

# 6/24 pos-linux-02 (/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-pos/providers/Microsoft.Compute/virtualMachines/pos-linux-02)
printf '== %s (%s)\n' pos-linux-02 /subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-pos/providers/Microsoft.Compute/virtualMachines/pos-linux-02
# Set the tag ExcludeMdeAutoUpdate=true (tags PATCH, operation Merge: the other tags are kept)
az rest --method patch --url 'https://management.azure.com/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-pos/providers/Microsoft.Compute/virtualMachines/pos-linux-02/providers/Microsoft.Resources/tags/default?api-version=2021-04-01' --body '{"operation":"Merge","properties":{"tags":{"ExcludeMdeAutoUpdate":"true"}}}'

# 7/24 shop-frontend-01 (/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-shop/providers/Microsoft.Compute/virtualMachines/shop-frontend-01)
printf '== %s (%s)\n' shop-frontend-01 /subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-shop/providers/Microsoft.Compute/virtualMachines/shop-frontend-01
# Set the tag ExcludeMdeAutoUpdate=true (tags PATCH, operation Merge: the other tags are kept)
az rest --method patch --url 'https://management.azure.com/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-shop/providers/Microsoft.Compute/virtualMachines/shop-frontend-01/providers/Microsoft.Resources/tags/default?api-version=2021-04-01' --body '{"operation":"Merge","properties":{"tags":{"ExcludeMdeAutoUpdate":"true"}}}'

# 8/24 shop-frontend-02 (/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-shop/providers/Microsoft.Compute/virtualMachines/shop-frontend-02)
printf '== %s (%s)\n' shop-frontend-02 /subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-shop/providers/Microsoft.Compute/virtualMachines/shop-frontend-02
# Set the tag ExcludeMdeAutoUpdate=true (tags PATCH, operation Merge: the other tags are kept)
az rest --method patch --url 'https://management.azure.com/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-retail-shop/providers/Microsoft.Compute/virtualMachines/shop-frontend-02/providers/Microsoft.Resources/tags/default?api-version=2021-04-01' --body '{"operation":"Merge","properties":{"tags":{"ExcludeMdeAutoUpdate":"true"}}}'

# 9/24 store-0042-srv (/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-stores/providers/Microsoft.HybridCompute/machines/store-0042-srv)
printf '== %s (%s)\n' store-0042-srv /subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-stores/providers/Microsoft.HybridCompute/machines/store-0042-srv
# Set the tag ExcludeMdeAutoUpdate=true (tags PATCH, operation Merge: the other tags are kept)
az rest --method patch --url 'https://management.azure.com/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-stores/providers/Microsoft.HybridCompute/machines/store-0042-srv/providers/Microsoft.Resources/tags/default?api-version=2021-04-01' --body '{"operation":"Merge","properties":{"tags":{"ExcludeMdeAutoUpdate":"true"}}}'

# 10/24 store-0117-srv (/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-stores/providers/Microsoft.HybridCompute/machines/store-0117-srv)
printf '== %s (%s)\n' store-0117-srv /subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-stores/providers/Microsoft.HybridCompute/machines/store-0117-srv
# Set the tag ExcludeMdeAutoUpdate=true (tags PATCH, operation Merge: the other tags are kept)
az rest --method patch --url 'https://management.azure.com/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/resourceGroups/rg-stores/providers/Microsoft.HybridCompute/machines/store-0117-srv/providers/Microsoft.Resources/tags/default?api-version=2021-04-01' --body '{"operation":"Merge","properties":{"tags":{"ExcludeMdeAutoUpdate":"true"}}}'

# 11/24 dp-edge-01 (/subscriptions/2a3af4d4-6b0a-48e8-830e-07bc1e398f10/resourceGroups/rg-data-edge/providers/Microsoft.HybridCompute/machines/dp-edge-01)
printf '== %s (%s)\n' dp-edge-01 /subscriptions/2a3af4d4-6b0a-48e8-830e-07bc1e398f10/resourceGroups/rg-data-edge/providers/Microsoft.HybridCompute/machines/dp-edge-01
# Set the tag ExcludeMdeAutoUpdate=true (tags PATCH, operation Merge: the other tags are kept)
az rest --method patch --url 'https://management.azure.com/subscriptions/2a3af4d4-6b0a-48e8-830e-07bc1e398f10/resourceGroups/rg-data-edge/providers/Microsoft.HybridCompute/machines/dp-edge-01/providers/Microsoft.Resources/tags/default?api-version=2021-04-01' --body '{"operation":"Merge","properties":{"tags":{"ExcludeMdeAutoUpdate":"true"}}}'

# 12/24 spark-head-01 (/subscriptions/2a3af4d4-6b0a-48e8-830e-07bc1e398f10/resourceGroups/rg-data/providers/Microsoft.Compute/virtualMachines/spark-head-01)
printf '== %s (%s)\n' spark-head-01 /subscriptions/2a3af4d4-6b0a-48e8-830e-07bc1e398f10/resourceGroups/rg-data/providers/Microsoft.Compute/virtualMachines/spark-head-01
# Set the tag ExcludeMdeAutoUpdate=true (tags PATCH, operation Merge: the other tags are kept)
az rest --method patch --url 'https://management.azure.com/subscriptions/2a3af4d4-6b0a-48e8-830e-07bc1e398f10/resourceGroups/rg-data/providers/Microsoft.Compute/virtualMachines/spark-head-01/providers/Microsoft.Resources/tags/default?api-version=2021-04-01' --body '{"operation":"Merge","properties":{"tags":{"ExcludeMdeAutoUpdate":"true"}}}'

# 13/24 spark-worker-01 (/subscriptions/2a3af4d4-6b0a-48e8-830e-07bc1e398f10/resourceGroups/rg-data/providers/Microsoft.Compute/virtualMachines/spark-worker-01)
printf '== %s (%s)\n' spark-worker-01 /subscriptions/2a3af4d4-6b0a-48e8-830e-07bc1e398f10/resourceGroups/rg-data/providers/Microsoft.Compute/virtualMachines/spark-worker-01
# Set the tag ExcludeMdeAutoUpdate=true (tags PATCH, operation Merge: the other tags are kept)
az rest --method patch --url 'https://management.azure.com/subscriptions/2a3af4d4-6b0a-48e8-830e-07bc1e398f10/resourceGroups/rg-data/providers/Microsoft.Compute/virtualMachines/spark-worker-01/providers/Microsoft.Resources/tags/default?api-version=2021-04-01' --body '{"operation":"Merge","properties":{"tags":{"ExcludeMdeAutoUpdate":"true"}}}'

# 14/24 spark-worker-02 (/subscriptions/2a3af4d4-6b0a-48e8-830e-07bc1e398f10/resourceGroups/rg-data/providers/Microsoft.Compute/virtualMachines/spark-worker-02)
printf '== %s (%s)\n' spark-worker-02 /subscriptions/2a3af4d4-6b0a-48e8-830e-07bc1e398f10/resourceGroups/rg-data/providers/Microsoft.Compute/virtualMachines/spark-worker-02
# Set the tag ExcludeMdeAutoUpdate=true (tags PATCH, operation Merge: the other tags are kept)
az rest --method patch --url 'https://management.azure.com/subscriptions/2a3af4d4-6b0a-48e8-830e-07bc1e398f10/resourceGroups/rg-data/providers/Microsoft.Compute/virtualMachines/spark-worker-02/providers/Microsoft.Resources/tags/default?api-version=2021-04-01' --body '{"operation":"Merge","properties":{"tags":{"ExcludeMdeAutoUpdate":"true"}}}'

# 15/24 pay-batch-01 (/subscriptions/3c5e8a71-92d4-4b6f-a0e3-5d17c8b94f26/resourceGroups/rg-payments/providers/Microsoft.Compute/virtualMachines/pay-batch-01)
printf '== %s (%s)\n' pay-batch-01 /subscriptions/3c5e8a71-92d4-4b6f-a0e3-5d17c8b94f26/resourceGroups/rg-payments/providers/Microsoft.Compute/virtualMachines/pay-batch-01
# Set the tag ExcludeMdeAutoUpdate=true (tags PATCH, operation Merge: the other tags are kept)
az rest --method patch --url 'https://management.azure.com/subscriptions/3c5e8a71-92d4-4b6f-a0e3-5d17c8b94f26/resourceGroups/rg-payments/providers/Microsoft.Compute/virtualMachines/pay-batch-01/providers/Microsoft.Resources/tags/default?api-version=2021-04-01' --body '{"operation":"Merge","properties":{"tags":{"ExcludeMdeAutoUpdate":"true"}}}'

# 16/24 fab-web-01 (/subscriptions/451abd81-f1d6-4ed6-97f5-e837d70820fe/resourceGroups/rg-fabrikam/providers/Microsoft.Compute/virtualMachines/fab-web-01)
printf '== %s (%s)\n' fab-web-01 /subscriptions/451abd81-f1d6-4ed6-97f5-e837d70820fe/resourceGroups/rg-fabrikam/providers/Microsoft.Compute/virtualMachines/fab-web-01
# Set the tag ExcludeMdeAutoUpdate=true (tags PATCH, operation Merge: the other tags are kept)
az rest --method patch --url 'https://management.azure.com/subscriptions/451abd81-f1d6-4ed6-97f5-e837d70820fe/resourceGroups/rg-fabrikam/providers/Microsoft.Compute/virtualMachines/fab-web-01/providers/Microsoft.Resources/tags/default?api-version=2021-04-01' --body '{"operation":"Merge","properties":{"tags":{"ExcludeMdeAutoUpdate":"true"}}}'

# 17/24 ams-db-02 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-onprem-linux/providers/Microsoft.HybridCompute/machines/ams-db-02)
printf '== %s (%s)\n' ams-db-02 /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-onprem-linux/providers/Microsoft.HybridCompute/machines/ams-db-02
# Set the tag ExcludeMdeAutoUpdate=true (tags PATCH, operation Merge: the other tags are kept)
az rest --method patch --url 'https://management.azure.com/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-onprem-linux/providers/Microsoft.HybridCompute/machines/ams-db-02/providers/Microsoft.Resources/tags/default?api-version=2021-04-01' --body '{"operation":"Merge","properties":{"tags":{"ExcludeMdeAutoUpdate":"true"}}}'

# 18/24 ams-web-05 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-onprem-linux/providers/Microsoft.HybridCompute/machines/ams-web-05)
printf '== %s (%s)\n' ams-web-05 /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-onprem-linux/providers/Microsoft.HybridCompute/machines/ams-web-05
# Set the tag ExcludeMdeAutoUpdate=true (tags PATCH, operation Merge: the other tags are kept)
az rest --method patch --url 'https://management.azure.com/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-onprem-linux/providers/Microsoft.HybridCompute/machines/ams-web-05/providers/Microsoft.Resources/tags/default?api-version=2021-04-01' --body '{"operation":"Merge","properties":{"tags":{"ExcludeMdeAutoUpdate":"true"}}}'

# 19/24 prod-api-01 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-api/providers/Microsoft.Compute/virtualMachines/prod-api-01)
printf '== %s (%s)\n' prod-api-01 /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-api/providers/Microsoft.Compute/virtualMachines/prod-api-01
# Set the tag ExcludeMdeAutoUpdate=true (tags PATCH, operation Merge: the other tags are kept)
az rest --method patch --url 'https://management.azure.com/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-api/providers/Microsoft.Compute/virtualMachines/prod-api-01/providers/Microsoft.Resources/tags/default?api-version=2021-04-01' --body '{"operation":"Merge","properties":{"tags":{"ExcludeMdeAutoUpdate":"true"}}}'

# 20/24 prod-api-02 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-api/providers/Microsoft.Compute/virtualMachines/prod-api-02)
printf '== %s (%s)\n' prod-api-02 /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-api/providers/Microsoft.Compute/virtualMachines/prod-api-02
# Set the tag ExcludeMdeAutoUpdate=true (tags PATCH, operation Merge: the other tags are kept)
az rest --method patch --url 'https://management.azure.com/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-api/providers/Microsoft.Compute/virtualMachines/prod-api-02/providers/Microsoft.Resources/tags/default?api-version=2021-04-01' --body '{"operation":"Merge","properties":{"tags":{"ExcludeMdeAutoUpdate":"true"}}}'

# 21/24 prod-api-03 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-api/providers/Microsoft.Compute/virtualMachines/prod-api-03)
printf '== %s (%s)\n' prod-api-03 /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-api/providers/Microsoft.Compute/virtualMachines/prod-api-03
# Set the tag ExcludeMdeAutoUpdate=true (tags PATCH, operation Merge: the other tags are kept)
az rest --method patch --url 'https://management.azure.com/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-api/providers/Microsoft.Compute/virtualMachines/prod-api-03/providers/Microsoft.Resources/tags/default?api-version=2021-04-01' --body '{"operation":"Merge","properties":{"tags":{"ExcludeMdeAutoUpdate":"true"}}}'

# 22/24 prod-batch-01 (/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-batch/providers/Microsoft.Compute/virtualMachines/prod-batch-01)
printf '== %s (%s)\n' prod-batch-01 /subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-batch/providers/Microsoft.Compute/virtualMachines/prod-batch-01
# Set the tag ExcludeMdeAutoUpdate=true (tags PATCH, operation Merge: the other tags are kept)
az rest --method patch --url 'https://management.azure.com/subscriptions/6513270e-269e-4d37-b2a7-4de452e6b438/resourceGroups/rg-prod-batch/providers/Microsoft.Compute/virtualMachines/prod-batch-01/providers/Microsoft.Resources/tags/default?api-version=2021-04-01' --body '{"operation":"Merge","properties":{"tags":{"ExcludeMdeAutoUpdate":"true"}}}'

# 23/24 dev-rhel-01 (/subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-rhel-01)
printf '== %s (%s)\n' dev-rhel-01 /subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-rhel-01
# Set the tag ExcludeMdeAutoUpdate=true (tags PATCH, operation Merge: the other tags are kept)
az rest --method patch --url 'https://management.azure.com/subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-rhel-01/providers/Microsoft.Resources/tags/default?api-version=2021-04-01' --body '{"operation":"Merge","properties":{"tags":{"ExcludeMdeAutoUpdate":"true"}}}'

# 24/24 try-things (/subscriptions/98289fcd-59a5-4a7b-b1fe-e08f57124242/resourceGroups/rg-sandbox/providers/Microsoft.Compute/virtualMachines/try-things)
printf '== %s (%s)\n' try-things /subscriptions/98289fcd-59a5-4a7b-b1fe-e08f57124242/resourceGroups/rg-sandbox/providers/Microsoft.Compute/virtualMachines/try-things
# Set the tag ExcludeMdeAutoUpdate=true (tags PATCH, operation Merge: the other tags are kept)
az rest --method patch --url 'https://management.azure.com/subscriptions/98289fcd-59a5-4a7b-b1fe-e08f57124242/resourceGroups/rg-sandbox/providers/Microsoft.Compute/virtualMachines/try-things/providers/Microsoft.Resources/tags/default?api-version=2021-04-01' --body '{"operation":"Merge","properties":{"tags":{"ExcludeMdeAutoUpdate":"true"}}}'
