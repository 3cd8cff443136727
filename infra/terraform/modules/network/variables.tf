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
