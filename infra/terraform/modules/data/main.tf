# Buckets: KMS-encrypted, public access blocked, versioned, lifecycle-managed, access-logged.
# The MWAA source bucket is among them (MWAA requires versioning and blocked public access).

resource "aws_kms_key" "data" {
  description         = "${var.name} data at rest"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.data_key.json
  tags                = var.tags
}

data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "data_key" {
  # checkov:skip=CKV_AWS_111: the account-root statement is AWS's default key policy: it delegates access to IAM policies
  # checkov:skip=CKV_AWS_356: in a key policy, Resource "*" means this key only
  # checkov:skip=CKV_AWS_109: as above: the default statement that lets IAM policies grant use of the key
  statement {
    sid       = "AccountAdmin"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

resource "aws_s3_bucket" "logs" {
  bucket = "${var.name}-access-logs"
  tags   = var.tags
  # checkov:skip=CKV_AWS_18: this is the access-log target itself; logging it into itself would loop
  # checkov:skip=CKV_AWS_144: access logs are not replicated across regions (no DR requirement for them)
  # checkov:skip=CKV2_AWS_62: no event notifications are needed for access logs
}

resource "aws_s3_bucket" "landing" {
  bucket = "${var.name}-landing"
  tags   = var.tags
  # checkov:skip=CKV_AWS_144: cross-region replication is a DR decision left to each account
  # checkov:skip=CKV2_AWS_62: the pipeline polls the landing zone; no S3 event notifications are used
}

resource "aws_s3_bucket_logging" "landing" {
  bucket        = aws_s3_bucket.landing.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "landing/"
}

resource "aws_s3_bucket" "warehouse" {
  bucket = "${var.name}-warehouse"
  tags   = var.tags
  # checkov:skip=CKV_AWS_144: cross-region replication is a DR decision left to each account
  # checkov:skip=CKV2_AWS_62: the pipeline polls the landing zone; no S3 event notifications are used
}

resource "aws_s3_bucket_logging" "warehouse" {
  bucket        = aws_s3_bucket.warehouse.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "warehouse/"
}

resource "aws_s3_bucket" "athena_results" {
  bucket = "${var.name}-athena-results"
  tags   = var.tags
  # checkov:skip=CKV_AWS_144: cross-region replication is a DR decision left to each account
  # checkov:skip=CKV2_AWS_62: the pipeline polls the landing zone; no S3 event notifications are used
}

resource "aws_s3_bucket_logging" "athena_results" {
  bucket        = aws_s3_bucket.athena_results.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "athena-results/"
}

resource "aws_s3_bucket" "mwaa_source" {
  bucket = "${var.name}-mwaa-source"
  tags   = var.tags
  # checkov:skip=CKV_AWS_144: cross-region replication is a DR decision left to each account
  # checkov:skip=CKV2_AWS_62: the pipeline polls the landing zone; no S3 event notifications are used
}

resource "aws_s3_bucket_logging" "mwaa_source" {
  bucket        = aws_s3_bucket.mwaa_source.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "mwaa-source/"
}

resource "aws_s3_bucket_public_access_block" "landing" {
  bucket                  = aws_s3_bucket.landing.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "landing" {
  bucket = aws_s3_bucket.landing.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "landing" {
  bucket = aws_s3_bucket.landing.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "landing" {
  bucket = aws_s3_bucket.landing.id
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
  }
}

resource "aws_s3_bucket_public_access_block" "warehouse" {
  bucket                  = aws_s3_bucket.warehouse.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "warehouse" {
  bucket = aws_s3_bucket.warehouse.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "warehouse" {
  bucket = aws_s3_bucket.warehouse.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "warehouse" {
  bucket = aws_s3_bucket.warehouse.id
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
  }
}

resource "aws_s3_bucket_public_access_block" "athena_results" {
  bucket                  = aws_s3_bucket.athena_results.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "athena_results" {
  bucket = aws_s3_bucket.athena_results.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "athena_results" {
  bucket = aws_s3_bucket.athena_results.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "athena_results" {
  bucket = aws_s3_bucket.athena_results.id
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
  }
}

resource "aws_s3_bucket_public_access_block" "mwaa_source" {
  bucket                  = aws_s3_bucket.mwaa_source.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "mwaa_source" {
  bucket = aws_s3_bucket.mwaa_source.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "mwaa_source" {
  bucket = aws_s3_bucket.mwaa_source.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "mwaa_source" {
  bucket = aws_s3_bucket.mwaa_source.id
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
  }
}

resource "aws_s3_bucket_public_access_block" "logs" {
  bucket                  = aws_s3_bucket.logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "logs" {
  bucket = aws_s3_bucket.logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id
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
  }
}
