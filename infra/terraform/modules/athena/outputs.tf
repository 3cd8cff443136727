output "workgroup" {
  description = "The Athena workgroup the DAG's report queries run in."
  value       = aws_athena_workgroup.this.name
}
