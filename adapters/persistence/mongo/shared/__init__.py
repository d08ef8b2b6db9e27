"""What every Mongo repository shares: value codecs, error translation, keyset filters."""
