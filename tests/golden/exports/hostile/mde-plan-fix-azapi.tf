# MDE Console plan: Turn the integration fully on (Fix)
# 4 subscriptions to change, 8 writes to ARM (https://management.azure.com); each subscription's writes in order, Defender for Servers first.
# Turns on Defender for Servers Plan 2 (pricing VirtualMachines = Standard, subPlan P2) in 1 subscription: billed per server per hour.
# Skipped (2):
#   - Skip me $(touch /tmp/mde-export-marks/s1) */ (22222222-2222-4222-8222-222222222222): You may not change this subscription: it takes 'Security Admin' or "Owner". Really.
#   - Contoso Done (33333333-3333-4333-8333-333333333333): Already so: nothing to change.
# terraform init && terraform plan && terraform apply. Each write is the PUT body the app sends.
# azapi_update_resource reads each resource first and stops if it does not exist (a setting this
# subscription never had): use the azurerm or script export there. Destroying it changes nothing in Azure.
terraform {
  required_providers {
    azapi = {
      source  = "Azure/azapi"
      version = "~> 2.0"
    }
  }
}

provider "azapi" {}

# 1/4 Contoso Prod (00000000-0000-4000-8000-000000000001)
# Turn on Defender for Servers Plan 2 (pricing VirtualMachines = Standard, subPlan P2): billed per server per hour
resource "azapi_update_resource" "sub1_servers" {
  type        = "Microsoft.Security/pricings@2024-01-01"
  resource_id = "/subscriptions/00000000-0000-4000-8000-000000000001/providers/Microsoft.Security/pricings/VirtualMachines"
  body = {
    properties = {
      pricingTier = "Standard"
      subPlan     = "P2"
    }
  }
}

# Turn the Defender for Endpoint integration on (WDATP = true)
resource "azapi_update_resource" "sub1_wdatp" {
  type        = "Microsoft.Security/settings@2022-05-01"
  resource_id = "/subscriptions/00000000-0000-4000-8000-000000000001/providers/Microsoft.Security/settings/WDATP"
  body = {
    kind = "DataExportSettings"
    properties = {
      enabled = true
    }
  }
  depends_on = [azapi_update_resource.sub1_servers]
}

# Include Linux machines (WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW = false)
resource "azapi_update_resource" "sub1_wdatp_exclude_linux_public_preview" {
  type        = "Microsoft.Security/settings@2022-05-01"
  resource_id = "/subscriptions/00000000-0000-4000-8000-000000000001/providers/Microsoft.Security/settings/WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW"
  body = {
    kind = "DataExportSettings"
    properties = {
      enabled = false
    }
  }
  depends_on = [azapi_update_resource.sub1_wdatp]
}

# Deploy the unified solution to Windows Server 2012 R2 and 2016 (WDATP_UNIFIED_SOLUTION = true)
resource "azapi_update_resource" "sub1_wdatp_unified_solution" {
  type        = "Microsoft.Security/settings@2022-05-01"
  resource_id = "/subscriptions/00000000-0000-4000-8000-000000000001/providers/Microsoft.Security/settings/WDATP_UNIFIED_SOLUTION"
  body = {
    kind = "DataExportSettings"
    properties = {
      enabled = true
    }
  }
  depends_on = [azapi_update_resource.sub1_wdatp_exclude_linux_public_preview]
}

# 2/4 Fin'ance "Ops" $(touch /tmp/mde-export-marks/n1) `touch /tmp/mde-export-marks/n2` ${HOME} %{x} */ <# #> ‘q’ ‚r‛ \ end # injected $(touch /tmp/mde-export-marks/n3)  [concat('a')]  gnp.exe Ò (Start-Process calc.exe; touch /tmp/mde-export-marks/n4) Ò Ñ Â 中'; touch /tmp/mde-export-marks/n5 #  (11111111-1111-4111-8111-111111111111)
# Include Linux machines (WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW = false)
resource "azapi_update_resource" "sub2_wdatp_exclude_linux_public_preview" {
  type        = "Microsoft.Security/settings@2022-05-01"
  resource_id = "/subscriptions/11111111-1111-4111-8111-111111111111/providers/Microsoft.Security/settings/WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW"
  body = {
    kind = "DataExportSettings"
    properties = {
      enabled = false
    }
  }
}

# Deploy the unified solution to Windows Server 2012 R2 and 2016 (WDATP_UNIFIED_SOLUTION = true)
resource "azapi_update_resource" "sub2_wdatp_unified_solution" {
  type        = "Microsoft.Security/settings@2022-05-01"
  resource_id = "/subscriptions/11111111-1111-4111-8111-111111111111/providers/Microsoft.Security/settings/WDATP_UNIFIED_SOLUTION"
  body = {
    kind = "DataExportSettings"
    properties = {
      enabled = true
    }
  }
  depends_on = [azapi_update_resource.sub2_wdatp_exclude_linux_public_preview]
}

# 3/4 O'Brien ‘Dev’ ${x} $(touch /tmp/mde-export-marks/o1) `touch /tmp/mde-export-marks/o2` \ ([x'"$(touch /tmp/mde-export-marks/i1)`touch /tmp/mde-export-marks/i2`${y}%{z}*/ #中'$(touch /tmp/mde-export-marks/i3)Ò ‘])
# Turn the Defender for Endpoint integration on (WDATP = true)
resource "azapi_update_resource" "sub3_wdatp" {
  type        = "Microsoft.Security/settings@2022-05-01"
  resource_id = "/subscriptions/[x'\"$(touch /tmp/mde-export-marks/i1)`touch /tmp/mde-export-marks/i2`$${y}%%{z}*/\n#中'$(touch /tmp/mde-export-marks/i3)Ò ‘]/providers/Microsoft.Security/settings/WDATP"
  body = {
    kind = "DataExportSettings"
    properties = {
      enabled = true
    }
  }
}

# 4/4 Dash (--debug -o none)
# Turn the Defender for Endpoint integration on (WDATP = true)
resource "azapi_update_resource" "sub4_wdatp" {
  type        = "Microsoft.Security/settings@2022-05-01"
  resource_id = "/subscriptions/--debug -o none/providers/Microsoft.Security/settings/WDATP"
  body = {
    kind = "DataExportSettings"
    properties = {
      enabled = true
    }
  }
}
