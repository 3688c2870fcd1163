"""The embedded Kafka-protocol broker (Tansu) for demos, development and tests."""
