"""Entity linking: people, organisations and places resolved to ids, countries and coordinates."""
