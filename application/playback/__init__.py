"""Playing episodes and keeping viewers' progress."""
