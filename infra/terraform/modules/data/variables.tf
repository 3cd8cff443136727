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
