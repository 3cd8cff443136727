output "vpc_id" {
  description = "The environment's VPC."
  value       = aws_vpc.this.id
}

output "private_subnet_ids" {
  description = "The two private subnets MWAA and EMR run in."
  value       = aws_subnet.private[*].id
}

output "security_group_id" {
  description = "The self-referencing security group of MWAA."
  value       = aws_security_group.mwaa.id
}
