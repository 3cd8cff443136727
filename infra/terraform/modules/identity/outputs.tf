output "permission_set_arns" {
  description = "Permission set ARN per role."
  value       = { for k, p in aws_ssoadmin_permission_set.role : k => p.arn }
}
