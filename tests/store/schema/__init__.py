"""Tests of store.schema."""
