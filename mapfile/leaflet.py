"""Where Leaflet's own distribution files are: the PyPI package ``django-js-lib-leaflet``.

Both the web app (which serves them) and the standalone map files (which inline them)
read them from here; nothing here imports folium or Flask.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

LEAFLET_DIR = Path(str(files("js_lib_leaflet"))) / "static" / "js_lib_leaflet"
