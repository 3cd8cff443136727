variable "name" {
  description = "Prefix of every resource name, e.g. airlake-production."
  type        = string
}

variable "data_bucket_arns" {
  description = "Buckets the Spark steps read and write."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "KMS key of the data buckets."
  type        = string
}
