# MDE Console plan: Turn the integration fully on (Fix)
# 3 subscriptions to change, 4 writes to ARM (https://management.azure.com); each subscription's writes in order, Defender for Servers first.
# Skipped (1):
#   - Contoso Finance (1df9fd78-9c65-4938-ab05-37e65affb229): You may not change this subscription: it takes Microsoft.Security/settings/write, which Security Admin, Contributor or Owner grant.
# terraform init && terraform plan && terraform apply (Terraform 1.5 or later: import blocks).
# A setting turned off is imported first: azurerm refuses to create a setting that is on.
# Destroying this configuration turns these settings off and Defender for Servers back to Free (azurerm's delete),
# and azurerm turns off the Defender for Servers extensions no `extension` block lists.
terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
  }
}

# 1/3 Contoso Retail – EU (2217bead-dbc4-46cb-8e81-973e0becd7b0)
provider "azurerm" {
  alias           = "sub1"
  subscription_id = "2217bead-dbc4-46cb-8e81-973e0becd7b0"
  features {}
}

# Include Linux machines (WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW = false)
import {
  provider = azurerm.sub1
  to       = azurerm_security_center_setting.sub1_wdatp_exclude_linux_public_preview
  id       = "/subscriptions/2217bead-dbc4-46cb-8e81-973e0becd7b0/providers/Microsoft.Security/settings/WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW"
}

resource "azurerm_security_center_setting" "sub1_wdatp_exclude_linux_public_preview" {
  provider     = azurerm.sub1
  setting_name = "WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW"
  enabled      = false
}

# 2/3 Contoso Dev/Test (6d76b07e-881e-4162-ae2e-b1547f150524)
provider "azurerm" {
  alias           = "sub2"
  subscription_id = "6d76b07e-881e-4162-ae2e-b1547f150524"
  features {}
}

# Deploy the unified solution to Windows Server 2012 R2 and 2016 (WDATP_UNIFIED_SOLUTION = true)
resource "azurerm_security_center_setting" "sub2_wdatp_unified_solution" {
  provider     = azurerm.sub2
  setting_name = "WDATP_UNIFIED_SOLUTION"
  enabled      = true
}

# 3/3 Fabrikam (acquired) (451abd81-f1d6-4ed6-97f5-e837d70820fe)
provider "azurerm" {
  alias           = "sub3"
  subscription_id = "451abd81-f1d6-4ed6-97f5-e837d70820fe"
  features {}
}

# Include Linux machines (WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW = false)
import {
  provider = azurerm.sub3
  to       = azurerm_security_center_setting.sub3_wdatp_exclude_linux_public_preview
  id       = "/subscriptions/451abd81-f1d6-4ed6-97f5-e837d70820fe/providers/Microsoft.Security/settings/WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW"
}

resource "azurerm_security_center_setting" "sub3_wdatp_exclude_linux_public_preview" {
  provider     = azurerm.sub3
  setting_name = "WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW"
  enabled      = false
}

# Deploy the unified solution to Windows Server 2012 R2 and 2016 (WDATP_UNIFIED_SOLUTION = true)
resource "azurerm_security_center_setting" "sub3_wdatp_unified_solution" {
  provider     = azurerm.sub3
  setting_name = "WDATP_UNIFIED_SOLUTION"
  enabled      = true
  depends_on   = [azurerm_security_center_setting.sub3_wdatp_exclude_linux_public_preview]
}
