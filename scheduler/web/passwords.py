"""The password policy of console accounts: long enough, and not one of the passwords every
guessing list starts with. Throttling (scheduler.web.throttle) makes guessing slow; this keeps the
few guesses an attacker gets from landing.

A password is refused when it is shorter than MIN_PASSWORD, when it is a well-known password,
when its letters alone are a well-known word or the login name ("Password-2024", "wang123456"),
or when it is one character, one short pattern repeated, or a run along the digits, the alphabet
or the keyboard ("1234567890", "qwertyuiop", "1qaz2wsx3edc").
"""

from __future__ import annotations

import re

MIN_PASSWORD = 10
MAX_PASSWORD = 256  # argon2 hashes any length; a megabyte "password" only costs us memory

# Well-known passwords of ten characters or more (shorter ones fail the length rule anyway),
# from the lists leaked sites publish every year, Chinese sites' included.
COMMON = frozenset("""
1234567890 0123456789 0987654321 9876543210 12345678910 123456789a a123456789 a1234567890 1234567890a
123456789q q123456789 123456789abc abc123456789 1111111111 0000000000 5201314520 52013145201314
1314520520 woaini1314 woaini520 woaini1314520 iloveyou1314 iloveyou123 qq123456789 qq1234567890
qwertyuiop qwertyuiop123 qwerty123456 qwerty12345 1qaz2wsx3edc 1q2w3e4r5t 1q2w3e4r5t6y 1qazxsw23edc
zaq12wsxcde qazwsxedcrfv asdfghjkl123 zxcvbnm123 zxcvbnm1234 password12 password123 password1234
password12345 passw0rd123 p@ssw0rd123 p@ssword123 administrator admin12345 admin123456 admin@123456
root123456 abcdefghij abcd123456 abcd1234567 abc1234567 aa123456789 a12345678910 iloveyou12
computer123 welcome123 welcome1234 letmein123 changeme123 sunshine123 football123 baseball123
superman123 dragon12345 monkey12345 master12345 trustno1234 1234qwerasdf 1234abcd1234 123qweasdzxc
qweasdzxc123 1qaz@wsx3edc 1qaz!qaz2wsx 88888888888 66666666666 11223344556 1122334455 123123123123
123456123456 12341234 1234512345 147258369 1472583690 159753159753 7758521520 woshishui123
""".split())

# Words that, with digits or punctuation around them, are still the first guesses.
COMMON_WORDS = frozenset("""
password passwd passw pass admin administrator root user guest test welcome letmein changeme
qwerty qwertyuiop asdf asdfgh asdfghjkl zxcvbnm iloveyou woaini abc abcd abcdef abcdefg qaz wsx
qazwsx qwe qweasd qweasdzxc duban dubanxitong dqb daqiban huanbao sthj admin
""".split())

_RUNS = ("01234567890", "09876543210", "abcdefghijklmnopqrstuvwxyz", "zyxwvutsrqponmlkjihgfedcba",
         "qwertyuiopasdfghjklzxcvbnm", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "qazwsxedcrfvtgbyhnujmikolp")


def _is_run(text: str) -> bool:
    """One character, one short pattern repeated, or a slice of a well-known run."""
    if len(set(text)) <= 2:
        return True
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return True
    return any(text in run for run in _RUNS)


def password_problem(password: str, name: str = "") -> str | None:
    """Return why a password is refused (Chinese, for the person choosing it), or None."""
    if len(password) < MIN_PASSWORD:
        return f"密码至少 {MIN_PASSWORD} 个字符"
    if len(password) > MAX_PASSWORD:
        return f"密码最多 {MAX_PASSWORD} 个字符"
    lowered = password.lower()
    letters = re.sub(r"[^a-z]", "", lowered)
    login = re.sub(r"[^a-z]", "", name.strip().lower())
    if lowered in COMMON or _is_run(lowered):
        return "密码过于常见或有规律（如 1234567890、qwertyuiop），容易被猜中，请换一个"
    if letters in COMMON_WORDS or letters == login != "" or lowered == name.strip().lower():
        return "密码不能只是常见单词或用户名加数字，请换一个更难猜的密码"
    return None
