variable "name" {
  description = "Prefix of the permission set names, e.g. airlake-production."
  type        = string
}

variable "instance_arn" {
  description = "ARN of the IAM Identity Center instance."
  type        = string
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
