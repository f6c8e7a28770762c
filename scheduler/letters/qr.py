"""The 签收 link as a QR code printed on the letter, so an official signs from the paper copy.

A link of ~120 characters set in the body ran over five lines and pushed the signature onto a
page of its own; printed as a code beside the signature it takes no line at all (the e-mail that
carries the letter gives the link to click). segno writes standard QR codes without dependencies
(error correction M, the quiet zone the standard asks for); a hand-rolled encoder would be ours to
get right.
"""

from __future__ import annotations

import io

import segno

QR_MM = 20  # printed size: fits beside the two signature lines, readable by a phone camera


def qr_png(url: str) -> bytes:
    """Return the QR code of `url` as a PNG (black on white, 4-module quiet zone)."""
    out = io.BytesIO()
    segno.make_qr(url, error="m").save(out, kind="png", scale=8, border=4)
    return out.getvalue()
