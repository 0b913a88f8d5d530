"""Search: spaces, measurement, the tuner and its database."""
