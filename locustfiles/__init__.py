"""The load generator: Locust users that replay scenarios as an open-model arrival rate.

Only `locustfiles/ceb_platform.py` (the locustfile Locust loads) and the modules it names import
locust or gevent; the rest (parcels, results) are plain Python that reports and tests may import."""
