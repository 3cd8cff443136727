# One IAM Identity Center permission set per role in this environment.
# platform-admin operates the platform; data-engineer deploys DAGs and runs the pipeline;
# analyst reads reports through Athena.

resource "aws_ssoadmin_permission_set" "role" {
  for_each         = var.role_names
  name             = each.value
  description      = "airlake ${replace(each.key, "_", "-")} in ${var.name}"
  instance_arn     = var.instance_arn
  session_duration = var.session_duration
}

resource "aws_ssoadmin_managed_policy_attachment" "platform_admin" {
  instance_arn       = var.instance_arn
  permission_set_arn = aws_ssoadmin_permission_set.role["platform_admin"].arn
  managed_policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess"
}

resource "aws_ssoadmin_permission_set_inline_policy" "data_engineer" {
  instance_arn       = var.instance_arn
  permission_set_arn = aws_ssoadmin_permission_set.role["data_engineer"].arn
  inline_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Deploy", Effect = "Allow", Action = ["s3:PutObject", "s3:GetObject", "s3:ListBucket"], Resource = ["arn:aws:s3:::${var.name}-mwaa-source", "arn:aws:s3:::${var.name}-mwaa-source/*"] },
      { Sid = "Airflow", Effect = "Allow", Action = ["airflow:CreateWebLoginToken", "airflow:GetEnvironment"], Resource = ["arn:aws:airflow:*:*:environment/${var.name}", "arn:aws:airflow:*:*:role/${var.name}/*"] },
      { Sid = "Observe", Effect = "Allow", Action = ["elasticmapreduce:Describe*", "elasticmapreduce:List*"], Resource = ["arn:aws:elasticmapreduce:*:*:cluster/*"] },
      { Sid = "Logs", Effect = "Allow", Action = ["logs:GetLogEvents", "logs:FilterLogEvents"], Resource = ["arn:aws:logs:*:*:log-group:airflow-${var.name}-*"] },
    ]
  })
}

resource "aws_ssoadmin_permission_set_inline_policy" "analyst" {
  instance_arn       = var.instance_arn
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
