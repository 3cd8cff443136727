output "bucket_arns" {
  description = "Bucket ARN by role (landing, warehouse, athena-results, mwaa-source)."
  value       = { for k, b in module.bucket : k => b.arn }
}

output "kms_key_arn" {
  description = "The key that encrypts the data buckets."
  value       = aws_kms_key.data.arn
}
