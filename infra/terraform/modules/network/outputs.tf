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

output "emr_subnet_id" {
  description = "The private subnet the EMR clusters run in (the VPN reaches its primary node there)."
  value       = aws_subnet.private[0].id
}

output "emr_primary_security_group_id" {
  description = "Extra security group of the EMR primary node (AdditionalMasterSecurityGroups): debug ports from the VPN."
  value       = aws_security_group.emr_primary_access.id
}

output "client_vpn_endpoint_id" {
  description = "The developers' Client VPN endpoint (empty where the environment has none)."
  value       = one(aws_ec2_client_vpn_endpoint.developers[*].id)
}
