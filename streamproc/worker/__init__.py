"""Faust glue: the app (:mod:`.app`), the consuming agent (:mod:`.agents`), web views (:mod:`.views`)."""
