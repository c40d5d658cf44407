"""Adapters at the edge (STYLE §14): PDF, QR, signing — one small module each."""
