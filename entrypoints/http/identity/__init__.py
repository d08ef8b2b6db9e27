"""HTTP routes of the identity context: /auth, /users, /studios, /.well-known/jwks.json."""
