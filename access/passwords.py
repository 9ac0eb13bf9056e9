"""Password hashing with argon2id (argon2-cffi): hash, verify, and notice outdated parameters."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# argon2-cffi's defaults (RFC 9106 "low memory" profile: 64 MiB, 3 passes) cost ~50 ms here:
# slow for a guesser, invisible at a sign-in.
_hasher = PasswordHasher()
MIN_LENGTH = 10
MAX_LENGTH = 1024
# Verified against when the user name is unknown, so that a wrong name costs the same time as
# a wrong password and timing does not tell which names exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password-0")


class WeakPassword(ValueError):
    """A password refused before hashing (too short, too long)."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key = key
        self.params = params


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword("access.password_too_short", min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise WeakPassword("access.password_too_long", max=MAX_LENGTH)


def hash_password(password: str) -> str:
    """An encoded argon2id hash (salt and parameters inside) of an acceptable password."""
    check_strength(password)
    return _hasher.hash(password)


def verify_password(encoded: str | None, password: str) -> bool:
    """True when password matches; False for a wrong one, a missing or a malformed hash."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(encoded or _DUMMY_HASH, password) and encoded is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(encoded: str) -> bool:
    """True when the hash was made with weaker parameters than today's (rehash at next sign-in)."""
    try:
        return _hasher.check_needs_rehash(encoded)
    except InvalidHashError:
        return True
