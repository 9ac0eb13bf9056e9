"""Bundled Lao PDR administrative geography: provinces, districts and demo villages."""
