variable "name" {
  description = "Prefix of every resource name, e.g. airlake-production."
  type        = string
}

variable "results_bucket" {
  description = "Name of the bucket Athena writes query results to."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key for query results."
  type        = string
}

variable "bytes_scanned_cutoff" {
  description = "Per-query limit on bytes scanned (cost guard)."
  type        = number
}
