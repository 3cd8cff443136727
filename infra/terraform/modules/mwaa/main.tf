# The MWAA environment and its execution role, with least privilege: what MWAA itself needs
# (metrics, its source bucket, its log groups, its Celery queues, KMS through SQS) and what the
# airlake DAG calls (EMR steps on its own clusters, Athena in its workgroup, Glue, the data buckets).

data "aws_caller_identity" "current" {}

locals {
  account = data.aws_caller_identity.current.account_id
}

resource "aws_iam_role" "execution" {
  name = "${var.name}-execution"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = ["airflow.amazonaws.com", "airflow-env.amazonaws.com"] }
      Action    = "sts:AssumeRole"
    }]
  })
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "PublishMetrics"
    actions   = ["airflow:PublishMetrics"]
    resources = ["arn:aws:airflow:${var.region}:${local.account}:environment/${var.name}"]
  }
  statement {
    sid       = "DenyListAllBuckets"
    effect    = "Deny"
    actions   = ["s3:ListAllMyBuckets"]
    resources = [var.source_bucket_arn, "${var.source_bucket_arn}/*"]
  }
  statement {
    sid       = "SourceBucket"
    actions   = ["s3:GetObject*", "s3:GetBucket*", "s3:List*"]
    resources = [var.source_bucket_arn, "${var.source_bucket_arn}/*"]
  }
  statement {
    sid       = "OwnLogGroups"
    actions   = ["logs:CreateLogStream", "logs:CreateLogGroup", "logs:PutLogEvents", "logs:GetLogEvents", "logs:GetLogRecord", "logs:GetLogGroupFields", "logs:GetQueryResults"]
    resources = ["arn:aws:logs:${var.region}:${local.account}:log-group:airflow-${var.name}-*"]
  }
  statement {
    sid       = "CeleryQueues"
    actions   = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage", "sqs:SendMessage"]
    resources = ["arn:aws:sqs:${var.region}:*:airflow-celery-*"]
  }
  statement {
    sid       = "KmsViaSqs"
    actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*", "kms:Encrypt"]
    resources = [var.kms_key_arn]
    condition {
      test     = "StringLike"
      variable = "kms:ViaService"
      values   = ["sqs.${var.region}.amazonaws.com", "s3.${var.region}.amazonaws.com"]
    }
  }
  statement {
    sid       = "DataBuckets"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:GetBucketLocation"]
    resources = concat(var.data_bucket_arns, [for arn in var.data_bucket_arns : "${arn}/*"])
  }
  statement {
    sid       = "EmrOwnClusters"
    actions   = ["elasticmapreduce:RunJobFlow", "elasticmapreduce:AddJobFlowSteps", "elasticmapreduce:DescribeStep", "elasticmapreduce:DescribeCluster", "elasticmapreduce:ListSteps", "elasticmapreduce:TerminateJobFlows", "elasticmapreduce:AddTags"]
    resources = ["arn:aws:elasticmapreduce:${var.region}:${local.account}:cluster/*"]
  }
  statement {
    # the intraday DAG finds its business day's cluster by name; ListClusters has no
    # resource-level permission in IAM, so it is granted on "*" (it reads, it changes nothing)
    sid       = "EmrFindIntradayCluster"
    actions   = ["elasticmapreduce:ListClusters"]
    resources = ["*"]
  }
  statement {
    sid       = "PassEmrRoles"
    actions   = ["iam:PassRole"]
    resources = var.emr_role_arns
  }
  statement {
    sid       = "AthenaWorkgroup"
    actions   = ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:StopQueryExecution"]
    resources = ["arn:aws:athena:${var.region}:${local.account}:workgroup/${var.athena_workgroup}"]
  }
  statement {
    sid       = "GlueCatalog"
    actions   = ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartitions", "glue:CreateTable", "glue:UpdateTable", "glue:DeleteTable"]
    resources = [
      "arn:aws:glue:${var.region}:${local.account}:catalog",
      "arn:aws:glue:${var.region}:${local.account}:database/*",
      "arn:aws:glue:${var.region}:${local.account}:table/*/*",
    ]
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "airlake-execution"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

resource "aws_mwaa_environment" "this" {
  name                            = var.name
  airflow_version                 = var.airflow_version
  environment_class               = var.environment_class
  min_workers                     = var.min_workers
  max_workers                     = var.max_workers
  schedulers                      = var.schedulers
  execution_role_arn              = aws_iam_role.execution.arn
  source_bucket_arn               = var.source_bucket_arn
  dag_s3_path                     = "dags/"
  requirements_s3_path            = "requirements.txt"
  webserver_access_mode           = "PRIVATE_ONLY"
  kms_key                         = var.kms_key_arn

  network_configuration {
    security_group_ids = [var.security_group_id]
    subnet_ids         = var.subnet_ids
  }

  logging_configuration {
    dag_processing_logs {
      enabled   = true
      log_level = "INFO"
    }
    scheduler_logs {
      enabled   = true
      log_level = "INFO"
    }
    task_logs {
      enabled   = true
      log_level = "INFO"
    }
    webserver_logs {
      enabled   = true
      log_level = "WARNING"
    }
    worker_logs {
      enabled   = true
      log_level = "INFO"
    }
  }
}
