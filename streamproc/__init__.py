"""streamproc: raw news articles in, conflict-escalation alerts out.

The data's path through the package mirrors the folder layout:

    ingest/    raw bytes -> validated :class:`~streamproc.ingest.article.Article` (or a dead letter)
    text/      normalisation, tokens, sentences, page chrome: shared by everything that reads text
    classify/  Article -> categories, evidence, casualty counts, severity  (pure)
    enrich/    Article -> entities resolved to ids, countries, coordinates   (pure)
    alerts/    classification + entities -> versioned alert document        (pure)
    publish/   alert -> Kafka topic and webhook subscribers                  (I/O glue)
    worker/    the Faust app, agent and web views that wire it together      (I/O glue)

Everything above ``publish/`` knows nothing of Kafka or HTTP and is tested directly.


The public entry point for library use is :class:`streamproc.pipeline.Pipeline` (bytes in, outcome
out); this module stays import-light so the CLI starts fast.
"""

__version__ = "0.1.0"
