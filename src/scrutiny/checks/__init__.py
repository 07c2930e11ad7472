"""Checks: the registry, the runner and the check families (record, document, image, corpus).

Built-ins are listed explicitly in ``registry.builtin_checks``; see DESIGN §3."""
