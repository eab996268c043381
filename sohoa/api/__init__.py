"""The HTTP service (``sohoa serve``, CONTRACT §5): one router per resource, wiring only."""
