"""Deployment to AWS: the DAG's plan for a profile, EMR steps and clusters, Athena statements,
and the MWAA bundle."""
