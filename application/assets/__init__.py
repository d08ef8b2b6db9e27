"""Assets: the studio's catalogue, its versions, dependencies and review workflow."""
