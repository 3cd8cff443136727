variable "name" {
  description = "MWAA environment name, e.g. airlake-production."
  type        = string
}

variable "airflow_version" {
  description = "Airflow version MWAA runs (same in every environment)."
  type        = string
}

variable "environment_class" {
  description = "Sizing: mw1.small | mw1.medium | mw1.large | mw1.xlarge | mw1.2xlarge."
  type        = string
}

variable "min_workers" {
  description = "Sizing: minimum Celery workers."
  type        = number
}

variable "max_workers" {
  description = "Sizing: maximum Celery workers."
  type        = number
}

variable "schedulers" {
  description = "Sizing: number of schedulers."
  type        = number
}

variable "source_bucket_arn" {
  description = "ARN of the versioned, non-public bucket holding dags/ and requirements.txt."
  type        = string
}

variable "data_bucket_arns" {
  description = "ARNs of the landing, warehouse and athena-results buckets the DAG reads and writes."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "KMS key of the data buckets."
  type        = string
}

variable "subnet_ids" {
  description = "Exactly two private subnets in two availability zones."
  type        = list(string)
}

variable "security_group_id" {
  description = "The self-referencing security group."
  type        = string
}

variable "emr_role_arns" {
  description = "EMR service role and EC2 instance role the DAG passes when it creates clusters."
  type        = list(string)
}

variable "athena_workgroup" {
  description = "Athena workgroup of the report queries."
  type        = string
}

variable "region" {
  description = "AWS region."
  type        = string
}
