# One bucket as every airlake bucket is: KMS-encrypted by default, public access blocked,
# versioned, noncurrent versions expired, incomplete uploads aborted, access-logged.

resource "aws_s3_bucket" "this" {
  bucket = var.name
  tags   = var.tags
  # checkov:skip=CKV_AWS_144: cross-region replication is a DR decision left to each account
  # checkov:skip=CKV2_AWS_62: the pipeline polls the landing zone; no S3 event notifications are used
  # checkov:skip=CKV_AWS_18: logging is configured below when log_bucket is set; the log bucket itself is not logged into itself
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    id     = "expire-noncurrent-and-abort-uploads"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
    # The layer's retention: objects older than this expire (then their noncurrent versions
    # expire after noncurrent_days). Only for buckets of plain files, such as landing: Iceberg
    # tables keep their own files and are trimmed by `airlake maintain` instead. One rule, so
    # the abort of failed uploads applies to it too.
    dynamic "expiration" {
      for_each = var.expiration_days > 0 ? [var.expiration_days] : []
      content {
        days = expiration.value
      }
    }
  }
}

resource "aws_s3_bucket_logging" "this" {
  count         = var.log_bucket == "" ? 0 : 1
  bucket        = aws_s3_bucket.this.id
  target_bucket = var.log_bucket
  target_prefix = "${var.name}/"
}
