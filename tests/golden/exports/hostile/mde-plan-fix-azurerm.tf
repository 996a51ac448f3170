# MDE Console plan: Turn the integration fully on (Fix)
# 4 subscriptions to change, 8 writes to ARM (https://management.azure.com); each subscription's writes in order, Defender for Servers first.
# Turns on Defender for Servers Plan 2 (pricing VirtualMachines = Standard, subPlan P2) in 1 subscription: billed per server per hour.
# Skipped (2):
#   - Skip me $(touch /tmp/mde-export-marks/s1) */ (22222222-2222-4222-8222-222222222222): You may not change this subscription: it takes 'Security Admin' or "Owner". Really.
#   - Contoso Done (33333333-3333-4333-8333-333333333333): Already so: nothing to change.
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

# 1/4 Contoso Prod (00000000-0000-4000-8000-000000000001)
provider "azurerm" {
  alias           = "sub1"
  subscription_id = "00000000-0000-4000-8000-000000000001"
  features {}
}

# Turn on Defender for Servers Plan 2 (pricing VirtualMachines = Standard, subPlan P2): billed per server per hour
resource "azurerm_security_center_subscription_pricing" "sub1_servers" {
  provider      = azurerm.sub1
  tier          = "Standard"
  resource_type = "VirtualMachines"
  subplan       = "P2"
}

# Turn the Defender for Endpoint integration on (WDATP = true)
resource "azurerm_security_center_setting" "sub1_wdatp" {
  provider     = azurerm.sub1
  setting_name = "WDATP"
  enabled      = true
  depends_on   = [azurerm_security_center_subscription_pricing.sub1_servers]
}

# Include Linux machines (WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW = false)
import {
  provider = azurerm.sub1
  to       = azurerm_security_center_setting.sub1_wdatp_exclude_linux_public_preview
  id       = "/subscriptions/00000000-0000-4000-8000-000000000001/providers/Microsoft.Security/settings/WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW"
}

resource "azurerm_security_center_setting" "sub1_wdatp_exclude_linux_public_preview" {
  provider     = azurerm.sub1
  setting_name = "WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW"
  enabled      = false
  depends_on   = [azurerm_security_center_setting.sub1_wdatp]
}

# Deploy the unified solution to Windows Server 2012 R2 and 2016 (WDATP_UNIFIED_SOLUTION = true)
resource "azurerm_security_center_setting" "sub1_wdatp_unified_solution" {
  provider     = azurerm.sub1
  setting_name = "WDATP_UNIFIED_SOLUTION"
  enabled      = true
  depends_on   = [azurerm_security_center_setting.sub1_wdatp_exclude_linux_public_preview]
}

# 2/4 Fin'ance "Ops" $(touch /tmp/mde-export-marks/n1) `touch /tmp/mde-export-marks/n2` ${HOME} %{x} */ <# #> ‘q’ ‚r‛ \ end # injected $(touch /tmp/mde-export-marks/n3)  [concat('a')]  gnp.exe Ò (Start-Process calc.exe; touch /tmp/mde-export-marks/n4) Ò Ñ Â 中'; touch /tmp/mde-export-marks/n5 #  (11111111-1111-4111-8111-111111111111)
provider "azurerm" {
  alias           = "sub2"
  subscription_id = "11111111-1111-4111-8111-111111111111"
  features {}
}

# Include Linux machines (WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW = false)
import {
  provider = azurerm.sub2
  to       = azurerm_security_center_setting.sub2_wdatp_exclude_linux_public_preview
  id       = "/subscriptions/11111111-1111-4111-8111-111111111111/providers/Microsoft.Security/settings/WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW"
}

resource "azurerm_security_center_setting" "sub2_wdatp_exclude_linux_public_preview" {
  provider     = azurerm.sub2
  setting_name = "WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW"
  enabled      = false
}

# Deploy the unified solution to Windows Server 2012 R2 and 2016 (WDATP_UNIFIED_SOLUTION = true)
resource "azurerm_security_center_setting" "sub2_wdatp_unified_solution" {
  provider     = azurerm.sub2
  setting_name = "WDATP_UNIFIED_SOLUTION"
  enabled      = true
  depends_on   = [azurerm_security_center_setting.sub2_wdatp_exclude_linux_public_preview]
}

# 3/4 O'Brien ‘Dev’ ${x} $(touch /tmp/mde-export-marks/o1) `touch /tmp/mde-export-marks/o2` \ ([x'"$(touch /tmp/mde-export-marks/i1)`touch /tmp/mde-export-marks/i2`${y}%{z}*/ #中'$(touch /tmp/mde-export-marks/i3)Ò ‘])
provider "azurerm" {
  alias           = "sub3"
  subscription_id = "[x'\"$(touch /tmp/mde-export-marks/i1)`touch /tmp/mde-export-marks/i2`$${y}%%{z}*/\n#中'$(touch /tmp/mde-export-marks/i3)Ò ‘]"
  features {}
}

# Turn the Defender for Endpoint integration on (WDATP = true)
resource "azurerm_security_center_setting" "sub3_wdatp" {
  provider     = azurerm.sub3
  setting_name = "WDATP"
  enabled      = true
}

# 4/4 Dash (--debug -o none)
provider "azurerm" {
  alias           = "sub4"
  subscription_id = "--debug -o none"
  features {}
}

# Turn the Defender for Endpoint integration on (WDATP = true)
resource "azurerm_security_center_setting" "sub4_wdatp" {
  provider     = azurerm.sub4
  setting_name = "WDATP"
  enabled      = true
}
