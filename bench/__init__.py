"""``make bench``: load real server processes with wrk on 127.0.0.1 and compare them to a floor.

The floor is a bare Litestar JSON endpoint served with the exact server settings the app ships
with (``bench/floor_app.py``); every other target's throughput is reported as a ratio to it.
Servers are listed in ``bench/servers.py`` and targets (one URL each) in ``bench/targets.py``.
"""
