"""``tipsim explore``: a Mesa SolaraViz dashboard of two policies side by side on one seed.

:mod:`experiments.explore.pair` holds the model the dashboard steps (no web dependency);
:mod:`experiments.explore.app` is the Solara page; :mod:`experiments.explore.launcher` starts
``solara run`` on a local port. The web packages come with ``pip install -e ".[explore]"``.
"""
