output "permission_set_arns" {
  description = "Permission set ARN per role."
  value       = { for k, p in aws_ssoadmin_permission_set.role : k => p.arn }
}

output "group_ids" {
  description = "Identity store group id per role (the VPN's authorization rules name them)."
  value       = { for k, g in data.aws_identitystore_group.role : k => g.group_id }
}
