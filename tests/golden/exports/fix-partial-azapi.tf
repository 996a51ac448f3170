# MDE Console plan: Turn the integration fully on (Fix)
# 3 subscriptions to change, 4 writes to ARM (https://management.azure.com); each subscription's writes in order, Defender for Servers first.
# Skipped (1):
#   - Contoso Finance (1df9fd78-9c65-4938-ab05-37e65affb229): You may not change this subscription: it takes Microsoft.Security/settings/write, which Security Admin, Contributor or Owner grant.
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

# 1/3 Contoso Retail – EU (2217bead-dbc4-46cb-8e81-973e0becd7b0)
# Include Linux machines (WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW = false)
resource "azapi_update_resource" "sub1_wdatp_exclude_linux_public_preview" {
  type        = "Microsoft.Security/settings@2022-05-01"
  resource_id = "/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/providers/Microsoft.Security/settings/WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW"
  body = {
    kind = "DataExportSettings"
    properties = {
      enabled = false
    }
  }
}

# 2/3 Contoso Dev/Test (6d76b07e-881e-4162-ae2e-b1547f150524)
# Deploy the unified solution to Windows Server 2012 R2 and 2016 (WDATP_UNIFIED_SOLUTION = true)
resource "azapi_update_resource" "sub2_wdatp_unified_solution" {
  type        = "Microsoft.Security/settings@2022-05-01"
  resource_id = "/subscriptions/6d76b07e-881e-4162-ae2e-b1547f150524/providers/Microsoft.Security/settings/WDATP_UNIFIED_SOLUTION"
  body = {
    kind = "DataExportSettings"
    properties = {
      enabled = true
    }
  }
}

# 3/3 Fabrikam (acquired) (451abd81-f1d6-4ed6-97f5-e837d70820fe)
# Include Linux machines (WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW = false)
resource "azapi_update_resource" "sub3_wdatp_exclude_linux_public_preview" {
  type        = "Microsoft.Security/settings@2022-05-01"
  resource_id = "/subscriptions/451abd81-f1d6-4ed6-97f5-e837d70820fe/providers/Microsoft.Security/settings/WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW"
  body = {
    kind = "DataExportSettings"
    properties = {
      enabled = false
    }
  }
}

# Deploy the unified solution to Windows Server 2012 R2 and 2016 (WDATP_UNIFIED_SOLUTION = true)
resource "azapi_update_resource" "sub3_wdatp_unified_solution" {
  type        = "Microsoft.Security/settings@2022-05-01"
  resource_id = "/subscriptions/451abd81-f1d6-4ed6-97f5-e837d70820fe/providers/Microsoft.Security/settings/WDATP_UNIFIED_SOLUTION"
  body = {
    kind = "DataExportSettings"
    properties = {
      enabled = true
    }
  }
  depends_on = [azapi_update_resource.sub3_wdatp_exclude_linux_public_preview]
}
