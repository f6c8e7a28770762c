"""Sending what is due: runs, channels and 签收 links."""
