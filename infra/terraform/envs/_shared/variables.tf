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

variable "sso_instance_arn" {
  description = "IAM Identity Center instance ARN of the organisation."
  type        = string
  default     = ""
}

variable "landing_retention_days" {
  description = "Days the landing bucket keeps event files (the profile's retention.landing_days; 0 keeps them)."
  type        = number
  default     = 30
}
