"""Raw Kafka bytes -> validated :class:`~streamproc.ingest.article.Article`, or a dead-letter reason."""
