output "role_arns" {
  description = "Service role and EC2 role (for the MWAA execution role's iam:PassRole)."
  value       = [aws_iam_role.service.arn, aws_iam_role.ec2.arn]
}
