"""Tryton 8.2 over JSON-RPC: :class:`~erp_adapter.tryton.adapter.TrytonAdapter`."""
