"""`make bench`: throughput, latency and page weight of Rekam (see README.md here)."""
