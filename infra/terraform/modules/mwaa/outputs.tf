output "execution_role_arn" {
  description = "The MWAA execution role."
  value       = aws_iam_role.execution.arn
}

output "webserver_url" {
  description = "The private Airflow UI."
  value       = aws_mwaa_environment.this.webserver_url
}
