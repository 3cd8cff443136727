variable "environment" {
  description = "sandbox | test | production."
  type        = string
}

variable "name" {
  description = "Resource name prefix: airlake-<environment>."
  type        = string
}

variable "region" {
  description = "AWS region."
  type        = string
}

variable "vpc_cidr" {
  description = "The environment's VPC range (per environment by design)."
  type        = string
}

variable "availability_zones" {
  description = "The two availability zones of the private subnets."
  type        = list(string)
}

variable "airflow_version" {
  description = "MWAA Airflow version (the same in every environment)."
  type        = string
}

variable "mwaa_environment_class" {
  description = "Sizing: MWAA environment class."
  type        = string
}

variable "mwaa_min_workers" {
  description = "Sizing: minimum MWAA workers."
  type        = number
}

variable "mwaa_max_workers" {
  description = "Sizing: maximum MWAA workers."
  type        = number
}

variable "mwaa_schedulers" {
  description = "Sizing: MWAA schedulers."
  type        = number
}

variable "athena_bytes_scanned_cutoff" {
  description = "Sizing: Athena per-query scan limit in bytes."
  type        = number
}

variable "role_names" {
  description = "Permission set name per role (platform_admin, data_engineer, analyst)."
  type        = map(string)
}

variable "account_id" {
  description = "The environment's own AWS account (per environment by design)."
  type        = string
}

variable "deploy_role" {
  description = "Role Terraform assumes in the environment's account and in the Identity Center account."
  type        = string
}

variable "sso_account_id" {
  description = "Account administering IAM Identity Center (management account or delegated administrator)."
  type        = string
}

variable "sso_region" {
  description = "Region of the IAM Identity Center instance."
  type        = string
}

variable "group_names" {
  description = "Identity store group (display name) per role: platform_admin, data_engineer, analyst."
  type        = map(string)
}

variable "vpn_enabled" {
  description = "Sizing: whether the environment has the developers' Client VPN."
  type        = bool
}

variable "vpn_client_cidr" {
  description = "Address range handed to VPN clients (outside the VPC's range)."
  type        = string
}

variable "vpn_server_certificate_domain" {
  description = "Domain of the VPN server certificate in the environment's ACM."
  type        = string
}

variable "vpn_roles" {
  description = "Roles whose SSO group the VPN admits to the EMR primary node's subnet."
  type        = list(string)
}

variable "vpn_saml_metadata_file" {
  description = "IAM Identity Center's SAML metadata of the Client VPN application, beside terraform.tfvars.json (read only where vpn_enabled)."
  type        = string
  default     = "client-vpn-saml-metadata.xml"
}

variable "landing_retention_days" {
  description = "Days the landing bucket keeps event files (the profile's retention.landing_days; 0 keeps them)."
  type        = number
  default     = 30
}
