"""Offline service locator for the public workforce system.

The core library: sites, the store, the spatial index, the offline geocoder, public-data
importers and the coverage engine. It imports neither Flask nor folium, so everything a job
seeker or planner can ask is answerable from Python and from the ``locator`` command.
"""

__version__ = "0.1.0"
