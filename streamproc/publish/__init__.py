"""Getting alerts out: the Kafka alerts topic (from the worker) and webhook subscribers."""
