"""Webhook subscriptions and delivery.

Pure: :mod:`.signing` (Standard Webhooks), :mod:`.filters`, :mod:`.model` (subscription records),
:mod:`.delivery` (tasks, retry schedule, the request), :mod:`.ssrf` (URL and address guard).
I/O: :mod:`.sender` (one HTTP attempt), :mod:`.engine` (Kafka topics, agents, per-subscriber lanes),
:mod:`.replay` (dead letters back to delivery), :mod:`.subscribers` (bootstrap from configuration).
The subscriptions table and API are in :mod:`streamproc.worker.subscriptions`.
"""
