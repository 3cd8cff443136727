variable "name" {
  description = "Prefix of every bucket name, e.g. airlake-production."
  type        = string
}

variable "noncurrent_days" {
  description = "Days after which noncurrent object versions expire."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags applied to every resource."
  type        = map(string)
  default     = {}
}

variable "retention_days" {
  description = "Days each bucket role keeps objects (e.g. landing = 30); a role not listed keeps them."
  type        = map(number)
  default     = {}
}
