"""``streamproc`` command line: worker, demo, produce, classify, rules, eval, bench, webhooks, dlq, config."""

from __future__ import annotations

import argparse
import logging
import sys

from streamproc import __version__
from streamproc.ingest.decode import Reason

#: What ``streamproc dlq --reason`` accepts: the worker's dead-letter reasons.
DLQ_REASONS = tuple(reason.value for reason in Reason)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="streamproc", description="Conflict-escalation alerts from news articles.")
    p.add_argument("--version", action="version", version=f"streamproc {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    sub.add_parser("worker", help="run a stream worker (embedded broker when STREAMPROC_BROKER is unset)")

    d = sub.add_parser("demo", help="embedded broker + worker + webhook receiver + sample articles")
    d.add_argument("--follow", action="store_true", help="keep running after the samples")
    d.add_argument("--seed", default=None, help="seed article (text file) to add to the feed; default: "
                   "../shared/seed/article-ar-2020-07-13.txt when present")
    d.add_argument("--timeout", type=float, default=90.0, help="seconds to wait for the expected alerts")

    pr = sub.add_parser("produce", help="send articles (JSON lines file, or a directory of .txt/.json) to Kafka")
    pr.add_argument("path")
    pr.add_argument("--broker", default=None, help="kafka://host:port (default: STREAMPROC_BROKER)")
    pr.add_argument("--topic", default=None, help="default: STREAMPROC_TOPIC_ARTICLES")

    c = sub.add_parser("classify", help="classify one article (text or JSON file), or a TSV batch")
    c.add_argument("path", help="a text or JSON article file; with --tsv a TSV (id, text, optional lang)")
    c.add_argument("--tsv", action="store_true", help="batch mode: one JSON line per TSV row")
    c.add_argument("--lang", default=None, help="language code (default: declared or detected)")
    c.add_argument("--json", action="store_true", help="print the full alert JSON")

    r = sub.add_parser("rules", help="validate the rule files or explain a text")
    rsub = r.add_subparsers(dest="rules_command", required=True)
    rsub.add_parser("check", help="load and validate every rule and entity file")
    ex = rsub.add_parser("explain", help="what matched in TEXT, what was suppressed, why the severity")
    ex.add_argument("text")
    ex.add_argument("--lang", default=None)
    ex.add_argument("--published", default=None, metavar="DATE",
                    help="the article's publication date (ISO 8601): a year two or more before it, among the "
                         "first six words of a sentence, dates that sentence")

    ev = sub.add_parser("eval", help="score the classifier on labelled TSV files (shared/eval format)")
    ev.add_argument("paths", nargs="+")
    ev.add_argument("--detect", action="store_true", help="ignore the lang column and detect the language")

    eg = sub.add_parser("eval-geo", help="primary-country accuracy and location recall on a gold TSV "
                        "(id, text, country, location)")
    eg.add_argument("paths", nargs="+")
    eg.add_argument("--detect", action="store_true", help="ignore the lang column and detect the language")
    eg.add_argument("--verbose", "-v", action="store_true", help="list the rows that missed")

    b = sub.add_parser("bench", help="throughput of the pure pipeline on one core, and each stage's cost")
    b.add_argument("paths", nargs="*", help="JSON-lines article files (default: the bundled samples)")
    b.add_argument("--seconds", type=float, default=5.0)
    b.add_argument("--size", type=int, default=3000, help="pad articles to about this many bytes")

    w = sub.add_parser("webhooks", help="webhook delivery tools")
    wsub = w.add_subparsers(dest="webhooks_command", required=True)
    rp = wsub.add_parser("replay", help="send dead-lettered webhook deliveries again (same webhook-id)")
    rp.add_argument("--broker", default=None, help="kafka://host:port (default: STREAMPROC_BROKER)")
    rp.add_argument("--subscription", default=None, help="only this subscription's dead letters")
    rp.add_argument("--all", action="store_true", help="from the beginning of the dead-letter topic, not "
                    "only those not replayed yet")
    rp.add_argument("--dry-run", action="store_true", help="list what would be replayed")

    dq = sub.add_parser("dlq", help="the articles' dead letters: list them, or send them back to be processed")
    dsub = dq.add_subparsers(dest="dlq_command", required=True)
    dl = dsub.add_parser("list", help="count the dead letters by reason and show the last ones")
    dl.add_argument("--limit", type=int, default=20, help="how many of the last dead letters to show (20)")
    dr = dsub.add_parser("replay", help="send dead letters back to the input topic, once each, byte for byte")
    dr.add_argument("--all", action="store_true", help="from the beginning of the dead-letter topic, not "
                    "only those not replayed yet")
    dr.add_argument("--dry-run", action="store_true", help="list what would be replayed")
    for parser in (dl, dr):
        parser.add_argument("--broker", default=None, help="kafka://host:port (default: STREAMPROC_BROKER)")
        parser.add_argument("--reason", action="append", default=[], choices=DLQ_REASONS, metavar="REASON",
                            help="only dead letters of this reason (repeatable: " + ", ".join(DLQ_REASONS) +
                            "); replay then remembers what it sent of them in a consumer group of their own")

    c = sub.add_parser("config", help="print every STREAMPROC_* variable with its value in force")
    c.add_argument("--markdown", action="store_true", help="print the README's configuration table instead")
    return p


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    from streamproc.broker.embedded import BrokerUnavailable
    from streamproc.config import Settings
    from streamproc.data import DataError, DataErrors
    from streamproc.publish.webhooks.subscribers import SubscriberConfigError

    try:
        settings = Settings.from_env()
    except ValueError as exc:
        print(f"streamproc: {exc}", file=sys.stderr)
        sys.exit(2)
    try:
        if args.command == "worker":
            from streamproc.worker.run import run_worker

            sys.exit(run_worker(settings))
        if args.command == "demo":
            from streamproc.cli.demo import run_demo

            sys.exit(run_demo(settings, follow=args.follow, seed=args.seed, timeout=args.timeout))
        if args.command == "produce":
            from streamproc.cli.produce import run_produce

            sys.exit(run_produce(settings, args.path, broker=args.broker, topic=args.topic))
        if args.command == "classify":
            from streamproc.cli.classify import run_classify

            sys.exit(run_classify(settings, args.path, tsv=args.tsv, lang=args.lang, as_json=args.json))
        if args.command == "rules":
            from streamproc.cli.rules import run_check, run_explain

            if args.rules_command == "check":
                sys.exit(run_check(settings))
            sys.exit(run_explain(settings, args.text, args.lang, args.published))
        if args.command == "eval-geo":
            from streamproc.cli.evaluate_geo import run_eval_geo

            sys.exit(run_eval_geo(settings, args.paths, args.detect, args.verbose))
        if args.command == "eval":
            from streamproc.cli.evaluate import run_eval

            sys.exit(run_eval(settings, args.paths, args.detect))
        if args.command == "bench":
            from streamproc.cli.bench import run_bench

            sys.exit(run_bench(settings, args.paths, args.seconds, args.size))
        if args.command == "webhooks":
            import asyncio

            from streamproc.publish.webhooks.replay import replay

            broker = args.broker or settings.broker
            if not broker:
                print("streamproc: webhooks replay needs --broker or STREAMPROC_BROKER", file=sys.stderr)
                sys.exit(2)
            report = asyncio.run(replay(settings.bootstrap_servers(broker), settings.webhook_topic_prefix,
                                        settings.app_id, subscription=args.subscription, from_start=args.all,
                                        dry_run=args.dry_run))
            sys.exit(1 if report.unfinished else 0)
        if args.command == "dlq":
            import asyncio

            from streamproc.cli.dlq import list_dead_letters, replay_dead_letters

            broker = args.broker or settings.broker
            if not broker:
                print(f"streamproc: dlq {args.dlq_command} needs --broker or STREAMPROC_BROKER", file=sys.stderr)
                sys.exit(2)
            bootstrap, reasons = settings.bootstrap_servers(broker), frozenset(args.reason)
            if args.dlq_command == "list":
                report = asyncio.run(list_dead_letters(bootstrap, settings.topic_dlq, reasons, limit=args.limit))
            else:
                report = asyncio.run(replay_dead_letters(bootstrap, settings.topic_dlq, settings.topic_articles,
                                                         settings.app_id, reasons, from_start=args.all,
                                                         dry_run=args.dry_run))
            sys.exit(1 if report.unfinished else 0)
        if args.command == "config":
            from streamproc.config import SECRETS, describe, markdown_table

            if args.markdown:
                print(markdown_table())
                sys.exit(0)
            for name, default, doc in describe():
                field_name = name[len("STREAMPROC_"):].lower()
                current = getattr(settings, field_name)
                if isinstance(current, tuple):
                    current = ",".join(f"{v:g}" for v in current)
                elif field_name in SECRETS and current:
                    current = "(set, not shown)"  # the output ends up in CI logs and terminal captures
                print(f"{name}={current}\n    {doc} (default: {default or 'empty'})")
            sys.exit(0)
    except (DataError, DataErrors) as exc:
        print(f"streamproc: invalid data files:\n{exc}", file=sys.stderr)
        sys.exit(2)
    except (SubscriberConfigError, BrokerUnavailable) as exc:  # a bad subscribers file; no broker to use
        print(f"streamproc: {exc}", file=sys.stderr)
        sys.exit(2)
    except OSError as exc:  # a missing or unreadable input file: say which, no traceback
        print(f"streamproc: {exc.strerror or exc}: {exc.filename}" if exc.filename else f"streamproc: {exc}",
              file=sys.stderr)
        sys.exit(2)
    except UnicodeDecodeError as exc:
        print(f"streamproc: an input file is not UTF-8 text ({exc.reason} at byte {exc.start})", file=sys.stderr)
        sys.exit(2)
