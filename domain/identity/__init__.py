"""Identity: studios (the tenants), their users and roles, sign-in sessions."""
