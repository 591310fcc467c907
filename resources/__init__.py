"""Data files shipped with Hearth (installed as the `hearth_resources` package)."""
