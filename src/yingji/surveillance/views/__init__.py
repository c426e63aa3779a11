"""Surveillance pages. Every view reads through core.scoping and changes through surveillance.services."""
