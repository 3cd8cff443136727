variable "name" {
  description = "Prefix of the permission set names, e.g. airlake-production."
  type        = string
}

variable "account_id" {
  description = "The environment's own AWS account, where the groups get their permission sets."
  type        = string
}

variable "group_names" {
  description = "Identity store group (display name) per role: platform_admin, data_engineer, analyst."
  type        = map(string)
}

variable "role_names" {
  description = "Permission set name per role: platform_admin, data_engineer, analyst."
  type        = map(string)
}

variable "session_duration" {
  description = "ISO-8601 session duration of every permission set."
  type        = string
  default     = "PT8H"
}
