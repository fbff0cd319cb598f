"""Standalone HTML map files for sharing (``mapfile.maps``, built with folium).

Kept outside ``locator`` so the core library never imports folium; the CLI imports
``mapfile.maps`` only when a command is asked for ``--format html``. This package's own
``__init__`` imports nothing, so the web app can share ``mapfile.leaflet`` without folium.
"""
