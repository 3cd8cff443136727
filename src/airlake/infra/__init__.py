"""Infrastructure as code support: Terraform inputs from the profiles, and `airlake verify`."""
