"""The demo season: a simulated store, progress and air quality on the embedded default."""
