output "bucket_arns" {
  description = "Bucket ARN by role (landing, warehouse, athena-results, mwaa-source)."
  value = {
    landing          = aws_s3_bucket.landing.arn
    warehouse        = aws_s3_bucket.warehouse.arn
    "athena-results" = aws_s3_bucket.athena_results.arn
    "mwaa-source"    = aws_s3_bucket.mwaa_source.arn
  }
}

output "kms_key_arn" {
  description = "The key that encrypts the data buckets."
  value       = aws_kms_key.data.arn
}
