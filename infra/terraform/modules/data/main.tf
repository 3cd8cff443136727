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

module "logs" {
  source      = "../bucket"
  name        = "${var.name}-access-logs"
  kms_key_arn = aws_kms_key.data.arn
  tags        = var.tags
}

module "bucket" {
  for_each    = toset(["landing", "warehouse", "athena-results", "mwaa-source"])
  source      = "../bucket"
  name            = "${var.name}-${each.value}"
  kms_key_arn     = aws_kms_key.data.arn
  log_bucket      = module.logs.id
  expiration_days = lookup(var.retention_days, each.value, 0)
  tags        = var.tags
}
