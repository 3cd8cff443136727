variable "name" {
  description = "Prefix of every resource name, e.g. airlake-production."
  type        = string
}

variable "vpc_cidr" {
  description = "CIDR block of the environment's own VPC (MWAA cannot use shared subnets)."
  type        = string
}

variable "availability_zones" {
  description = "The two availability zones of the private subnets (pinned, so a plan never moves them)."
  type        = list(string)
  validation {
    condition     = length(var.availability_zones) == 2
    error_message = "MWAA needs exactly two private subnets in two availability zones."
  }
}

variable "region" {
  description = "AWS region, used for the VPC endpoint service names."
  type        = string
}

variable "tags" {
  description = "Tags applied to every resource."
  type        = map(string)
  default     = {}
}

variable "vpn_enabled" {
  description = "Sizing: whether this environment has the developers' Client VPN endpoint."
  type        = bool
  default     = false
}

variable "vpn_client_cidr" {
  description = "Address range handed to VPN clients (must not overlap the VPC's range)."
  type        = string
  default     = "172.16.0.0/22"
}

variable "vpn_server_certificate_domain" {
  description = "Domain of the VPN's server certificate in ACM (issued or imported there)."
  type        = string
  default     = ""
}

variable "vpn_saml_metadata_file" {
  description = "Path of IAM Identity Center's SAML metadata document of the Client VPN application."
  type        = string
  default     = ""
}

variable "vpn_roles" {
  description = "Roles (platform_admin, data_engineer, analyst) whose SSO group the VPN admits to the EMR primary node's subnet."
  type        = list(string)
  default     = []
}

variable "group_ids" {
  description = "Identity store group id per role (the identity module's group_ids)."
  type        = map(string)
  default     = {}
}
