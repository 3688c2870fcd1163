"""Webhook delivery: Standard Webhooks signing (pure), subscriber config, the async dispatcher."""
