"""Assets: the studio's catalogue of characters, props, environments, rigs and the rest."""
