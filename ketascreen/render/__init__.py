"""Renderers: pure functions from values to text; they never read files or talk to a terminal."""
