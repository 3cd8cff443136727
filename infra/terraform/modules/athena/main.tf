resource "aws_athena_workgroup" "this" {
  name = var.name
  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.bytes_scanned_cutoff
    result_configuration {
      output_location = "s3://${var.results_bucket}/results/"
      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = var.kms_key_arn
      }
    }
  }
}

resource "aws_glue_catalog_database" "namespaces" {
  for_each = toset(["raw", "clean", "reports"])
  name     = each.value
}
