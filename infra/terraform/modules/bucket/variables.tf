variable "name" {
  description = "Bucket name."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the bucket by default."
  type        = string
}

variable "log_bucket" {
  description = "Bucket receiving this bucket's access logs; empty for the log bucket itself."
  type        = string
  default     = ""
}

variable "noncurrent_days" {
  description = "Days after which noncurrent object versions expire."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags of the bucket."
  type        = map(string)
  default     = {}
}

variable "expiration_days" {
  description = "Days after which current objects expire (the layer's retention); 0 keeps them."
  type        = number
  default     = 0
}
