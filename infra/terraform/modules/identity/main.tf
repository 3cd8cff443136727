# One IAM Identity Center permission set per role in this environment, and its assignment to
# the role's SSO group in this environment's account: who may do what where is the profile's
# [sso] groups and [roles] permission sets (infra/README.md shows them as one table).
# platform-admin operates the platform; data-engineer deploys DAGs, runs the pipeline and
# debugs on EMR; analyst reads reports through Athena.
#
# Identity Center is administered from one account of the organisation (its management account
# or delegated administrator): this module runs with that account's provider (aws.identity).

data "aws_ssoadmin_instances" "this" {}

locals {
  instance_arn      = tolist(data.aws_ssoadmin_instances.this.arns)[0]
  identity_store_id = tolist(data.aws_ssoadmin_instances.this.identity_store_ids)[0]
}

data "aws_identitystore_group" "role" {
  for_each          = var.group_names
  identity_store_id = local.identity_store_id

  alternate_identifier {
    unique_attribute {
      attribute_path  = "DisplayName"
      attribute_value = each.value
    }
  }
}

resource "aws_ssoadmin_account_assignment" "role" {
  for_each           = var.group_names
  instance_arn       = local.instance_arn
  permission_set_arn = aws_ssoadmin_permission_set.role[each.key].arn
  principal_type     = "GROUP"
  principal_id       = data.aws_identitystore_group.role[each.key].group_id
  target_type        = "AWS_ACCOUNT"
  target_id          = var.account_id
}

resource "aws_ssoadmin_permission_set" "role" {
  for_each         = var.role_names
  name             = each.value
  description      = "airlake ${replace(each.key, "_", "-")} in ${var.name}"
  instance_arn     = local.instance_arn
  session_duration = var.session_duration
}

resource "aws_ssoadmin_managed_policy_attachment" "platform_admin" {
  instance_arn       = local.instance_arn
  permission_set_arn = aws_ssoadmin_permission_set.role["platform_admin"].arn
  managed_policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess"
}

resource "aws_ssoadmin_permission_set_inline_policy" "data_engineer" {
  instance_arn       = local.instance_arn
  permission_set_arn = aws_ssoadmin_permission_set.role["data_engineer"].arn
  inline_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Deploy", Effect = "Allow", Action = ["s3:PutObject", "s3:GetObject", "s3:ListBucket"], Resource = ["arn:aws:s3:::${var.name}-mwaa-source", "arn:aws:s3:::${var.name}-mwaa-source/*"] },
      { Sid = "Airflow", Effect = "Allow", Action = ["airflow:CreateWebLoginToken", "airflow:GetEnvironment"], Resource = ["arn:aws:airflow:*:*:environment/${var.name}", "arn:aws:airflow:*:*:role/${var.name}/*"] },
      { Sid = "Observe", Effect = "Allow", Action = ["elasticmapreduce:Describe*", "elasticmapreduce:List*"], Resource = ["arn:aws:elasticmapreduce:*:*:cluster/*"] },
      { Sid = "Logs", Effect = "Allow", Action = ["logs:GetLogEvents", "logs:FilterLogEvents"], Resource = ["arn:aws:logs:*:*:log-group:airflow-${var.name}-*"] },
      { Sid = "EmrLogs", Effect = "Allow", Action = ["s3:GetObject"], Resource = ["arn:aws:s3:::${var.name}-warehouse/emr-logs/*"] },
      { Sid = "EmrLogsList", Effect = "Allow", Action = ["s3:ListBucket"], Resource = ["arn:aws:s3:::${var.name}-warehouse"], Condition = { StringLike = { "s3:prefix" = ["emr-logs/*"] } } },
      { Sid = "EmrLogsKey", Effect = "Allow", Action = ["kms:Decrypt"], Resource = ["arn:aws:kms:*:${var.account_id}:key/*"], Condition = { StringLike = { "kms:ViaService" = "s3.*.amazonaws.com" } } },
      { Sid = "VpnProfile", Effect = "Allow", Action = ["ec2:ExportClientVpnClientConfiguration"], Resource = ["arn:aws:ec2:*:${var.account_id}:client-vpn-endpoint/*"] },
      { Sid = "EmrPrimarySsh", Effect = "Allow", Action = ["ec2-instance-connect:SendSSHPublicKey"], Resource = ["arn:aws:ec2:*:${var.account_id}:instance/*"], Condition = { StringEquals = { "aws:ResourceTag/aws:elasticmapreduce:instance-group-role" = "MASTER", "ec2:osuser" = "hadoop" } } },
    ]
  })
}

resource "aws_ssoadmin_permission_set_inline_policy" "analyst" {
  instance_arn       = local.instance_arn
  permission_set_arn = aws_ssoadmin_permission_set.role["analyst"].arn
  inline_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Query", Effect = "Allow", Action = ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults"], Resource = ["arn:aws:athena:*:*:workgroup/${var.name}"] },
      { Sid = "Catalog", Effect = "Allow", Action = ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartitions"], Resource = ["arn:aws:glue:*:*:catalog", "arn:aws:glue:*:*:database/reports", "arn:aws:glue:*:*:table/reports/*"] },
      { Sid = "ReadReports", Effect = "Allow", Action = ["s3:GetObject", "s3:ListBucket"], Resource = ["arn:aws:s3:::${var.name}-warehouse", "arn:aws:s3:::${var.name}-warehouse/lake/reports/*"] },
    ]
  })
}
