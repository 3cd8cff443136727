# Developer access: an AWS Client VPN endpoint through which developers debug Spark on the EMR
# primary node without a deployment. Authentication is SAML against IAM Identity Center (the
# same sign-in as the console), so who may connect is decided by SSO groups, never by a
# certificate handed around; the network each group may reach is decided by the authorization
# rules below, and the ports by the primary node's security group.
#
# Switched on per environment by the profile's [sizing] vpn_enabled (off in production unless
# enabled there). The security groups exist in every environment: EMR attaches the primary
# node's group to every cluster, with or without a VPN.

locals {
  vpn_count = var.vpn_enabled ? 1 : 0
  # The EMR clusters run in the first private subnet (an instance-group cluster has one subnet).
  emr_subnet_cidr = aws_subnet.private[0].cidr_block
  # What a Spark developer needs on the primary node, and nothing wider: SSH, the YARN
  # ResourceManager, its web proxy (the UI of a running Spark application) and the Spark
  # history server.
  emr_debug_ports = {
    ssh                 = 22
    yarn-resourcemanager = 8088
    spark-history       = 18080
    yarn-web-proxy      = 20888
  }
}

resource "aws_iam_saml_provider" "client_vpn" {
  count = local.vpn_count
  name  = "${var.name}-client-vpn"
  # IAM Identity Center's metadata of the Client VPN application (an input: it is the
  # organisation's, downloaded from the Identity Center console); read only where the VPN is on
  saml_metadata_document = file(var.vpn_saml_metadata_file)
}

data "aws_acm_certificate" "client_vpn" {
  count       = local.vpn_count
  domain      = var.vpn_server_certificate_domain
  statuses    = ["ISSUED"]
  most_recent = true
}

resource "aws_cloudwatch_log_group" "client_vpn" {
  name              = "/${var.name}/client-vpn"
  retention_in_days = 365
  kms_key_id        = aws_kms_key.logs.arn
}

resource "aws_cloudwatch_log_stream" "client_vpn" {
  name           = "connections"
  log_group_name = aws_cloudwatch_log_group.client_vpn.name
}

resource "aws_ec2_client_vpn_endpoint" "developers" {
  count                  = local.vpn_count
  description            = "${var.name} developer access to the EMR primary node"
  server_certificate_arn = data.aws_acm_certificate.client_vpn[0].arn
  client_cidr_block      = var.vpn_client_cidr
  # only the VPC's routes go through the tunnel: a developer's other traffic stays local
  split_tunnel          = true
  vpc_id                = aws_vpc.this.id
  security_group_ids    = [aws_security_group.client_vpn.id]
  dns_servers           = [cidrhost(var.vpc_cidr, 2)] # the VPC's resolver: private names resolve
  session_timeout_hours = 8
  transport_protocol    = "udp"
  self_service_portal   = "disabled"

  authentication_options {
    type              = "federated-authentication"
    saml_provider_arn = aws_iam_saml_provider.client_vpn[0].arn
  }

  connection_log_options {
    enabled               = true
    cloudwatch_log_group  = aws_cloudwatch_log_group.client_vpn.name
    cloudwatch_log_stream = aws_cloudwatch_log_stream.client_vpn.name
  }

  client_login_banner_options {
    enabled     = true
    banner_text = "${var.name}: connections are logged. Debug access to the EMR primary node only."
  }

  tags = merge(var.tags, { Name = "${var.name}-client-vpn" })
}

resource "aws_ec2_client_vpn_network_association" "private" {
  count                  = var.vpn_enabled ? 2 : 0
  client_vpn_endpoint_id = aws_ec2_client_vpn_endpoint.developers[0].id
  subnet_id              = aws_subnet.private[count.index].id
}

# Each association adds the VPC's own route; this one names where developers go, through
# either association, so the route survives a change of the VPC's range.
resource "aws_ec2_client_vpn_route" "emr_primary" {
  count                  = var.vpn_enabled ? 2 : 0
  client_vpn_endpoint_id = aws_ec2_client_vpn_endpoint.developers[0].id
  destination_cidr_block = local.emr_subnet_cidr
  target_vpc_subnet_id   = aws_ec2_client_vpn_network_association.private[count.index].subnet_id
  description            = "EMR primary node's subnet"
}

# One rule per SSO group allowed in, to the EMR primary node's subnet only; groups not listed
# (analysts) are admitted to nothing. Never authorize_all_groups.
resource "aws_ec2_client_vpn_authorization_rule" "emr_primary" {
  for_each               = toset(var.vpn_enabled ? var.vpn_roles : [])
  client_vpn_endpoint_id = aws_ec2_client_vpn_endpoint.developers[0].id
  target_network_cidr    = local.emr_subnet_cidr
  access_group_id        = var.group_ids[each.key]
  description            = "${each.key} may reach the EMR primary node's subnet"
}

# No inline rules: Terraform drops the default allow-all egress, so the VPN's interfaces send
# only what the rules below allow (security groups never filter the VPC's DNS resolver).
resource "aws_security_group" "client_vpn" {
  name        = "${var.name}-client-vpn"
  description = "Client VPN network interfaces: developers' traffic leaves only for the EMR primary node's debug ports"
  vpc_id      = aws_vpc.this.id
  tags        = merge(var.tags, { Name = "${var.name}-client-vpn" })
}

resource "aws_security_group" "emr_primary_access" {
  # checkov:skip=CKV2_AWS_5: EMR attaches it to the primary node of each transient cluster (AdditionalMasterSecurityGroups); clusters are created by the DAG, not by Terraform
  name        = "${var.name}-emr-primary-access"
  description = "Extra group of the EMR primary node: the debug ports, from the Client VPN only"
  vpc_id      = aws_vpc.this.id
  tags        = merge(var.tags, { Name = "${var.name}-emr-primary-access" })
}

# The Client VPN translates each developer's address to its own interface in the subnet
# (source NAT), so the primary node sees the VPN's security group, not the client range:
# the rules name that group.
resource "aws_security_group_rule" "client_vpn_to_emr_primary" {
  for_each                 = local.emr_debug_ports
  type                     = "egress"
  security_group_id        = aws_security_group.client_vpn.id
  source_security_group_id = aws_security_group.emr_primary_access.id
  protocol                 = "tcp"
  from_port                = each.value
  to_port                  = each.value
  description              = "${each.key} on the EMR primary node"
}

resource "aws_security_group_rule" "emr_primary_from_client_vpn" {
  for_each                 = local.emr_debug_ports
  type                     = "ingress"
  security_group_id        = aws_security_group.emr_primary_access.id
  source_security_group_id = aws_security_group.client_vpn.id
  protocol                 = "tcp"
  from_port                = each.value
  to_port                  = each.value
  description              = "${each.key} from developers on the Client VPN"
}
