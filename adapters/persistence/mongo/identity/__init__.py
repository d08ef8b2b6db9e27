"""The identity context on MongoDB: studios, users, refresh sessions."""
