"""A faithful mock of a city's cross-border e-commerce public service platform: CEB intake,
three-document matching, receipts and the customs workflow, with durable storage and metrics.

It is an asyncio (Starlette) application and never imports the load generator."""

from mock_platform.app import create_app
from mock_platform.settings import Settings

__all__ = ["Settings", "create_app"]
