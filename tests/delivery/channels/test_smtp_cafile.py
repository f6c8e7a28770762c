"""A CA file that cannot be read is a permanent error with its path, not seven days of retries."""

from __future__ import annotations

import pytest

from scheduler.delivery.channels.base import TransportError
from scheduler.delivery.channels.smtp import SmtpChannel, SmtpSettings
from tests.delivery.channels.conftest import NOW, free_port


def test_a_missing_ca_file_is_a_permanent_error_naming_it(message, tmp_path):
    missing = tmp_path / "internal-ca.pem"
    channel = SmtpChannel(SmtpSettings(host="127.0.0.1", port=free_port(), security="ssl", timeout=5,
                                       ca_file=str(missing)), now=lambda: NOW)
    with pytest.raises(TransportError) as refused:
        channel.send(message)
    assert refused.value.permanent and str(missing) in str(refused.value)
