"""The Litestar HTTP shell."""
