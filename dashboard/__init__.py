"""The convergence monitor: app factory, configuration, page registry and command line."""
from dashboard.app import create_app

__all__ = ["create_app"]
